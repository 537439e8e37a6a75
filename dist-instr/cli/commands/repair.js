import { repairIndex } from '../../maintenance/repair.js';
import { repairSnapshots } from '../../maintenance/repair-snapshots.js';
import { withLock } from '../../store/lock.js';
import { cacheOptions, globals, repoPath, withRepo } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { fmtInt, printJson, println, progressClear, progressEnabled, progressLine } from '../output.js';
import { lockWait } from './prune.js';
export function register(program) {
    const repair = program.command('repair').description('repair parts of a repository');
    repair
        .command('index')
        .description("rebuild the repository's index segments from the pack trailers (after damaged or lost segments); damaged packs are salvaged blob by blob")
        .option('--read-data', 'verify every blob and leave corrupted ones out, so the next snapshot stores them again')
        .option('--retry-lock <duration>', 'wait this long for a locked repository (e.g. 30s, 5m)')
        .action(async (opts, cmd) => {
        const g = globals(cmd);
        const tty = progressEnabled(!!g.json);
        const r = await repairIndex(repoPath(g), { ...cacheOptions(g), readData: opts.readData, lockWaitMs: lockWait(opts.retryLock), onProgress: tty ? progressLine : undefined });
        progressClear();
        if (g.json)
            printJson(r);
        else {
            println(`indexed ${fmtInt(r.blobsIndexed)} blobs from ${fmtInt(r.packsIndexed)} packs and ${fmtInt(r.snapshots)} snapshots`);
            for (const p of r.packsSalvaged)
                println(`${p.kept ? 'salvaged' : 'error: nothing could be salvaged from'} pack ${p.pack.slice(0, 16)} (${p.error}): kept ${fmtInt(p.kept)} blobs that verify, ${fmtInt(p.failed)} candidate locations failed`);
            for (const p of r.packsDamaged)
                println(`error: pack ${p.pack} could not be read and was left out: ${p.error}`);
            for (const b of r.blobsDropped)
                println(`error: blob ${b.blob} in pack ${b.pack.slice(0, 16)} is corrupted and was left out of the index; snapshot its source again to store it anew`);
            for (const p of r.packsRewritten)
                println(`deleted damaged pack ${p.slice(0, 16)} (its verified blobs are in a new pack)`);
            for (const id of r.snapshotsRestored)
                println(`restored snapshot file ${id.slice(0, 8)} from the cache's intact copy`);
            for (const id of r.snapshotsLost)
                println(`error: snapshot file ${id} is damaged and no intact copy exists; remove it with 'strata forget ${id.slice(0, 12)}'`);
            for (const s of r.snapshotsDamaged) {
                println(`error: snapshot ${s.snapshot.slice(0, 8)} (${s.source}, ${s.time.replace('T', ' ').slice(0, 19)}) lost data at ${fmtInt(s.count)} path(s):`);
                for (const p of s.paths)
                    println(`    ${p}`);
            }
            println(`index: ${r.oldIndex}`);
            println(r.snapshotsDamaged.length ? `snapshot the sources again to store what they still have, or run 'strata repair snapshots' to drop the lost paths` : `run 'strata check' to see what remains`);
        }
        if (r.packsDamaged.length || r.blobsDropped.length || r.snapshotsLost.length || r.snapshotsDamaged.length)
            process.exitCode = EXIT.INTEGRITY;
    });
    repair
        .command('snapshots')
        .description('rewrite snapshots that reference lost data, leaving out (and naming) every path that cannot be restored')
        .option('--dry-run', 'only list what would be left out')
        .option('--retry-lock <duration>', 'wait this long for a locked repository (e.g. 30s, 5m)')
        .action(async (opts, cmd) => {
        const g = globals(cmd);
        const tty = progressEnabled(!!g.json);
        const out = await withRepo(g, (repo) => withLock(repo, { exclusive: !opts.dryRun, command: 'repair snapshots', waitMs: lockWait(opts.retryLock) }, () => repairSnapshots(repo, { dryRun: opts.dryRun, onProgress: tty ? progressLine : undefined })));
        progressClear();
        if (g.json)
            printJson({ dryRun: !!opts.dryRun, snapshots: out });
        else {
            for (const s of out) {
                const head = `snapshot ${s.snapshot.slice(0, 8)} (${s.source}, ${s.time.replace('T', ' ').slice(0, 19)})`;
                if (s.unrecoverable) {
                    println(`error: ${head}: ${s.unrecoverable}`);
                    continue;
                }
                println(`${head}: ${opts.dryRun ? 'would leave out' : 'left out'} ${fmtInt(s.dropped.length)} path(s):`);
                for (const p of s.dropped)
                    println(`    ${p}`);
                if (s.newId)
                    println(`  rewritten as snapshot ${s.newId.slice(0, 8)}; the old one was removed`);
            }
            if (out.length === 0)
                println('no snapshot references lost data');
        }
        if (out.some((s) => s.unrecoverable))
            process.exitCode = EXIT.INTEGRITY;
    });
}
//# sourceMappingURL=repair.js.map