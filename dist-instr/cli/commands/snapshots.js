import { filterSnapshots, listSnapshots } from '../../snapshot/manifest.js';
import { globals, sourceOption, withRepo } from '../context.js';
import { collect, tagFilter } from '../options.js';
import { fmtBytes, fmtInt, fmtTime, printJson, println } from '../output.js';
export function register(program) {
    program
        .command('snapshots')
        .description('list snapshots, oldest first')
        .option('--source <dir>', 'only snapshots of this source directory')
        .option('--host <name>', 'only snapshots from this host')
        .option('--tag <tags>', 'only snapshots with these tags (a,b: both; repeat for either)', collect, [])
        .option('--utc', 'show times in UTC (default: local time with its offset)')
        .action(async (opts, cmd) => {
        const g = globals(cmd);
        const source = sourceOption(opts.source);
        const list = await withRepo(g, async (repo) => filterSnapshots(await listSnapshots(repo), { source, host: opts.host, tags: tagFilter(opts.tag) }));
        if (g.json) {
            printJson(list.map((s) => ({
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
                warningCount: s.warningCount,
                tags: s.tags ?? [],
                paths: s.paths ?? [],
            })));
            return;
        }
        const tw = opts.utc ? 21 : 26;
        println(`${'ID'.padEnd(8)}  ${'Time'.padEnd(tw)}  ${'Host'.padEnd(12)}  ${'Files'.padStart(9)}  ${'Size'.padStart(10)}  Source`);
        for (const s of list) {
            const notes = [s.paths?.length ? `only ${s.paths.join(', ')}` : '', s.tags?.length ? `tags ${s.tags.join(',')}` : '', s.unchanged ? 'unchanged' : '', s.skippedCount ? `${fmtInt(s.skippedCount)} skipped: strata show ${s.id.slice(0, 8)}` : ''].filter(Boolean);
            println(`${s.id.slice(0, 8)}  ${fmtTime(s.time, opts.utc).padEnd(tw)}  ${s.host.slice(0, 12).padEnd(12)}  ${fmtInt(s.stats.files).padStart(9)}  ${fmtBytes(s.stats.bytes).padStart(10)}  ${s.source}${notes.length ? `  (${notes.join('; ')})` : ''}`);
        }
        println(`${list.length} snapshot${list.length === 1 ? '' : 's'}`);
    });
}
//# sourceMappingURL=snapshots.js.map