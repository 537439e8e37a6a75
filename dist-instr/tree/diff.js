// Differences between two trees. Both Merkle trees are walked together in name
// order and only directory pairs whose subtree hashes differ are opened, so the
// cost follows the change, not the size of the tree. Added and removed entries
// are then paired into renames by equal content (file hash, subtree hash).
import { displayName } from '../fs/paths.js';
import { loadTree } from './trees.js';
/** Directory pairs below this fraction of equal top-level entries are not a "renamed with changes". */
const DIR_SIMILARITY = 0.5;
/** Similarity checks per removed directory, to stay linear on mass deletes. */
const MAX_SIMILARITY_PROBES = 16;
const join = (dir, name) => (dir ? `${dir}/${displayName(name)}` : displayName(name));
const baseName = (p) => p.slice(p.lastIndexOf('/') + 1);
const parentOf = (p) => p.slice(0, Math.max(0, p.lastIndexOf('/')));
const octal = (m) => (m & 0o7777).toString(8).padStart(3, '0');
const iso = (ns) => new Date(Number(ns / 1000000n)).toISOString();
/** What makes two entries "the same thing" for rename detection; none for empty files/dirs (too ambiguous). */
function moveKey(e) {
    switch (e.kind) {
        case 'file':
            return e.size > 0 ? `f${e.content.hash.toString('hex')}` : undefined;
        case 'dir':
            return (e.files ?? 0) + (e.dirs ?? 0) > 0 ? `d${e.subtree.toString('hex')}` : undefined;
        case 'symlink':
            return `l${e.target.toString('hex')}`;
        default:
            return undefined;
    }
}
function sameContent(a, b) {
    switch (a.kind) {
        case 'file':
            return a.content.hash.equals(b.content.hash);
        case 'dir':
            return a.subtree.equals(b.subtree);
        case 'symlink':
            return a.target.equals(b.target);
        default:
            return (a.rdev ?? 0) === (b.rdev ?? 0);
    }
}
/** Metadata differences; mtime only when asked (a directory's mtime follows its children). */
function metaDiff(a, b, withMtime) {
    const m = {};
    if (a.kind !== 'symlink' && (a.mode & 0o7777) !== (b.mode & 0o7777))
        m.mode = [octal(a.mode), octal(b.mode)];
    if (a.uid !== b.uid)
        m.uid = [a.uid, b.uid];
    if (a.gid !== b.gid)
        m.gid = [a.gid, b.gid];
    if (withMtime && a.mtimeNs !== b.mtimeNs)
        m.mtime = [iso(a.mtimeNs), iso(b.mtimeNs)];
    const x = xattrDiff(a, b);
    if (x.length)
        m.xattrs = x;
    return Object.keys(m).length ? m : undefined;
}
/** `+name`, `-name`, `~name` for the extended attributes added, removed, changed from `a` to `b`. */
function xattrDiff(a, b) {
    if (!a.xattrs?.length && !b.xattrs?.length)
        return [];
    // a value is inline, or (large) a data blob named by its content
    const val = (x) => (x.value ? `v${x.value.toString('hex')}` : `b${x.blob?.toString('hex')}:${x.size}`);
    const before = new Map((a.xattrs ?? []).map((x) => [x.name.toString('latin1'), val(x)]));
    const out = [];
    for (const x of b.xattrs ?? []) {
        const key = x.name.toString('latin1');
        const old = before.get(key);
        before.delete(key);
        if (old === undefined)
            out.push(`+${displayName(x.name)}`);
        else if (old !== val(x))
            out.push(`~${displayName(x.name)}`);
    }
    for (const key of before.keys())
        out.push(`-${displayName(Buffer.from(key, 'latin1'))}`);
    return out.sort((p, q) => (p.slice(1) < q.slice(1) ? -1 : p.slice(1) > q.slice(1) ? 1 : 0));
}
function hashOf(e) {
    return e.content?.hash.toString('hex') ?? e.subtree?.toString('hex');
}
function describe(status, path, e) {
    const c = { status, path, kind: e.kind, size: e.size };
    if (e.kind === 'dir')
        c.files = e.files ?? 0;
    const h = hashOf(e);
    if (h)
        c.hash = h;
    return c;
}
/**
 * Diff the entry `a` (old) against `b` (new), both found at `path`; either may
 * be absent. Entries of different kinds are a removal plus an addition.
 */
