// Re-identifies a snapshot's blobs for a repository whose blob ids differ
// (docs/format.md §11.10): plain BLAKE3 ↔ keyed BLAKE3, or two encrypted
// repositories, each keyed by its own master key. Bottom-up and memoised by
// old id: every data blob is read (verified) from the source and stored
// under its new id; chunk lists and trees are rewritten with the new ids of
// what they reference (content hashes, plain BLAKE3, stay as they are) and
// stored under theirs. A blob the destination already holds (by new id) is
// not stored again, so copies still deduplicate.
import { StrataError } from '../errors.js';
import { BLOB_CHUNKLIST, BLOB_DATA, BLOB_TREE } from '../store/pack.js';
import { decodeChunkList, decodeTree, encodeChunkList, encodeTree } from './codec.js';
export class IdTranslator {
    src;
    dst;
    /** old id (latin1 of the 32 bytes) → new id */
    memo = new Map();
    stats = { blobs: 0, bytes: 0 };
    sinceYield = 0;
    constructor(src, dst) {
        this.src = src;
        this.dst = dst;
    }
    /** The new id of the tree `old` and everything below it, all stored in the destination. */
    async tree(old) {
        const key = old.toString('latin1');
        const hit = this.memo.get(key);
        if (hit)
            return hit;
        const entries = [];
        for (const e of decodeTree(await this.src.getBlob(old)))
            entries.push(await this.entry(e));
        const id = await this.store(BLOB_TREE, encodeTree(entries)); // after its children: a tree vouches for them
        this.memo.set(key, id);
        return id;
    }
    async entry(e) {
        let out = e;
        if (e.kind === 'dir')
            out = { ...out, subtree: await this.tree(e.subtree) };
        else if (e.content)
            out = { ...out, content: await this.content(e.content) };
        if (e.xattrs?.some((x) => x.blob)) {
            const xattrs = [];
            for (const x of e.xattrs)
                xattrs.push(x.blob ? { ...x, blob: await this.data(x.blob) } : x);
            out = { ...out, xattrs };
        }
        return out;
    }
    async content(c) {
        if (!c.chunkList) {
            const chunks = [];
            for (const h of c.chunks)
                chunks.push(await this.data(h));
            return { hash: c.hash, chunks };
        }
        const key = c.chunkList.toString('latin1');
        let list = this.memo.get(key);
        if (!list) {
            const chunks = [];
            for (const h of decodeChunkList(await this.src.getBlob(c.chunkList)))
                chunks.push(await this.data(h));
            list = await this.store(BLOB_CHUNKLIST, encodeChunkList(chunks));
            this.memo.set(key, list);
        }
        return { hash: c.hash, chunkList: list };
    }
    /** The new id of data blob `old`, stored in the destination. */
    async data(old) {
        const key = old.toString('latin1');
        const hit = this.memo.get(key);
        if (hit)
            return hit;
        const raw = Buffer.from(await this.src.getBlob(old)); // verified against its old id
        const id = await this.store(BLOB_DATA, raw);
        this.memo.set(key, id);
        return id;
    }
    async store(type, raw) {
        const id = this.dst.ids.blobId(raw);
        if (await this.dst.putBlob(type, id, raw)) {
            this.stats.blobs++;
            this.stats.bytes += raw.length;
        }
        // let the event loop turn: reads may complete synchronously (hashers are freed by finalizers)
        if (++this.sinceYield >= 2048) {
            this.sinceYield = 0;
            await new Promise((r) => setImmediate(r));
        }
        return id;
    }
}
/** Translate a snapshot root given as hex; E_CORRUPT/E_BLOB_MISSING from the source pass through. */
export async function translateRoot(t, rootHex) {
    if (!/^[0-9a-f]{64}$/.test(rootHex))
        throw new StrataError('E_CORRUPT', `snapshot root ${rootHex} is not a blob id`);
    return (await t.tree(Buffer.from(rootHex, 'hex'))).toString('hex');
}
//# sourceMappingURL=translate.js.map