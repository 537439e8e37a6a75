// `strata diff SNAP DIR`: the live directory as a tree, computed like a dry-run
// snapshot (unchanged files known from the stat cache are not re-read) with
// its tree objects kept in memory, and a reader that serves them before the
// repository's, so the ordinary tree diff can compare the two.
import { rootEntry } from '../snapshot/manifest.js';
import { takeSnapshot } from '../snapshot/snapshotter.js';
import { encodeTree } from '../tree/codec.js';
export class MemoryTrees {
    repo;
    trees = new Map();
    constructor(repo) {
        this.repo = repo;
    }
    get ids() {
        return this.repo.ids;
    }
    async saveTree(entries) {
        const raw = encodeTree(entries);
        const hash = this.repo.ids.blobId(raw); // the repository's ids, so unchanged subtrees compare equal
        this.trees.set(hash.toString('hex'), raw);
        return { hash, added: false };
    }
    async getBlob(hash, into) {
        return this.trees.get(hash.toString('hex')) ?? this.repo.getBlob(hash, into);
    }
}
/** The root entry of DIR as it is now, and a reader for its trees. */
export async function liveTree(repo, dir, host, exclude) {
    const mem = new MemoryTrees(repo);
    const r = await takeSnapshot(repo, { source: dir, host, dryRun: true, treeSink: mem, exclude });
    return { root: rootEntry(r.snapshot), reader: mem };
}
//# sourceMappingURL=live-tree.js.map