// The versions of one path across snapshots (`strata log PATH`). It never
// reads file contents: it compares tree entries, and for each snapshot it
// walks down the path's ancestors only while their tree hashes differ from the
// previous snapshot's, so unchanged snapshots cost nothing beyond the manifest,
// and each changed ancestor costs one name lookup in its encoded tree.
import { displayName } from '../fs/paths.js';
import { lookupName } from '../tree/lookup.js';
import { splitPath } from '../tree/trees.js';
import { rootEntry } from './manifest.js';
/** What counts as "the same version": kind plus content (file hash, subtree, link target, device). */
function versionKey(e) {
    switch (e.kind) {
        case 'file':
            return `file:${e.content.hash.toString('hex')}`;
        case 'dir':
            return `dir:${e.subtree.toString('hex')}`;
        case 'symlink':
            return `symlink:${e.target.toString('hex')}`;
        default:
            return `${e.kind}:${e.rdev ?? 0}`;
    }
}
/** A short hash for display: content hash, subtree hash or symlink target. */
export function versionHash(e) {
    if (e.content)
        return e.content.hash.toString('hex');
    if (e.subtree)
        return e.subtree.toString('hex');
    if (e.target)
        return displayName(e.target);
    return undefined;
}
/**
 * History of `path` (relative to each snapshot's root) over `snapshots`.
 * Snapshots are grouped by (host, source) and each is compared only with the
 * previous snapshot of its own group; the versions are merged by time.
 */
export async function pathHistory(repo, snapshots, path) {
    const groups = new Map();
    for (const s of snapshots) {
        const k = `${s.host}\0${s.source}`;
        const g = groups.get(k);
        if (g)
            g.push(s);
        else
            groups.set(k, [s]);
    }
    const parts = splitPath(path);
    const counter = { trees: 0 };
    const versions = [];
    for (const g of groups.values())
        versions.push(...(await lineageHistory(repo, g, parts, counter)));
    versions.sort((a, b) => (a.snapshot.time < b.snapshot.time ? -1 : a.snapshot.time > b.snapshot.time ? 1 : 0));
    return { path: parts.map((p) => displayName(p)).join('/'), versions, snapshots: snapshots.length, treesLoaded: counter.trees, lineages: groups.size };
}
async function lineageHistory(repo, snaps, parts, counter) {
    const out = [];
    // prevChain[d] = hex hash of the tree searched at depth d in the previous snapshot
    let prevChain = [];
    let prev;
    let everPresent = false;
    for (const s of snaps) {
        let cur;
        let same = false;
        if (parts.length === 0) {
            cur = rootEntry(s);
            same = prevChain[0] === s.root;
            prevChain = [s.root];
        }
        else {
            const chain = [];
            let h = s.root;
            for (let d = 0;; d++) {
                if (prevChain[d] === h) {
                    // the tree holding this part of the path is unchanged: so is everything below it
                    same = true;
                    prevChain = chain.concat(prevChain.slice(d));
                    break;
                }
                chain[d] = h;
                counter.trees++;
                const last = d === parts.length - 1;
                const r = await lookupName(repo, Buffer.from(h, 'hex'), parts[d], last);
                if (last || !r.found || r.kind !== 'dir') {
                    cur = last && r.found ? r.entry : undefined;
                    prevChain = chain;
                    break;
                }
                h = r.subtree.toString('hex');
            }
        }
        if (same)
            continue;
        const status = change(prev, cur, everPresent);
        if (status)
            out.push(cur ? { snapshot: s, status, entry: cur } : { snapshot: s, status });
        if (cur)
            everPresent = true;
        prev = cur;
    }
    return out;
}
function change(prev, cur, everPresent) {
    if (!prev && !cur)
        return undefined;
    if (!prev)
        return everPresent ? 're-added' : 'added';
    if (!cur)
        return 'removed';
    if (prev.kind !== cur.kind)
        return 'type-changed';
    return versionKey(prev) === versionKey(cur) ? undefined : 'modified';
}
//# sourceMappingURL=history.js.map