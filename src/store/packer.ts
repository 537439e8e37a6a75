// Accumulates compressed blobs into one pack in a reused buffer and writes it
// through the BlobStore when it reaches the target size. The caller indexes
// the entries only after `flush` resolves, i.e. after the pack is durable.
import { newHasher } from '../hash.js';
import type { BlobStore } from './blob-store.js';
import { PACK_MAGIC, encodeTrailer, packObjectName, type BlobType, type PackEntry } from './pack.js';

export interface FlushedPack {
  id: Buffer;
  size: number;
  entries: PackEntry[];
}

export class Packer {
  private buf: Buffer;
  private used = 0;
  private entries: PackEntry[] = [];
  /** blobs written to the open pack, not yet durable, by hex hash */
  readonly pending = new Map<string, PackEntry>();

  constructor(
    private readonly store: BlobStore,
    private readonly target: number,
    private readonly onFlush: (p: FlushedPack) => Promise<void>,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(target, 1 << 20) + PACK_MAGIC.length);
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  private reserve(n: number): void {
    if (this.used + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + n));
    this.buf.copy(next, 0, 0, this.used);
    this.buf = next;
  }

  /** Append a (possibly compressed) blob. Flushes when the pack is full. */
  async add(hash: Buffer, type: BlobType, comp: number, data: Uint8Array, rawLength: number): Promise<void> {
    if (this.used === 0) {
      PACK_MAGIC.copy(this.buf, 0);
      this.used = PACK_MAGIC.length;
    }
    this.reserve(data.length);
    this.buf.set(data, this.used);
    const e: PackEntry = { hash, type, comp, offset: this.used, length: data.length, rawLength };
    this.used += data.length;
    this.entries.push(e);
    this.pending.set(hash.toString('hex'), e);
    if (this.used >= this.target) await this.flush();
  }

  /** Bytes of blob `hex` while it is still in the open pack. */
  pendingBytes(hex: string): { entry: PackEntry; data: Buffer } | undefined {
    const e = this.pending.get(hex);
    return e && { entry: e, data: Buffer.from(this.buf.subarray(e.offset, e.offset + e.length)) };
  }

  async flush(): Promise<void> {
    if (this.entries.length === 0) return;
    const body = this.buf.subarray(0, this.used);
    const trailer = encodeTrailer(this.entries);
    const h = newHasher();
    h.update(body);
    h.update(trailer);
    const id = h.digest();
    await this.store.put(packObjectName(id), [body, trailer]);
    const flushed: FlushedPack = { id, size: this.used + trailer.length, entries: this.entries };
    this.entries = [];
    this.used = 0;
    await this.onFlush(flushed);
    this.pending.clear();
  }
}
