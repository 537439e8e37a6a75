// Accumulates blobs (compressed by the worker pool in `put`, or ready in `add`)
// into packs streamed through a PackSink. A full pack is finished in the
// background while the next fills, and indexed (`onFlush`) only once durable;
// after `flush` resolves every blob is durable and indexed.
import type { CompressPool } from './compress-pool.js';
import { compressBlob } from '../compress.js';
import { plainCipher, type RepoCipher } from '../crypto/repo-cipher.js';
import type { ObjectStore } from './object-store.js';
import { encodeTrailerFor, packMagicFor, packObjectName, type BlobType, type PackEntry } from './pack.js';
import { StagePool, openSink, type PackSink } from './pack-sink.js';

export interface FlushedPack {
  id: Buffer;
  size: number;
  entries: PackEntry[];
}

interface OpenPack {
  sink: PackSink;
  entries: PackEntry[];
}

export class Packer {
  private cur: OpenPack | null = null;
  private readonly stages = new StagePool();
  /** the pack being finished and indexed (never rejects: errors land in `failure`) */
  private finishing: Promise<void> = Promise.resolve();
  private finishDone = true;
  private failure: Error | undefined;
  /** blobs in the open pack or in the pack being finished, by hex hash */
  private readonly located = new Map<string, { pack: OpenPack; entry: PackEntry }>();
  /** blobs handed to the compression pool, not yet in a pack */
  private readonly compressing = new Set<string>();
  private compressWaiters: (() => void)[] = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly target: number,
    private readonly onFlush: (p: FlushedPack) => Promise<void>,
    /** seals blobs compressed by `put` and the table (encrypted repositories); `add` takes bytes already in stored form */
    private readonly cipher: RepoCipher = plainCipher(),
  ) {}

  get isEmpty(): boolean {
    return !this.cur && this.compressing.size === 0;
  }

  /** Blobs not yet durable, by hex hash. */
  get pending(): { has(hex: string): boolean } {
    return { has: (hex) => this.has(hex) };
  }

  /** Whether blob `hex` was added and is not yet durable. */
  has(hex: string): boolean {
    return this.located.has(hex) || this.compressing.has(hex);
  }

  /** Append a blob already in its stored form (compressed, and sealed in an encrypted repository). A full pack is finished in the background. */
  async add(hash: Buffer, type: BlobType, comp: number, data: Uint8Array, rawLength: number): Promise<void> {
    if (this.failure) throw this.failure;
    this.append(hash, type, comp, data, rawLength);
    await this.afterAppend();
  }

  /**
   * Compress `raw` (in `pool` when given) and append it. Resolves once `raw`
   * has been copied; `onStored` gets the stored size when the blob is packed.
   */
  async put(hash: Buffer, type: BlobType, raw: Uint8Array, level: number, pool: CompressPool | null, onStored: (n: number) => void): Promise<void> {
    if (this.failure) throw this.failure;
    if (!pool || raw.length < 64 || raw.length > pool.maxBlob || level <= 0) {
      if (this.failure) throw this.failure;
      const { data, comp } = compressBlob(raw, level);
      onStored(this.appendSealed(hash, type, comp, data, raw.length));
      return this.afterAppend();
    }
    const hex = hash.toString('hex');
    // `raw` is the caller's once copied: it may be reused, or detached (a transferred ArrayBuffer: length 0)
    const rawLength = raw.length;
    this.compressing.add(hex);
    await pool.submit(raw, (comp, data) => {
      this.compressing.delete(hex);
      onStored(this.appendSealed(hash, type, comp, data, rawLength));
      if (this.compressing.size === 0) this.wakeCompressWaiters();
    });
    await this.afterAppend();
  }

  private append(hash: Buffer, type: BlobType, comp: number, data: Uint8Array, rawLength: number): void {
    const p = this.open();
    this.record(p, { hash, type, comp, offset: p.sink.append(data), length: data.length, rawLength });
  }

  /** Seal `data` (compressed or raw) straight into the open pack, piece by piece (no sealed copy in between); returns the stored length. */
  private appendSealed(hash: Buffer, type: BlobType, comp: number, data: Uint8Array, rawLength: number): number {
    const p = this.open();
    const offset = p.sink.size;
    const length = this.cipher.sealBlobTo(hash, type, comp, data, (b) => void p.sink.append(b));
    this.record(p, { hash, type, comp, offset, length, rawLength });
    return length;
  }

  private open(): OpenPack {
    return (this.cur ??= { sink: openSink(this.store, this.stages, packMagicFor(this.cipher)), entries: [] });
  }

  private record(p: OpenPack, e: PackEntry): void {
    p.entries.push(e);
    this.located.set(e.hash.toString('hex'), { pack: p, entry: e });
  }

  private async afterAppend(): Promise<void> {
    const p = this.cur;
    if (!p) return;
    if (p.sink.size >= this.target) await this.seal(false);
    else await p.sink.backpressure();
  }

  private wakeCompressWaiters(): void {
    const w = this.compressWaiters;
    this.compressWaiters = [];
    for (const f of w) f();
  }

  /** Wait until blob `hex` has left the compression pool (no-op for others). */
  async settled(hex: string, pool: CompressPool | null): Promise<void> {
    while (pool && this.compressing.has(hex)) await pool.drain();
  }

  /** Bytes of blob `hex` while its pack is not yet durable. */
  pendingBytes(hex: string): { entry: PackEntry; data: Buffer } | undefined {
    const l = this.located.get(hex);
    return l && { entry: l.entry, data: l.pack.sink.read(l.entry.offset, l.entry.length) };
  }

  /** Close the open pack (when full, or always with `force`) and finish it in the background; one at a time. */
  private async seal(force: boolean): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      const p = this.cur;
      if (!p || p.entries.length === 0 || (!force && p.sink.size < this.target)) return;
      if (this.finishDone) break;
      await this.finishing; // the state may change meanwhile: check again
    }
    const p = this.cur!;
    this.cur = null;
    const trailer = encodeTrailerFor(p.entries, this.cipher);
    const size = p.sink.size + trailer.length;
    this.finishDone = false;
    this.finishing = (async () => {
      try {
        const id = await p.sink.finish(trailer, packObjectName);
        await this.onFlush({ id, size, entries: p.entries });
        for (const e of p.entries) {
          const hex = e.hash.toString('hex');
          if (this.located.get(hex)?.pack === p) this.located.delete(hex);
        }
      } catch (e) {
        this.failure ??= e as Error; // reported by the next add, put or flush
        await p.sink.abort().catch(() => undefined);
      } finally {
        this.finishDone = true;
      }
    })();
  }

  /**
   * After a failure: drop the open pack (its temporary file goes), wait for a pack being finished,
   * and start clean, so a long-lived writer (the watch daemon) can go on once space is freed.
   * Blobs that were not yet durable are forgotten: the next snapshot stores them again.
   */
  async abort(): Promise<void> {
    const p = this.cur;
    this.cur = null;
    await p?.sink.abort().catch(() => undefined);
    while (!this.finishDone) await this.finishing;
    this.failure = undefined;
    this.located.clear();
    this.compressing.clear();
    this.wakeCompressWaiters();
  }

  /** Make every added blob durable and indexed. */
  async flush(pool: CompressPool | null = null): Promise<void> {
    while (this.compressing.size > 0 && !this.failure) {
      if (pool) await pool.drain();
      else await new Promise<void>((resolve) => this.compressWaiters.push(resolve));
    }
    await this.seal(true);
    while (!this.finishDone) await this.finishing;
    if (this.failure) throw this.failure;
  }
}
