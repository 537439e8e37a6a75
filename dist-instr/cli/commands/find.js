import { StrataError } from '../../errors.js';
import { describeFilter, filterSnapshots, listSnapshots } from '../../snapshot/manifest.js';
import { displayName, rawBytesField } from '../../fs/paths.js';
import { Finder, compileGlob } from '../../tree/find.js';
import { atOption, globals, pickSnapshot, sourceOption, withRepo } from '../context.js';
import { fmtBytes, fmtInt, printJson, println } from '../output.js';
import { enumArg } from '../validate.js';
const TYPES = { f: 'file', d: 'dir', l: 'symlink' };
/** Content hash of a file, tree hash of a directory; a symlink has none (its target is shown instead). */
const hashOf = (e) => e.content?.hash.toString('hex') ?? e.subtree?.toString('hex') ?? '';
/** What tells versions apart: the hash, or a symlink's target bytes. */
const versionOf = (e) => hashOf(e) || (e.target ? `->${e.target.toString('hex')}` : '');
const hashColumn = (e) => (e.target ? `-> ${displayName(e.target)}` : hashOf(e).slice(0, 12));
export function register(program) {
    program
        .command('find')
        .description("paths matching a glob (*, **, ?, [..]) in all snapshots, or one; a pattern without '/' matches names at any depth")
        .argument('<pattern>', "glob, e.g. '*.ts', 'src/**/*.test.ts', 'docs/' (trailing / = directories only); quote it")
        .option('-s, --snapshot <ref>', 'search only this snapshot (id prefix, latest, latest~N)')
        .option('--at <time>', 'search only the newest snapshot at or before TIME')
        .option('--source <dir>', 'only snapshots of this source directory')
        .option('--type <t>', 'only files (f), directories (d) or symlinks (l)')
        .action(async (pattern, opts, cmd) => {
        const g = globals(cmd);
        const glob = compileGlob(pattern);
        const type = opts.type === undefined ? undefined : TYPES[enumArg(opts.type, '--type', ['f', 'd', 'l'])];
        const filter = { source: sourceOption(opts.source), at: atOption(opts.at) };
        const hits = [];
        let searched = 0;
        await withRepo(g, async (repo) => {
            const snaps = opts.snapshot || opts.at ? [await pickSnapshot(repo, opts.snapshot ?? 'latest', filter)] : filterSnapshots(await listSnapshots(repo), filter);
            if (snaps.length === 0)
                throw new StrataError('E_NO_SNAPSHOT', `no snapshots${describeFilter(filter)} in the repository`);
            searched = snaps.length;
            const finder = new Finder(repo, glob);
            for (const s of snaps) {
                for (const f of await finder.find(Buffer.from(s.root, 'hex'))) {
                    if (!type || f.entry.kind === type)
                        hits.push({ snapshot: s, ...f });
                }
            }
        });
        if (g.json) {
            return printJson(hits.map((h) => ({
                snapshot: h.snapshot.id,
                time: h.snapshot.time,
                path: h.path,
                ...(rawBytesField(h.entry.name) ? { name_bytes: rawBytesField(h.entry.name) } : {}),
                kind: h.entry.kind,
                size: h.entry.size,
                hash: hashOf(h.entry) || null,
                ...(h.entry.target ? { target: displayName(h.entry.target) } : {}),
            })));
        }
        if (searched === 1) {
            for (const h of hits)
                println(h.path + (h.entry.kind === 'dir' ? '/' : ''));
        }
        else {
            // one line per distinct version of a path, with the snapshots it is in
            const groups = new Map();
            for (const h of hits) {
                const k = `${h.path}\0${h.entry.kind}\0${versionOf(h.entry)}`;
                const list = groups.get(k);
                if (list)
                    list.push(h);
                else
                    groups.set(k, [h]);
            }
            const rows = [...groups.values()].sort((x, y) => (x[0].path < y[0].path ? -1 : x[0].path > y[0].path ? 1 : x[0].snapshot.time < y[0].snapshot.time ? -1 : 1));
            for (const list of rows) {
                const { path, entry } = list[0];
                const first = list[0].snapshot.id.slice(0, 8);
                const last = list[list.length - 1].snapshot.id.slice(0, 8);
                const where = list.length === 1 ? `in ${first}` : `in ${fmtInt(list.length)} snapshots, ${first}..${last}`;
                println(`${path}${entry.kind === 'dir' ? '/' : ''}  ${fmtBytes(entry.size)}  ${hashColumn(entry)}  ${where}`);
            }
        }
        if (searched > 1)
            println(`${fmtInt(new Set(hits.map((h) => h.path)).size)} path(s), ${fmtInt(hits.length)} match(es) in ${fmtInt(searched)} snapshots`);
    });
}
//# sourceMappingURL=find.js.map