import { StrataError } from '../../errors.js';
import { prune } from '../../maintenance/prune.js';
import { withLock } from '../../store/lock.js';
import { parseDuration } from '../duration.js';
import { globals, withRepo } from '../context.js';
import { fmtBytes, fmtDuration, fmtInt, printJson, println, progressClear, progressEnabled, progressLine, warn } from '../output.js';
export function addPruneOptions(cmd) {
    return cmd
        .option('--repack-threshold <percent>', 'repack a pack when at least this share of its bytes is unused', '50')
        .option('--no-repack-small', 'do not merge small packs')
        .option('--retry-lock <duration>', 'wait this long for a locked repository (e.g. 30s, 5m)');
}
export function lockWait(retry) {
    return retry === undefined ? undefined : parseDuration(retry, '--retry-lock');
}
/** Run prune on an open repository (the caller holds the exclusive lock). */
export async function runPrune(repo, opts, json) {
    const pct = Number(opts.repackThreshold);
    if (!(pct >= 0 && pct <= 100))
        throw new StrataError('E_USAGE', `--repack-threshold must be a percentage (0-100), got ${opts.repackThreshold}`);
    const tty = progressEnabled(json);
    const stats = await prune(repo, {
        dryRun: opts.dryRun,
        repackThreshold: pct / 100,
        repackSmall: opts.repackSmall,
        onProgress: tty ? progressLine : undefined,
        onWarning: (m) => warn(`warning: ${m}`),
    });
    progressClear();
    return stats;
}
export function printPrune(s) {
    const verb = s.dryRun ? 'would ' : '';
    println(`${fmtInt(s.liveBlobs)} of ${fmtInt(s.blobs)} blobs in use by ${fmtInt(s.snapshots)} snapshots, in ${fmtInt(s.packs)} packs (${fmtBytes(s.bytesBefore)})`);
    println(`${verb}delete ${fmtInt(s.packsDeleted)} unused packs, ${verb}repack ${fmtInt(s.packsRepacked)} packs (${fmtInt(s.blobsRepacked)} blobs into ${fmtInt(s.packsWritten)} new packs)`);
    for (const id of s.packsRemovedIds)
        println(`  ${s.dryRun ? 'would delete' : 'deleted'} pack ${id.slice(0, 16)}`);
    if (s.tempFilesRemoved)
        println(`${s.dryRun ? 'would remove' : 'removed'} ${fmtInt(s.tempFilesRemoved)} temporary files of interrupted writers (${fmtBytes(s.tempBytesRemoved)})`);
    println(`${s.dryRun ? 'would free' : 'freed'} ${fmtBytes(Math.max(0, s.bytesFreed))} (${fmtInt(s.bytesFreed)} bytes) in ${fmtDuration(s.durationMs)}`);
}
export function register(program) {
    addPruneOptions(program
        .command('prune')
        .description('delete data no snapshot references; repack mostly-unused packs (takes the exclusive lock)')
        .option('--dry-run', 'only report what would be deleted and repacked')).action(async (opts, cmd) => {
        const g = globals(cmd);
        const stats = await withRepo(g, (repo) => withLock(repo, { exclusive: true, command: 'prune', waitMs: lockWait(opts.retryLock) }, () => runPrune(repo, opts, !!g.json)));
        if (g.json)
            printJson(stats);
        else
            printPrune(stats);
    });
}
//# sourceMappingURL=prune.js.map