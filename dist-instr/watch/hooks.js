// Hooks: a shell command run after each snapshot or when a source stops (or
// starts again) being protected. A hook never blocks the daemon: it runs in
// its own process group, is killed after a timeout, its failure is one log
// line, and at most a few run at once (more are skipped, with a warning).
import { spawn } from 'node:child_process';
export function hookRunner(opts) {
    const running = new Set();
    const max = opts.maxRunning ?? 4;
    const killGroup = (p) => {
        try {
            process.kill(-p.pid, 'SIGKILL');
        }
        catch { }
    };
    return {
        run(kind, cmd, env) {
            if (running.size >= max) {
                opts.log('warn', `hook ${kind} not run: ${running.size} hooks are still running`);
                return;
            }
            let p;
            try {
                p = spawn('/bin/sh', ['-c', cmd], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
            }
            catch (e) {
                opts.log('warn', `hook ${kind} could not start: ${e.message}`);
                return;
            }
            running.add(p);
            let err = '';
            p.stderr.on('data', (d) => (err = (err + d.toString()).slice(-500)));
            const timer = setTimeout(() => {
                opts.log('warn', `hook ${kind} still running after ${opts.timeoutMs} ms: killed`);
                killGroup(p);
            }, opts.timeoutMs);
            p.on('error', (e) => opts.log('warn', `hook ${kind} failed: ${e.message}`));
            p.on('exit', (code, sig) => {
                clearTimeout(timer);
                running.delete(p);
                if (code !== 0 && !sig)
                    opts.log('warn', `hook ${kind} exited ${code}${err.trim() ? `: ${err.trim().split('\n').at(-1)}` : ''}`);
            });
        },
        stop() {
            for (const p of running)
                killGroup(p);
            running.clear();
        },
    };
}
//# sourceMappingURL=hooks.js.map