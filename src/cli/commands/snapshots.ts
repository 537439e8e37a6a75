// `strata snapshots`: list snapshots, oldest first.
import type { Command } from 'commander';
import { filterSnapshots, listSnapshots } from '../../snapshot/manifest.js';
import { globals, resolveSource, withRepo } from '../context.js';
import { fmtBytes, fmtInt, printJson, println } from '../output.js';

export function register(program: Command): void {
  program
    .command('snapshots')
    .description('list snapshots, oldest first')
    .option('--source <dir>', 'only snapshots of this source directory')
    .option('--host <name>', 'only snapshots from this host')
    .action(async (opts: { source?: string; host?: string }, cmd: Command) => {
      const g = globals(cmd);
      const source = opts.source ? resolveSource(opts.source) : undefined;
      const list = await withRepo(g, async (repo) => filterSnapshots(await listSnapshots(repo), { source, host: opts.host }));
      if (g.json) {
        printJson(
          list.map((s) => ({
            id: s.id,
            shortId: s.id.slice(0, 8),
            time: s.time,
            host: s.host,
            source: s.source,
            root: s.root,
            parent: s.parent,
            unchanged: s.unchanged,
            files: s.stats.files,
            dirs: s.stats.dirs,
            bytes: s.stats.bytes,
            bytesAdded: s.stats.bytesAdded,
            skippedCount: s.skippedCount,
          })),
        );
        return;
      }
      println(`${'ID'.padEnd(8)}  ${'Time'.padEnd(19)}  ${'Host'.padEnd(12)}  ${'Files'.padStart(9)}  ${'Size'.padStart(10)}  Source`);
      for (const s of list) {
        const t = new Date(s.time).toISOString().replace('T', ' ').slice(0, 19);
        println(
          `${s.id.slice(0, 8)}  ${t}  ${s.host.slice(0, 12).padEnd(12)}  ${fmtInt(s.stats.files).padStart(9)}  ${fmtBytes(s.stats.bytes).padStart(10)}  ${s.source}${s.unchanged ? '  (unchanged)' : ''}`,
        );
      }
      println(`${list.length} snapshot${list.length === 1 ? '' : 's'}`);
    });
}
