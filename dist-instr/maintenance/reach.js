// Walks everything a snapshot references (trees, chunk lists, data chunks) for
// prune's mark phase and for check. Subtrees shared by many snapshots are
// walked once (a MarkSet of visited containers); damaged ones are remembered
// so every snapshot that contains them can be named with its path.
import { displayName } from '../fs/paths.js';
import { rootEntry } from '../snapshot/manifest.js';
import { BLOB_CHUNKLIST, BLOB_DATA, BLOB_TREE } from '../store/pack.js';
import { decodeChunkList, decodeTree } from '../tree/codec.js';
/**
 * Let the event loop turn. The blake3 binding frees each hasher in a finalizer that runs
 * only on a later turn; loops that hash while awaiting only settled promises never turn
 * it, and hold ~2 KiB per hash (2 GiB after a million, measured). Long loops call this.
 */
export const breathe = () => new Promise((r) => setImmediate(r));
export class Reacher {
    repo;
    o;
    /** damaged containers (hex) → the first path where they were found */
    bad = new Map();
    snap;
    loads = 0;
    constructor(repo, o) {
        this.repo = repo;
        this.o = o;
    }
    /** Walk one snapshot; true when something it references is damaged or missing. */
    async walk(s) {
        this.snap = s;
        return this.tree(rootEntry(s).subtree, '');
    }
    problem(kind, p, message, blob) {
        const where = p === '' ? '/' : p;
        this.o.onProblem({ kind, snapshot: this.snap.id, path: where, blob: blob?.toString('hex'), message: `snapshot ${this.snap.id.slice(0, 8)} (${this.snap.source}): ${where}: ${message}` });
    }
    /** Already walked: report it again for this snapshot if it was damaged. */
    seen(hash, p) {
        const first = this.bad.get(hash.toString('hex'));
        if (first === undefined)
            return false;
        this.problem('damaged-subtree', p, `contains damaged or missing data (details at ${first || '/'} above)`);
        return true;
    }
    async tree(hash, p) {
        if (!this.o.visited.add(hash))
            return this.seen(hash, p);
        let isBad = false;
        const refProblem = this.o.onRef(hash, BLOB_TREE, p);
        if (++this.loads % 1000 === 0)
            await breathe();
        let entries;
        try {
            entries = decodeTree(await this.repo.getBlob(hash));
        }
        catch (e) {
            this.problem('missing-tree', p, `directory tree ${hash.toString('hex').slice(0, 16)} cannot be read: ${refProblem ?? e.message}`, hash);
            this.bad.set(hash.toString('hex'), p);
            return true;
        }
        for (const e of entries) {
            const child = p ? `${p}/${displayName(e.name)}` : displayName(e.name);
            if (e.kind === 'dir')
                isBad = (await this.tree(e.subtree, child)) || isBad;
            else if (e.kind === 'file')
                isBad = (await this.file(e.content, child)) || isBad;
        }
        if (isBad)
            this.bad.set(hash.toString('hex'), p);
        return isBad;
    }
    async file(c, p) {
        let chunks;
        if (c.chunkList) {
            if (!this.o.visited.add(c.chunkList))
                return this.seen(c.chunkList, p);
            const listProblem = this.o.onRef(c.chunkList, BLOB_CHUNKLIST, p);
            if (++this.loads % 1000 === 0)
                await breathe();
            try {
                chunks = decodeChunkList(await this.repo.getBlob(c.chunkList));
            }
            catch (e) {
                this.problem('missing-blob', p, `chunk list ${c.chunkList.toString('hex').slice(0, 16)} cannot be read: ${listProblem ?? e.message}`, c.chunkList);
                this.bad.set(c.chunkList.toString('hex'), p);
                return true;
            }
        }
        else
            chunks = c.chunks;
        let isBad = false;
        for (const h of chunks) {
            const msg = this.o.onRef(h, BLOB_DATA, p);
            if (msg) {
                this.problem('missing-blob', p, `file data ${h.toString('hex').slice(0, 16)}: ${msg}`, h);
                isBad = true;
            }
        }
        if (isBad && c.chunkList)
            this.bad.set(c.chunkList.toString('hex'), p);
        return isBad;
    }
}
//# sourceMappingURL=reach.js.map