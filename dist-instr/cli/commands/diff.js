// `strata diff A B [PATH]`: what changed between two snapshots, git-style
// (A/D/M/R lines and metadata-only changes), limited to a subtree if asked.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { isStrataError, StrataError } from '../../errors.js';
import { displayName } from '../../fs/paths.js';
import { rootEntry } from '../../snapshot/manifest.js';
import { diffEntries } from '../../tree/diff.js';
import { resolvePath, splitPath } from '../../tree/trees.js';
import { globals, pathInSnapshot, pickSnapshot, sourceOption, withRepo } from '../context.js';
import { liveTree } from '../live-tree.js';
import { collect } from '../options.js';
import { fmtBytes, fmtInt, printJson, println } from '../output.js';
const LETTER = { added: 'A', removed: 'D', modified: 'M', renamed: 'R', meta: 'm' };
async function entryAt(repo, s, path) {
    try {
        return await resolvePath(repo, rootEntry(s), path);
    }
    catch (e) {
        if (isStrataError(e, 'E_NO_PATH'))
            return undefined;
        throw e;
    }
}
/** B names a directory on disk (not a snapshot reference): its canonical path. */
function liveDir(b) {
    if (/^latest(~\d+)?$/.test(b) || (/^[0-9a-f]+$/i.test(b) && !b.includes('/'))) {
        // a reference, unless a directory of that name is meant with ./NAME
        return undefined;
    }
    try {
        if (fs.statSync(b).isDirectory())
            return fs.realpathSync(nodePath.resolve(b));
    }
    catch { }
    return undefined;
}
const shown = (p, c) => (p || '.') + (c.kind === 'dir' && p ? '/' : '');
function metaText(c) {
    const m = c.meta;
    if (!m)
        return '';
    const parts = [];
    if (m.mode)
        parts.push(`mode ${m.mode[0]} -> ${m.mode[1]}`);
    if (m.uid)
        parts.push(`uid ${m.uid[0]} -> ${m.uid[1]}`);
    if (m.gid)
        parts.push(`gid ${m.gid[0]} -> ${m.gid[1]}`);
    if (m.xattrs)
        parts.push(`xattrs ${m.xattrs.join(' ')}`);
    if (m.mtime)
        parts.push(`mtime ${m.mtime[0].slice(0, 19).replace('T', ' ')} -> ${m.mtime[1].slice(0, 19).replace('T', ' ')}`);
    return parts.join(', ');
}
export function changeLine(c) {
    const notes = [];
    if (c.kind === 'dir' && c.status !== 'meta')
        notes.push(`${fmtInt(c.files ?? 0)} files`);
    if (c.status === 'modified' && c.kind === 'file')
        notes.push(`${fmtBytes(c.oldSize ?? 0)} -> ${fmtBytes(c.size)}`);
    if (c.kind !== 'file' && c.kind !== 'dir' && c.status !== 'meta')
        notes.push(c.kind);
    if (c.modified)
        notes.push('contents changed, see below');
    const meta = metaText(c);
    if (meta)
        notes.push(meta);
    const where = c.status === 'renamed' ? `${shown(c.from, c)} -> ${shown(c.path, c)}` : shown(c.path, c);
    return `${LETTER[c.status]}  ${where}${notes.length ? `  (${notes.join('; ')})` : ''}`;
}
export function summaryLine(changes) {
    if (changes.length === 0)
        return 'no differences';
    const n = (s) => changes.filter((c) => c.status === s).length;
    return `${n('added')} added, ${n('removed')} removed, ${n('modified')} modified, ${n('renamed')} renamed, ${n('meta')} metadata only`;
}
export function register(program) {
    program
        .command('diff')
        .description('changes between two snapshots (A = old, B = new), optionally under PATH; renames are detected by equal content')
        .argument('<a>', 'old snapshot: id prefix, latest or latest~N')
        .argument('<b>', 'new snapshot, or a directory on disk (compared as it is now)')
        .argument('[path]', 'only this file or subtree')
        .option('--source <dir>', 'latest means the newest snapshot of this source')
        .option('--stats', 'also print how many tree objects were compared (stderr)')
        .option('-e, --exclude <pattern>', 'with a directory: leave out what the snapshot left out (repeatable)', collect, [])
        .option('--host <name>', 'with a directory: the host whose stat cache spares re-reading files', os.hostname())
        .action(async (a, b, path, opts, cmd) => {
        const g = globals(cmd);
        const source = sourceOption(opts.source);
        const live = liveDir(b);
        const res = await withRepo(g, async (repo) => {
            if (live) {
                // the snapshot is of DIR's source unless said otherwise; DIR is read like a dry-run snapshot
                const sa = await pickSnapshot(repo, a, { source: source ?? live }).catch((e) => {
                    if (source || !isStrataError(e, 'E_NO_SNAPSHOT'))
                        throw e;
                    return pickSnapshot(repo, a, { hint: live }); // DIR is not a source (a restored copy, say)
                });
                const now = await liveTree(repo, live, opts.host, opts.exclude);
                const p = splitPath(path ?? '')
                    .map((x) => displayName(x))
                    .join('/');
                const ea = await entryAt(repo, sa, p);
                const eb = p ? await resolvePath(now.reader, now.root, p).catch(() => undefined) : now.root;
                if (!ea && !eb)
                    throw new StrataError('E_NO_PATH', `path not found in ${sa.id.slice(0, 8)} nor in ${live}: ${p}`);
                return diffEntries(now.reader, ea, eb, p);
            }
            const pick = { source, hint: path, needSource: !!path };
            const sa = await pickSnapshot(repo, a, pick);
            const sb = await pickSnapshot(repo, b, pick);
            const p = splitPath(pathInSnapshot(sb.source, path ?? ''))
                .map((x) => displayName(x))
                .join('/');
            const ea = await entryAt(repo, sa, p);
            const eb = await entryAt(repo, sb, p);
            if (!ea && !eb)
                throw new StrataError('E_NO_PATH', `path not found in either snapshot: ${p} (${sa.id.slice(0, 8)}, ${sb.id.slice(0, 8)})`);
            return diffEntries(repo, ea, eb, p);
        });
        if (opts.stats)
            process.stderr.write(`compared ${fmtInt(res.treesLoaded)} tree objects\n`);
        if (g.json)
            return printJson(res.changes);
        for (const c of res.changes)
            println(changeLine(c));
        println(summaryLine(res.changes));
    });
}
//# sourceMappingURL=diff.js.map