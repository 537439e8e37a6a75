// Finding paths by glob inside snapshot trees (`strata find`). A tiny glob
// compiler (*, **, ?, [...]) plus a walk that skips what the pattern's literal
// leading directories rule out, and remembers each (subtree, path) it has
// searched, so searching every snapshot costs about the distinct trees.
import { StrataError } from '../errors.js';
import { displayName } from '../fs/paths.js';
import { loadTree } from './trees.js';
const SPECIAL = /[*?[\\]/;
function segmentToRegex(seg, pattern) {
    let re = '';
    for (let i = 0; i < seg.length; i++) {
        const c = seg[i];
        if (c === '*')
            re += '[^/]*';
        else if (c === '?')
            re += '[^/]';
        else if (c === '\\' && i + 1 < seg.length)
            re += escapeRe(seg[++i]);
        else if (c === '[') {
            const end = seg.indexOf(']', i + 2);
            if (end < 0)
                throw new StrataError('E_USAGE', `unclosed [ in pattern ${pattern}`);
            let body = seg.slice(i + 1, end);
            if (body[0] === '!')
                body = '^' + body.slice(1);
            re += `[${body.replace(/\\/g, '\\\\')}]`;
            i = end;
        }
        else
            re += escapeRe(c);
    }
    return re;
}
const escapeRe = (c) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/**
 * Compile a glob. Without a '/', it matches the last path component at any
 * depth (`*.ts`); with one, the whole path from the snapshot root
 * (`src/**\/*.ts`, a leading '/' is ignored). A trailing '/' matches only directories.
 */
export function compileGlob(pattern) {
    let p = pattern.trim();
    if (p === '')
        throw new StrataError('E_USAGE', 'empty pattern');
    const dirsOnly = p.endsWith('/') && p.length > 1;
    if (dirsOnly)
        p = p.replace(/\/+$/, '');
    p = p.replace(/^(\.\/|\/)+/, '');
    const anchored = p.includes('/');
    const segs = p.split('/').filter((s) => s !== '');
    const parts = [];
    segs.forEach((s, i) => {
        const last = i === segs.length - 1;
        if (s === '**')
            parts.push(last ? '.*' : '(?:[^/]+/)*');
        else
            parts.push(segmentToRegex(s, pattern) + (last ? '' : '/'));
    });
    const re = new RegExp(`^${parts.join('')}$`, 's');
    const literalDirs = [];
    if (anchored)
        for (const s of segs.slice(0, -1)) {
            if (SPECIAL.test(s))
                break;
            literalDirs.push(s);
        }
    const maxDepth = !anchored || segs.includes('**') ? Infinity : segs.length;
    return {
        literalDirs,
        maxDepth,
        match(path, isDir) {
            if (dirsOnly && !isDir)
                return false;
            return re.test(anchored ? path : path.slice(path.lastIndexOf('/') + 1));
        },
    };
}
const NONE = [];
/** Searches trees; reuse one Finder across snapshots to share the work on unchanged subtrees. */
export class Finder {
    repo;
    glob;
    memo = new Map();
    treesLoaded = 0;
    constructor(repo, glob) {
        this.repo = repo;
        this.glob = glob;
    }
    /** Matches under the directory tree `hash` whose path is `prefix`, in tree order. */
    async find(hash, prefix = '', depth = 0, plainPrefix = prefix) {
        const key = `${hash.toString('hex')}\0${prefix}`;
        const hit = this.memo.get(key);
        if (hit)
            return hit;
        this.treesLoaded++;
        let out = NONE;
        const lit = this.glob.literalDirs[depth];
        for (const e of await loadTree(this.repo, hash)) {
            const name = displayName(e.name);
            const p = prefix ? `${prefix}/${name}` : name;
            // patterns match the name as shown (quoted when it needs it) or as plain text (bytes that are not UTF-8 as U+FFFD)
            const plainName = name === '' || name[0] !== '"' ? name : e.name.toString('utf8');
            const plain = plainPrefix ? `${plainPrefix}/${plainName}` : plainName;
            const isDir = e.kind === 'dir';
            if (this.glob.match(p, isDir) || (plain !== p && this.glob.match(plain, isDir)))
                (out === NONE ? (out = []) : out).push({ path: p, entry: e });
            if (e.kind !== 'dir' || depth + 1 >= this.glob.maxDepth || (lit !== undefined && name !== lit && plainName !== lit))
                continue;
            const below = await this.find(e.subtree, p, depth + 1, plain);
            if (below.length)
                (out === NONE ? (out = []) : out).push(...below);
        }
        this.memo.set(key, out);
        return out;
    }
}
//# sourceMappingURL=find.js.map