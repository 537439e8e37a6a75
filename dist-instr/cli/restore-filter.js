// `restore --include/--exclude`: a view of a snapshot tree with only the
// chosen entries. It wraps the repository's BlobReader: each filtered
// directory gets a made-up id (random, never a real hash) whose "tree blob" is
// the real tree with entries dropped, so the restorer walks the view without
// knowing. Patterns are find's globs (a pattern without '/' matches a name at
// any depth; with '/', a path from the restored directory). Directories left
// empty by --include are dropped.
import { randomBytes } from 'node:crypto';
import { displayName } from '../fs/paths.js';
import { encodeTree } from '../tree/codec.js';
import { compileGlob } from '../tree/find.js';
import { loadTree } from '../tree/trees.js';
export class FilteredReader {
    repo;
    views = new Map(); // made-up id (hex) → encoded filtered tree
    include;
    exclude;
    constructor(repo, rules) {
        this.repo = repo;
        this.include = rules.include.map((p) => compileGlob(p));
        this.exclude = rules.exclude.map((p) => compileGlob(p));
    }
    get ids() {
        return this.repo.ids;
    }
    /** file contents are the repository's: its ranged reads */
    get packs() {
        return this.repo.packs;
    }
    async getBlob(hash, into) {
        return this.views.get(hash.toString('hex')) ?? this.repo.getBlob(hash, into);
    }
    /** The view of a directory entry at `prefix` (relative path); null when nothing in it is chosen. */
    async view(dir, prefix, included = false) {
        const kept = [];
        for (const e of await loadTree(this.repo, dir.subtree)) {
            const p = prefix ? `${prefix}/${displayName(e.name)}` : displayName(e.name);
            const isDir = e.kind === 'dir';
            if (this.exclude.some((g) => g.match(p, isDir)))
                continue;
            const inc = included || this.include.length === 0 || this.include.some((g) => g.match(p, isDir));
            if (isDir) {
                const v = await this.view(e, p, inc);
                if (v)
                    kept.push(v);
            }
            else if (inc)
                kept.push(e);
        }
        if (kept.length === 0 && !included && this.include.length > 0)
            return null;
        const id = randomBytes(32);
        this.views.set(id.toString('hex'), encodeTree(kept));
        return { ...dir, subtree: id };
    }
}
//# sourceMappingURL=restore-filter.js.map