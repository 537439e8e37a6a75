import { StrataError } from '../../errors.js';
import { displayName } from '../../fs/paths.js';
import { pathHistory, versionHash } from '../../snapshot/history.js';
import { describeFilter, filterSnapshots, listSnapshots } from '../../snapshot/manifest.js';
import * as fs from 'node:fs';
import * as pathMod from 'node:path';
import { globals, pathInSnapshot, sourceContaining, sourceOption, withRepo } from '../context.js';
import { fmtBytes, fmtInt, fmtTime, printJson, println } from '../output.js';
const cwdOf = () => {
    try {
        return fs.realpathSync(process.cwd());
    }
    catch {
        return process.cwd();
    }
};
export function register(program) {
    program
        .command('log')
        .description('versions of a path (relative to the snapshotted directory) across snapshots, oldest first')
        .argument('<path>', 'file or directory path inside the snapshots')
        .option('--source <dir>', 'only snapshots of this source directory')
        .option('--host <name>', 'only snapshots from this host')
        .option('--stats', 'also print how many tree objects were looked at (stderr)')
        .option('--utc', 'show times in UTC (default: local time with its offset)')
        .action(async (path, opts, cmd) => {
        const g = globals(cmd);
        const filter = { source: sourceOption(opts.source), host: opts.host };
        const h = await withRepo(g, async (repo) => {
            const all = filterSnapshots(await listSnapshots(repo), { host: opts.host });
            // an absolute path, or a relative one typed inside a source, names that source
            if (!filter.source)
                filter.source = sourceContaining(pathMod.isAbsolute(path) ? path : cwdOf(), [...new Set(all.map((s) => s.source))]);
            const snaps = filterSnapshots(all, filter);
            if (snaps.length === 0)
                throw new StrataError('E_NO_SNAPSHOT', `no snapshots${describeFilter(filter)} in the repository`);
            return pathHistory(repo, snaps, filter.source ? pathInSnapshot(filter.source, path) : path);
        });
        if (opts.stats)
            process.stderr.write(`looked at ${fmtInt(h.treesLoaded)} tree objects for ${fmtInt(h.snapshots)} snapshots\n`);
        if (h.versions.length === 0)
            throw new StrataError('E_NO_PATH', `${h.path || '.'} is not in any of ${fmtInt(h.snapshots)} snapshot(s)${describeFilter(filter)}`);
        if (g.json) {
            return printJson(h.versions.map((v) => ({
                snapshot: v.snapshot.id,
                time: v.snapshot.time,
                status: v.status,
                kind: v.entry?.kind ?? null,
                size: v.entry ? v.entry.size : null,
                hash: v.entry && v.entry.kind !== 'symlink' ? (versionHash(v.entry) ?? null) : null,
                ...(v.entry?.target ? { target: displayName(v.entry.target) } : {}),
                source: v.snapshot.source,
                host: v.snapshot.host,
            })));
        }
        const many = h.lineages > 1;
        const tw = opts.utc ? 21 : 26;
        println(`${'SNAPSHOT'.padEnd(8)}  ${'TIME'.padEnd(tw)}  ${'STATUS'.padEnd(12)}  ${'SIZE'.padStart(10)}  HASH${many ? '          SOURCE' : ''}`);
        for (const v of h.versions) {
            const e = v.entry;
            const t = fmtTime(v.snapshot.time, opts.utc).padEnd(tw);
            const size = e ? fmtBytes(e.size) : '-';
            let hash = e ? (versionHash(e) ?? '') : '-';
            if (e?.kind === 'symlink')
                hash = `-> ${hash}`;
            else if (e && e.kind !== 'file' && e.kind !== 'dir')
                hash = e.kind;
            else
                hash = hash.slice(0, 12).padEnd(12);
            const kind = e?.kind === 'dir' ? `  (dir, ${fmtInt(e.files ?? 0)} files)` : '';
            const src = many ? `  ${v.snapshot.host}:${v.snapshot.source}` : '';
            println(`${v.snapshot.id.slice(0, 8)}  ${t}  ${v.status.padEnd(12)}  ${size.padStart(10)}  ${hash}${src}${kind}`.trimEnd());
        }
        println(`${h.versions.length} change${h.versions.length === 1 ? '' : 's'} to ${h.path || '.'} in ${fmtInt(h.snapshots)} snapshot${h.snapshots === 1 ? '' : 's'}`);
    });
}
//# sourceMappingURL=log.js.map