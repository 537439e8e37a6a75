import { check } from '../../maintenance/check.js';
import { describeLock } from '../../store/lock.js';
import { findLeftovers } from '../leftovers.js';
import { globals, withReadLock, withRepo } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { fmtBytes, fmtDuration, fmtInt, plural, printJson, println, progressClear, progressEnabled, progressLine, warn } from '../output.js';
import { lockWait } from './prune.js';
const SHOW_PER_KIND = 50;
export function register(program) {
    program
        .command('check')
        .description('verify the repository structure; with --read-data also decompress and re-hash every blob')
        .option('--read-data', 'read every pack and verify every blob')
        .option('--retry-lock <duration>', 'wait this long for a locked repository (e.g. 30s, 5m)')
        .action(async (opts, cmd) => {
        const g = globals(cmd);
        const tty = progressEnabled(!!g.json) && !g.quiet;
        const { report, left } = await withRepo(g, async (repo) => {
            const left = await findLeftovers(repo); // before taking our own lock
            const report = await withReadLock(g, repo, { exclusive: false, command: 'check', waitMs: lockWait(opts.retryLock) }, () => check(repo, { readData: opts.readData, onProgress: tty ? progressLine : undefined }));
            return { report, left };
        });
        progressClear();
        const s = report.stats;
        const leftovers = {
            staleLocks: left.staleLocks.map((l) => ({ name: l.name, description: describeLock(l) })),
            temporaries: left.temporaries,
        };
        if (g.json)
            printJson({ ...report, ...leftovers });
        else {
            for (const l of leftovers.staleLocks)
                println(`stale lock: ${l.description}: run 'strata unlock' to remove it`);
            const tmp = left.temporaries;
            if (tmp.files)
                println(`leftover: ${fmtInt(tmp.files)} temporary ${plural(tmp.files, 'file')} (${fmtBytes(tmp.bytes)}) of interrupted writers: 'strata prune' removes those older than an hour`);
            for (const n of report.notices)
                if (!g.quiet)
                    warn(`note: ${n}`);
            const shown = new Map();
            for (const p of report.problems) {
                const n = (shown.get(p.kind) ?? 0) + 1;
                shown.set(p.kind, n);
                if (n <= SHOW_PER_KIND)
                    println(`error: ${p.message}`);
            }
            for (const [kind, n] of shown)
                if (n > SHOW_PER_KIND)
                    println(`error: … and ${fmtInt(n - SHOW_PER_KIND)} more ${kind} problems (see --json)`);
            const data = opts.readData ? `, read ${fmtBytes(s.bytesRead)} (${fmtBytes(s.readDataMs > 0 ? (s.bytesRead / s.readDataMs) * 1000 : 0)}/s)` : '';
            println(`checked ${fmtInt(s.packs)} packs, ${fmtInt(s.blobs)} indexed blobs, ${fmtInt(s.snapshots)} snapshots${data} in ${fmtDuration(s.durationMs)}`);
            const notes = [
                leftovers.staleLocks.length ? `${leftovers.staleLocks.length} stale ${plural(leftovers.staleLocks.length, 'lock')}` : '',
                left.temporaries.files ? `${fmtInt(left.temporaries.files)} leftover temporary ${plural(left.temporaries.files, 'file')}` : '',
            ].filter(Boolean);
            const tail = notes.length ? ` (but ${notes.join(', ')}: see above)` : '';
            println(report.ok ? `no integrity problems found${tail}` : `${fmtInt(report.problems.length)} problem(s) found${tail}`);
        }
        if (!report.ok)
            process.exitCode = EXIT.INTEGRITY;
    });
}
//# sourceMappingURL=check.js.map