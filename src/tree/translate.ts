// Re-identifies a snapshot's blobs for a repository whose blob ids differ
// (docs/format.md §11.10): plain BLAKE3 ↔ keyed BLAKE3, or two encrypted
// repositories, each keyed by its own master key. Bottom-up and memoised by
// old id: every data blob is read (verified) from the source and stored
// under its new id; chunk lists and trees are rewritten with the new ids of
// what they reference (content hashes, plain BLAKE3, stay as they are) and
// stored under theirs. A blob the destination already holds (by new id) is
// not stored again, so copies still deduplicate.
import { StrataError } from '../errors.js';
import { BLOB_CHUNKLIST, BLOB_DATA, BLOB_TREE, type BlobType } from '../store/pack.js';
import type { BlobReader, BlobWriter } from '../store/repository.js';
import { decodeChunkList, decodeTree, encodeChunkList, encodeTree, type FileContent, type TreeEntry } from './codec.js';

export interface TranslateStats {
  /** blobs stored in the destination (not there before) */
  blobs: number;
  /** their raw bytes */
  bytes: number;
}

export class IdTranslator {
  /** old id (latin1 of the 32 bytes) → new id */
  private readonly memo = new Map<string, Buffer>();
  readonly stats: TranslateStats = { blobs: 0, bytes: 0 };
  private sinceYield = 0;

  constructor(
    private readonly src: BlobReader,
    private readonly dst: BlobWriter,
  ) {}

  /** The new id of the tree `old` and everything below it, all stored in the destination. */
  async tree(old: Buffer): Promise<Buffer> {
    const key = old.toString('latin1');
    const hit = this.memo.get(key);
    if (hit) return hit;
    const entries: TreeEntry[] = [];
    for (const e of decodeTree(await this.src.getBlob(old))) entries.push(await this.entry(e));
    const id = await this.store(BLOB_TREE, encodeTree(entries)); // after its children: a tree vouches for them
    this.memo.set(key, id);
    return id;
  }

  private async entry(e: TreeEntry): Promise<TreeEntry> {
    let out = e;
    if (e.kind === 'dir') out = { ...out, subtree: await this.tree(e.subtree!) };
    else if (e.content) out = { ...out, content: await this.content(e.content) };
    if (e.xattrs?.some((x) => x.blob)) {
      const xattrs = [];
      for (const x of e.xattrs) xattrs.push(x.blob ? { ...x, blob: await this.data(x.blob) } : x);
      out = { ...out, xattrs };
    }
    return out;
  }

  private async content(c: FileContent): Promise<FileContent> {
    if (!c.chunkList) {
      const chunks: Buffer[] = [];
      for (const h of c.chunks!) chunks.push(await this.data(h));
      return { hash: c.hash, chunks };
    }
    const key = c.chunkList.toString('latin1');
    let list = this.memo.get(key);
    if (!list) {
      const chunks: Buffer[] = [];
      for (const h of decodeChunkList(await this.src.getBlob(c.chunkList))) chunks.push(await this.data(h));
      list = await this.store(BLOB_CHUNKLIST, encodeChunkList(chunks));
      this.memo.set(key, list);
    }
    return { hash: c.hash, chunkList: list };
  }

  /** The new id of data blob `old`, stored in the destination. */
  private async data(old: Buffer): Promise<Buffer> {
    const key = old.toString('latin1');
    const hit = this.memo.get(key);
    if (hit) return hit;
    const raw = Buffer.from(await this.src.getBlob(old)); // verified against its old id
    const id = await this.store(BLOB_DATA, raw);
    this.memo.set(key, id);
    return id;
  }

  private async store(type: BlobType, raw: Buffer): Promise<Buffer> {
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
export async function translateRoot(t: IdTranslator, rootHex: string): Promise<string> {
  if (!/^[0-9a-f]{64}$/.test(rootHex)) throw new StrataError('E_CORRUPT', `snapshot root ${rootHex} is not a blob id`);
  return (await t.tree(Buffer.from(rootHex, 'hex'))).toString('hex');
}