export async function diffEntries(repo, a, b, path = '') {
    const d = new Differ(repo);
    if (a && b)
        await d.compare(a, b, path, path);
    else if (a)
        d.removed.push({ path, entry: a });
    else if (b)
        d.added.push({ path, entry: b });
    await d.resolveMoves();
    d.out.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : x.status < y.status ? -1 : 1));
    return { changes: d.out, treesLoaded: d.treesLoaded };
}
class Differ {
    repo;
    out = [];
    removed = [];
    added = [];
    treesLoaded = 0;
    constructor(repo) {
        this.repo = repo;
    }
    load(h) {
        this.treesLoaded++;
        return loadTree(this.repo, h);
    }
    /** Two entries at corresponding places (old path pa, new path pb). */
    async compare(a, b, pa, pb) {
        if (a.kind !== b.kind) {
            this.removed.push({ path: pa, entry: a });
            this.added.push({ path: pb, entry: b });
            return;
        }
        const same = sameContent(a, b);
        if (a.kind === 'dir') {
            if (!same)
                await this.walk(a.subtree, b.subtree, pa, pb);
            const meta = metaDiff(a, b, false);
            if (meta && pb !== '')
                this.out.push({ ...describe('meta', pb, b), meta });
            return;
        }
        const meta = metaDiff(a, b, same);
        if (!same)
            this.out.push({ ...describe('modified', pb, b), oldSize: a.size, ...(meta ? { meta } : {}) });
        else if (meta)
            this.out.push({ ...describe('meta', pb, b), meta });
    }
    /** Merge two sorted trees; recurse only where subtree hashes differ. */
    async walk(ha, hb, pa, pb) {
        const [A, B] = await Promise.all([this.load(ha), this.load(hb)]);
        let i = 0;
        let j = 0;
        while (i < A.length || j < B.length) {
            const c = i >= A.length ? 1 : j >= B.length ? -1 : Buffer.compare(A[i].name, B[j].name);
            if (c < 0) {
                this.removed.push({ path: join(pa, A[i].name), entry: A[i] });
                i++;
            }
            else if (c > 0) {
                this.added.push({ path: join(pb, B[j].name), entry: B[j] });
                j++;
            }
            else {
                await this.compare(A[i], B[j], join(pa, A[i].name), join(pb, B[j].name));
                i++;
                j++;
            }
        }
    }
    /**
     * Pair removed and added entries into renames, in rounds: exact content
     * matches first, shallowest first (a moved directory is matched whole and
     * never opened), then directories that are mostly equal (moved, then
     * edited: one `renamed` entry plus the edits inside). Unmatched directories
     * are then opened one level, staying candidates themselves, so that their
     * children can match, or they can match a child opened on the other side.
     * What never matches is reported at the highest level where nothing inside
     * was paired: a deleted directory is one line, whatever else changed.
     */
    async resolveMoves() {
        const rem = [];
        const add = [];
        let newRem = this.take('removed');
        let newAdd = this.take('added');
        while (newRem.length || newAdd.length) {
            rem.push(...newRem);
            add.push(...newAdd);
            this.pairExact(rem.filter(live), add.filter(live));
            await this.pairSimilarDirs(rem.filter(live), add.filter(live));
            newRem = this.take('removed');
            newAdd = this.take('added');
            const liveRem = rem.filter(live);
            const liveAdd = add.filter(live);
            const openRem = liveRem.filter((c) => expandable(c) && !c.opened);
            const openAdd = liveAdd.filter((c) => expandable(c) && !c.opened);
            // opening only helps when the other side has something to pair with
            if (liveAdd.length + newAdd.length > 0)
                for (const c of openRem)
                    newRem.push(...(await this.open(c)));
            if (liveRem.length + newRem.length > 0)
                for (const c of openAdd)
                    newAdd.push(...(await this.open(c)));
        }
        const whole = (c) => live(c) && (!c.up || c.up.touched);
        for (const c of rem)
            if (whole(c))
                this.out.push(describe('removed', c.path, c.entry));
        for (const c of add)
            if (whole(c))
                this.out.push(describe('added', c.path, c.entry));
    }
    take(side) {
        const r = this[side];
        this[side] = [];
        return r;
    }
    async open(c) {
        c.opened = true;
        return (await this.load(c.entry.subtree)).map((e) => ({ path: join(c.path, e.name), entry: e, up: c, depth: (c.depth ?? 0) + 1 }));
    }
    rename(r, a, modified) {
        r.paired = a.paired = true;
        for (let u = r.up; u && !u.touched; u = u.up)
            u.touched = true;
        for (let u = a.up; u && !u.touched; u = u.up)
            u.touched = true;
        const meta = metaDiff(r.entry, a.entry, false);
        this.out.push({ ...describe('renamed', a.path, a.entry), from: r.path, ...(meta ? { meta } : {}), ...(modified ? { modified } : {}) });
    }
    pairExact(rem, add) {
        const byKey = new Map();
        for (const a of add) {
            const k = moveKey(a.entry);
            if (k === undefined)
                continue;
            const list = byKey.get(k);
            if (list)
                list.push(a);
            else
                byKey.set(k, [a]);
        }
        if (byKey.size === 0)
            return;
        rem.sort((x, y) => (x.depth ?? 0) - (y.depth ?? 0));
        for (const r of rem) {
            if (!live(r))
                continue; // an ancestor was paired earlier in this loop
            const k = moveKey(r.entry);
            const list = k === undefined ? undefined : byKey.get(k);
            if (!list)
                continue;
            const free = list.filter(live);
            if (free.length === 0)
                continue;
            const best = free.find((a) => baseName(a.path) === baseName(r.path)) ?? free.find((a) => parentOf(a.path) === parentOf(r.path)) ?? free[0];
            this.rename(r, best, false);
        }
    }
    /** A directory moved and edited: same name elsewhere, or a new name in the same parent, with mostly equal entries. */
    async pairSimilarDirs(rem, add) {
        const addDirs = add.filter(expandable);
        if (addDirs.length === 0)
            return;
        for (const r of rem.filter(expandable)) {
            if (!live(r))
                continue;
            const probes = addDirs.filter((a) => live(a) && (baseName(a.path) === baseName(r.path) || parentOf(a.path) === parentOf(r.path))).slice(0, MAX_SIMILARITY_PROBES);
            let best;
            let bestSim = DIR_SIMILARITY;
            const rTree = probes.length ? await this.load(r.entry.subtree) : [];
            for (const a of probes) {
                const sim = similarity(rTree, await this.load(a.entry.subtree));
                if (sim > bestSim || (sim === bestSim && best === undefined)) {
                    best = a;
                    bestSim = sim;
                }
            }
            if (!best)
                continue;
            this.rename(r, best, true);
            await this.walk(r.entry.subtree, best.entry.subtree, r.path, best.path);
        }
    }
}
/** Still free to pair: not paired, nothing inside paired, no enclosing directory paired. */
function live(c) {
    if (c.paired || c.touched)
        return false;
    for (let u = c.up; u; u = u.up)
        if (u.paired)
            return false;
    return true;
}
const expandable = (c) => c.entry.kind === 'dir' && (c.entry.files ?? 0) + (c.entry.dirs ?? 0) > 0;
/** Fraction of top-level entries equal in name and content. */
function similarity(A, B) {
    let i = 0;
    let j = 0;
    let same = 0;
    while (i < A.length && j < B.length) {
        const c = Buffer.compare(A[i].name, B[j].name);
        if (c < 0)
            i++;
        else if (c > 0)
            j++;
        else {
            if (A[i].kind === B[j].kind && sameContent(A[i], B[j]))
                same++;
            i++;
            j++;
        }
    }
    return same / Math.max(A.length, B.length, 1);
}
//# sourceMappingURL=diff.js.map