// RepoCache in memory, for tests of the engines without disk (and a model of
// what the LMDB cache promises: sorted tables, locations, segments, epochs).
import { decodeLoc, encodeLoc } from './blob-location.js';
import type { PackEntry } from './pack.js';
import type { BlobLocation, KvTable, RangeOptions, RepoCache } from './ports.js';

type Key = Buffer | string;

function cmp(a: Key, b: Key): number {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return Buffer.compare(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A sorted table over a Map (keys as hex or text). */
export class MemoryTable<K extends Key, V> implements KvTable<K, V> {
  private readonly rows = new Map<string, { key: K; value: V }>();

  private id(k: K): string {
    return Buffer.isBuffer(k) ? `b${k.toString('hex')}` : `s${k}`;
  }

  get(key: K): V | undefined {
    return this.rows.get(this.id(key))?.value;
  }

  async put(key: K, value: V): Promise<void> {
    this.rows.set(this.id(key), { key: (Buffer.isBuffer(key) ? Buffer.from(key) : key) as K, value });
  }

  async remove(key: K): Promise<void> {
    this.rows.delete(this.id(key));
  }

  *getRange(opts: RangeOptions<K> = {}): Iterable<{ key: K; value: V }> {
    const sorted = [...this.rows.values()].sort((a, b) => cmp(a.key, b.key));
    let n = 0;
    for (const r of sorted) {
      if (opts.start !== undefined && cmp(r.key, opts.start) < 0) continue;
      if (opts.end !== undefined && cmp(r.key, opts.end) >= 0) break;
      if (opts.limit !== undefined && n++ >= opts.limit) break;
      yield r;
    }
  }

  get size(): number {
    return this.rows.size;
  }

  clear(): void {
    this.rows.clear();
  }
}

export class MemoryCache implements RepoCache {
  readonly location = 'memory:';
  readonly scratchDir = null;
  readonly blobs = new MemoryTable<Buffer, Buffer>();
  readonly packs = new Map<string, { size: number; count: number }>();
  readonly segments = new Set<string>();
  readonly snapshots = new MemoryTable<string, string>();
  readonly statCache = new MemoryTable<Buffer, Buffer>();
  readonly dirCache = new MemoryTable<Buffer, Buffer>();
  readonly state = new MemoryTable<string, unknown>();
  private epoch = 0;

  hasBlob(hash: Buffer): boolean {
    return this.blobs.get(hash) !== undefined;
  }

  getBlob(hash: Buffer): BlobLocation | undefined {
    const v = this.blobs.get(hash);
    return v ? decodeLoc(v) : undefined;
  }

  addPack(id: Buffer, size: number, entries: readonly PackEntry[], relocate = false): void {
    for (const e of entries) if (relocate || !this.hasBlob(e.hash)) void this.blobs.put(e.hash, encodeLoc(id, e));
    this.packs.set(id.toString('hex'), { size, count: entries.length });
  }

  addPacks(packs: readonly { id: Buffer; size: number; entries: readonly PackEntry[] }[]): void {
    for (const p of packs) this.addPack(p.id, p.size, p.entries);
  }

  hasPack(hex: string): boolean {
    return this.packs.has(hex);
  }

  packMeta(hex: string): { size: number; count: number } | undefined {
    return this.packs.get(hex);
  }

  packIds(): Iterable<string> {
    return [...this.packs.keys()];
  }

  blobCount(): number {
    return this.blobs.size;
  }

  blobRows(start: Buffer | undefined, limit: number): Iterable<{ key: Buffer; value: Buffer }> {
    return this.blobs.getRange({ start, limit });
  }

  removeBlobs(hashes: readonly Buffer[]): void {
    for (const h of hashes) void this.blobs.remove(h);
  }

  removePacks(hexes: readonly string[]): void {
    for (const h of hexes) this.packs.delete(h);
  }

  segmentIds(): Set<string> {
    return new Set(this.segments);
  }

  markSegments(ids: readonly string[]): void {
    for (const id of ids) this.segments.add(id);
  }

  resetIndex(opts: { statCache?: boolean } = {}): void {
    if (opts.statCache) this.statCache.clear();
    this.blobs.clear();
    this.packs.clear();
    this.segments.clear();
    this.dirCache.clear();
    this.bumpPruneEpoch();
  }

  pruneEpoch(): number {
    return this.epoch;
  }

  bumpPruneEpoch(): void {
    this.epoch = (this.epoch + 1) % 2 ** 32;
  }

  async flushed(): Promise<void> {}
  async close(): Promise<void> {}
}
