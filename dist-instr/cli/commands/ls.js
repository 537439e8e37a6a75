import { displayName, rawBytesField } from '../../fs/paths.js';
import { loadTree } from '../../tree/trees.js';
import { AT_HELP, atOption, globals, locate, sourceOption, withRepo } from '../context.js';
import { fmtBytes, printJson, println } from '../output.js';
const TYPE_CHAR = { file: '-', dir: 'd', symlink: 'l', fifo: 'p', socket: 's', chardev: 'c', blockdev: 'b' };
/** ls -l style, with setuid/setgid (s/S) and sticky (t/T) as coreutils shows them. */
export function permString(e) {
    const m = e.mode;
    const x = (bit, special, on, off) => (m & special ? (m & bit ? on : off) : m & bit ? 'x' : '-');
    const r = (b) => (m & b ? 'r' : '-');
    const w = (b) => (m & b ? 'w' : '-');
    return `${TYPE_CHAR[e.kind]}${r(0o400)}${w(0o200)}${x(0o100, 0o4000, 's', 'S')}${r(0o40)}${w(0o20)}${x(0o10, 0o2000, 's', 'S')}${r(0o4)}${w(0o2)}${x(0o1, 0o1000, 't', 'T')}`;
}
export const mtimeIso = (e) => new Date(Number(e.mtimeNs / 1000000n)).toISOString();
export function entryJson(e, path) {
    return {
        path,
        name: displayName(e.name),
        ...(rawBytesField(e.name) ? { name_bytes: rawBytesField(e.name) } : {}),
        kind: e.kind,
        mode: e.mode,
        permissions: permString(e),
        uid: e.uid,
        gid: e.gid,
        size: e.size,
        mtime: mtimeIso(e),
        ...(e.content ? { hash: e.content.hash.toString('hex') } : {}),
        ...(e.subtree ? { tree: e.subtree.toString('hex'), files: e.files, dirs: e.dirs } : {}),
        ...(e.target ? { target: displayName(e.target) } : {}),
    };
}
async function* walk(repo, tree, prefix, recursive) {
    for (const e of await loadTree(repo, tree)) {
        const p = prefix ? `${prefix}/${displayName(e.name)}` : displayName(e.name);
        yield [e, p];
        if (recursive && e.kind === 'dir')
            yield* walk(repo, e.subtree, p, true);
    }
}
export function register(program) {
    program
        .command('ls')
        .description('list a directory in a snapshot (SNAP[:PATH]; SNAP = id prefix, latest or latest~N; default latest)')
        .argument('[snapshot-path]', 'SNAP[:PATH] (with --at: PATH)')
        .option('-l, --long', 'show type, permissions, owner, size and mtime')
        .option('-R, --recursive', 'list subdirectories too, with their paths')
        .option('--source <dir>', 'latest means the newest snapshot of this source')
        .option('--at <time>', AT_HELP)
        .action(async (spec, opts, cmd) => {
        const g = globals(cmd);
        const at = atOption(opts.at);
        await withRepo(g, async (repo) => {
            const { entry, path } = await locate(repo, spec ?? (at ? '' : 'latest'), sourceOption(opts.source), at);
            const base = path.split('/').filter(Boolean).join('/');
            const rows = [];
            if (entry.kind === 'dir')
                for await (const r of walk(repo, entry.subtree, base, !!opts.recursive))
                    rows.push(r);
            else
                rows.push([entry, base]);
            if (g.json)
                return printJson(rows.map(([e, p]) => entryJson(e, p)));
            for (const [e, p] of rows) {
                const shown = (opts.recursive ? p : displayName(e.name) || p) + (e.kind === 'dir' ? '/' : '');
                const link = e.kind === 'symlink' ? ` -> ${displayName(e.target)}` : '';
                if (opts.long)
                    println(`${permString(e)}  ${String(e.uid).padStart(5)} ${String(e.gid).padStart(5)}  ${fmtBytes(e.size).padStart(10)}  ${mtimeIso(e).slice(0, 19).replace('T', ' ')}  ${shown}${link}`);
                else
                    println(shown + link);
            }
        });
    });
}
//# sourceMappingURL=ls.js.map