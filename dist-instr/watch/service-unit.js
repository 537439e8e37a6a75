// `strata watch --print-service`: a systemd user unit that runs the daemon
// with the same arguments, the repository, password file and cache settings
// taken from the environment it was printed in.
import * as path from 'node:path';
/** Environment variables a daemon needs to reach and open its repository. */
export const SERVICE_ENV = ['STRATA_REPO', 'STRATA_PASSWORD_FILE', 'STRATA_PASSWORD_COMMAND', 'STRATA_CACHE_DIR', 'XDG_CACHE_HOME'];
const quote = (a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `"${a.replace(/(["\\$`])/g, '\\$1').replace(/%/g, '%%')}"`);
export function serviceUnit(opts) {
    const env = [];
    for (const k of SERVICE_ENV) {
        let v = k === 'STRATA_REPO' ? (opts.repo ?? opts.env[k]) : opts.env[k];
        if (!v)
            continue;
        if (k.endsWith('_FILE') || k.endsWith('_DIR') || k === 'STRATA_REPO' || k === 'XDG_CACHE_HOME')
            v = path.resolve(v);
        env.push(`Environment=${quote(`${k}=${v}`)}`);
    }
    const exec = [opts.node, opts.cli, 'watch', ...opts.args].map(quote).join(' ');
    return [
        '# ~/.config/systemd/user/strata-watch.service',
        '# install: systemctl --user daemon-reload && systemctl --user enable --now strata-watch',
        '[Unit]',
        `Description=strata: continuous snapshots of ${opts.sources.join(' ')}`,
        'After=default.target',
        '',
        '[Service]',
        ...env,
        `ExecStart=${exec}`,
        'Restart=on-failure',
        'RestartSec=10',
        'KillSignal=SIGTERM',
        'TimeoutStopSec=15',
        'Nice=5',
        'IOSchedulingClass=idle',
        '',
        '[Install]',
        'WantedBy=default.target',
        '',
    ].join('\n');
}
//# sourceMappingURL=service-unit.js.map