// `strata repair index`: rebuild the repository's index segments from the pack trailers.
import type { Command } from 'commander';
import { repairIndex } from '../../maintenance/repair.js';
import { cacheOptions, globals, repoPath } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { fmtInt, printJson, println, progressClear, progressEnabled, progressLine } from '../output.js';
import { lockWait } from './prune.js';

export function register(program: Command): void {
  const repair = program.command('repair').description('repair parts of a repository');
  repair
    .command('index')
    .description("rebuild the repository's index segments from the pack trailers (after damaged or lost segments)")
    .option('--read-data', 'verify every blob and leave corrupted ones out, so the next snapshot stores them again')
    .option('--retry-lock <duration>', 'wait this long for a locked repository (e.g. 30s, 5m)')
    .action(async (opts: { readData?: boolean; retryLock?: string }, cmd: Command) => {
      const g = globals(cmd);
      const tty = progressEnabled(!!g.json);
      const r = await repairIndex(repoPath(g), { ...cacheOptions(g), readData: opts.readData, lockWaitMs: lockWait(opts.retryLock), onProgress: tty ? progressLine : undefined });
      progressClear();
      if (g.json) printJson(r);
      else {
        println(`indexed ${fmtInt(r.blobsIndexed)} blobs from ${fmtInt(r.packsIndexed)} packs and ${fmtInt(r.snapshots)} snapshots`);
        for (const p of r.packsDamaged) println(`error: pack ${p.pack} could not be read and was left out: ${p.error}`);
        for (const b of r.blobsDropped) println(`error: blob ${b.blob} in pack ${b.pack.slice(0, 16)} is corrupted and was left out of the index; snapshot its source again to store it anew`);
        for (const p of r.packsRewritten) println(`rewrote damaged pack ${p.slice(0, 16)} without its corrupted blobs`);
        for (const id of r.snapshotsRestored) println(`restored snapshot file ${id.slice(0, 8)} from the index's intact copy`);
        for (const id of r.snapshotsLost) println(`error: snapshot file ${id} is damaged and no intact copy exists; remove it with 'strata forget ${id.slice(0, 12)}'`);
        println(`index: ${r.oldIndex}`);
        println(`run 'strata check' to see what remains`);
      }
      if (r.packsDamaged.length || r.blobsDropped.length || r.snapshotsLost.length) process.exitCode = EXIT.INTEGRITY;
    });
}
