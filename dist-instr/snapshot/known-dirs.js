import { joinPath } from '../fs/paths.js';
import { lstatRaw } from '../fs/dir-entry.js';
import { sortEntries } from '../tree/codec.js';
import { findEntry, loadTree } from '../tree/trees.js';
import { markedPaths, mergeNodes, nodeAt } from './dirty-tree.js';
import { IGNORE_FILE } from './ignore-rules.js';
import { pathTag } from './stat-cache.js';
const SLASH = 0x2f;
export class KnownDirs {
    ctx;
    host;
    /** directories found under a new name and reused */
    moved = 0;
    /** directories proven unchanged without listing them */
    verified = 0;
    candidates;
    constructor(ctx, host) {
        this.ctx = ctx;
        this.host = host;
    }
    /**
     * The tree of the directory `abs` (at `rel`, lstat `st`, marked created by `node`), reused from
     * the dir cache when it is provably a directory already known; undefined: re-read it.
     */
    async reuse(abs, rel, rules, node, oldE, st) {
        if (node.recursive || node.all)
            return undefined;
        const known = this.ctx.dirCache.lookupInode(st);
        if (!known || known.mtimeNs === undefined || known.mtimeNs !== st.mtimeNs)
            return undefined;
        if (known.tag.equals(pathTag(rel))) {
            // re-announced at its own place: the parent snapshot holds the recorded subtree here, own stat unchanged
            if (oldE?.kind !== 'dir' || !oldE.subtree.equals(known.rec.subtree) || known.ctimeNs !== st.ctimeNs)
                return undefined;
            if (!this.movable(rules, abs, abs))
                return undefined;
            return this.verify(abs, rel, rel, rules, node, known.rec, st, false);
        }
        const from = this.movedFrom(known);
        if (!from || from.equals(rel))
            return undefined;
        const fromAbs = joinPath(this.ctx.root, from);
        if (!this.movable(rules, abs, fromAbs))
            return undefined;
        try {
            const o = lstatRaw(fromAbs);
            if (o.dev === st.dev && o.ino === st.ino)
                return undefined; // still there: not moved
        }
        catch {
            // gone from its old place, as a move leaves it
        }
        const prev = await this.parentEntry(from);
        if (prev?.kind !== 'dir' || !prev.subtree.equals(known.rec.subtree))
            return undefined;
        const r = await this.verify(abs, rel, from, rules, mergeNodes(node, nodeAt(this.ctx.dirty, from)), known.rec, st, true);
        if (r)
            this.moved++;
        return r;
    }
    /** Exclusion must not depend on where the tree is: no patterns in force, no always-excluded path inside either place. */
    movable(rules, abs, fromAbs) {
        return rules.pathIndependent(abs.toString()) && rules.pathIndependent(fromAbs.toString());
    }
    /** The marked path whose tag the record carries: where a moved directory came from (a move marks its old name). */
    movedFrom(known) {
        if (!this.candidates) {
            this.candidates = new Map();
            for (const p of markedPaths(this.ctx.dirty)) {
                const b = Buffer.from(p, 'latin1');
                this.candidates.set(pathTag(b).toString('hex'), b);
            }
        }
        return this.candidates.get(known.tag.toString('hex'));
    }
    /** The parent snapshot's entry at `rel`. */
    async parentEntry(rel) {
        let tree = this.ctx.parentRoot;
        let start = 0;
        for (;;) {
            const end = rel.indexOf(SLASH, start);
            const name = rel.subarray(start, end < 0 ? rel.length : end);
            const e = findEntry(await loadTree(this.ctx.repo, tree), name);
            if (!e || end < 0)
                return e;
            if (e.kind !== 'dir')
                return undefined;
            tree = e.subtree;
            start = end + 1;
        }
    }
    /**
     * `rec` (recorded at `oldRel`) as the tree of `abs` (at `rel`), with the marks of `node` applied;
     * undefined when it cannot be used (the caller re-reads the directory).
     */
    async verify(abs, rel, oldRel, rules, node, rec, st, moved) {
        if (node && (node.recursive || node.all))
            return undefined;
        this.verified++;
        const names = new Set(node?.names ?? []);
        const children = new Map(node?.children ?? []); // a copy: the trie stays as it was for any caller
        if (rec.dirs === 0 && names.size === 0 && children.size === 0) {
            if (moved)
                this.host.rerecord(st, rel, rec);
            return rec;
        }
        const entries = await loadTree(this.ctx.repo, rec.subtree);
        const byName = new Map();
        for (const e of entries) {
            const key = e.name.toString('latin1');
            if (key === IGNORE_FILE)
                return undefined; // rules of its own: read it the usual way
            byName.set(key, e);
        }
        let changed = false;
        for (const e of entries) {
            if (e.kind !== 'dir')
                continue;
            const key = e.name.toString('latin1');
            const child = children.get(key);
            names.delete(key);
            children.delete(key);
            let sub;
            const cabs = joinPath(abs, e.name);
            let cst;
            try {
                cst = lstatRaw(cabs);
            }
            catch {
                cst = undefined;
            }
            if (cst?.isDirectory() && !child?.recursive) {
                const k = this.ctx.dirCache.lookupInode(cst);
                const corel = joinPath(oldRel, e.name);
                if (k && k.tag.equals(pathTag(corel)) && k.rec.subtree.equals(e.subtree) && k.mtimeNs === cst.mtimeNs && k.ctimeNs === cst.ctimeNs)
                    sub = await this.verify(cabs, joinPath(rel, e.name), corel, rules, child, k.rec, cst, moved);
            }
            if (!sub) {
                // not provably the same directory: the builder re-stats it and re-reads it whole
                changed = true;
                const ne = await this.host.entry(abs, rel, rules, e.name, null, e);
                if (ne)
                    byName.set(key, ne);
                else
                    byName.delete(key);
                continue;
            }
            if (!sub.subtree.equals(e.subtree)) {
                changed = true;
                byName.set(key, { ...e, subtree: sub.subtree, files: sub.files, dirs: sub.dirs, size: sub.size });
            }
        }
        // marked names (files, new entries) and marked directories the recorded tree does not hold
        for (const key of new Set([...names, ...children.keys()])) {
            const ne = await this.host.entry(abs, rel, rules, Buffer.from(key, 'latin1'), children.get(key) ?? 'clean', byName.get(key));
            changed = true;
            if (ne)
                byName.set(key, ne);
            else
                byName.delete(key);
        }
        if (!changed) {
            if (moved)
                this.host.rerecord(st, rel, rec);
            return rec;
        }
        return this.host.finish(sortEntries([...byName.values()]), rel, st);
    }
}
//# sourceMappingURL=known-dirs.js.map