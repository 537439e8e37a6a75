import { daemonStateDir } from '../../watch/state-dir.js';
import { readStatuses } from '../../watch/status-file.js';
import { EXIT } from '../exit-codes.js';
import { globals, withRepo } from '../context.js';
import { fmtDuration, printJson, println } from '../output.js';
export function register(program) {
    program
        .command('status')
        .description('state of the watch daemons of this repository on this host; exit 0 when every watched source is protected')
        .action(async (_opts, cmd) => {
        const g = globals(cmd);
        const now = Date.now();
        const daemons = (await withRepo(g, async (repo) => readStatuses(daemonStateDir(repo)))).map((d) => ({
            ...d,
            uptimeS: Math.round((now - Date.parse(d.started)) / 1000),
            sources: d.sources.map((s) => ({
                ...s,
                ...(s.lastSnapshot ? { lastSnapshot: { ...s.lastSnapshot, ageS: Math.round((now - Date.parse(s.lastSnapshot.time)) / 1000) } } : {}),
            })),
        }));
        const ok = daemons.length > 0 && daemons.every((d) => d.sources.every((s) => s.protected));
        if (g.json)
            printJson({ protected: ok, daemons });
        else if (daemons.length === 0)
            println('no strata watch daemon runs for this repository on this host');
        else
            for (const d of daemons) {
                println(`daemon pid ${d.pid} on ${d.host}, up ${fmtDuration(d.uptimeS * 1000)}, backend ${d.backend}: ${d.backendState}${d.backendReason ? ` (${d.backendReason})` : ''}`);
                for (const s of d.sources) {
                    const last = s.lastSnapshot ? `last snapshot ${s.lastSnapshot.id.slice(0, 8)} ${fmtDuration(now - Date.parse(s.lastSnapshot.time))} ago` : 'no snapshot yet';
                    println(`  ${s.path}: ${s.state}${s.reason ? ` (${s.reason})` : ''}${s.protected ? '' : ' NOT PROTECTED'}; ${last}; ${s.pendingDirs} pending dirs; ${s.missedEvents} missed events`);
                    if (s.lastError)
                        println(`    last error ${s.lastError.time}: ${s.lastError.message}`);
                }
            }
        if (!ok)
            process.exitCode = EXIT.FATAL;
    });
}
//# sourceMappingURL=status.js.map