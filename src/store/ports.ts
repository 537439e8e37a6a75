// The ports: the only store-layer interfaces the engines (snapshot/, watch/,
// tree/, restore/, maintenance/) program against. Concrete stores (a local
// folder, S3, memory) and caches (LMDB, memory) implement them; no engine
// imports lmdb, a concrete store or the repository's local path
// (test/layers.test.ts enforces it).
import type { BlobType, PackEntry } from './pack.js';

/**
 * How a repository names its blobs (docs/format.md §11.5.1): plain BLAKE3 of
 * the raw bytes (format 1, "encryption": "none"), keyed BLAKE3 in an
 * encrypted repository. File content hashes are plain BLAKE3 in both: compare
 * ids with ids and content hashes with content hashes.
 */
export interface BlobIds {
  /** the id of a blob with these raw bytes */
  blobId(raw: Uint8Array): Buffer;
  /** ids are plain BLAKE3: a one-chunk file's chunk id is its content hash */
  readonly plain: boolean;
}

/** What a lock holder offers the repository (implemented in store/lock.ts). */
export interface HeldLock {
  /** Refresh the lock object if it is getting old (called as packs are written). */
  refreshIfDue(): Promise<void>;
  /** Throw E_LOCKED unless the lock is still ours (called before a snapshot commits). */
  verify(): Promise<void>;
}

/** What readers of trees and file contents need from a repository. */
export interface BlobReader {
  /** how this repository names blobs */
  readonly ids: BlobIds;
  /** `into`: return the bytes in (a view of) this buffer when it is large enough; valid until the caller reuses it. */
  getBlob(hash: Buffer, into?: Buffer): Promise<Buffer>;
  /** Optional: ranged pack reads, for readers of many blobs (restore, cat); absent: one getBlob per blob. */
  readonly packs?: PackReader;
}

/**
 * Many blobs by few requests: where each blob is, a byte range of a pack in
 * one read, and the one decode path (verified bytes only). restore/ plans the
 * ranges (restore/fetch-plan.ts).
 */
export interface PackReader {
  /** Where a blob is stored; undefined when the index does not have it (or it is still in an open pack): use getBlob. */
  locateBlob(hash: Buffer): BlobLocation | undefined;
  /** `length` bytes of pack `pack` from `offset`, in one request. E_PACK_MISSING when the pack is gone. */
  readPackRange(pack: Buffer, offset: number, length: number, into?: Buffer): Promise<Buffer>;
  /** The verified raw bytes of a blob whose stored bytes are `stored` (E_CORRUPT names it, and it leaves the index). */
  decodeBlob(hash: Buffer, loc: BlobLocation, stored: Buffer, into?: Buffer): Buffer;
  /** Range reads worth keeping in flight at once (S3: several; a local disk: few). */
  readonly rangeReadsInFlight: number;
  /**
   * Optional: decode the blobs of one range on worker threads (a large restore). `range`: the stored
   * bytes read from `rangeOffset` of their pack; it and every `out` (≥ the blob's raw length) must be
   * shared memory (restore/write-buffers.ts sharedBuffer). Per blob: undefined (its raw bytes are in
   * `out`) or its error (E_CORRUPT: it left the index). Rejects when the workers failed: use decodeBlob.
   */
  decodeRange?(range: Buffer, rangeOffset: number, blobs: readonly { hash: Buffer; loc: BlobLocation; out: Buffer }[]): Promise<(Error | undefined)[]>;
  /** Optional: start the decode workers now, so they are ready when the first range arrives. */
  prepareDecode?(): void;
}

/** What the snapshotter needs to write. */
export interface BlobWriter extends BlobReader {
  hasBlob(hash: Buffer): boolean;
  putBlob(type: BlobType, hash: Buffer, raw: Uint8Array): Promise<boolean>;
}

/** A set of 32-byte hashes that may outgrow memory (prune's and check's mark sets), in the cache's scratch space. */
export interface HashSet {
  readonly size: number;
  has(h: Buffer): boolean;
  /** Add; true when it was not there before. */
  add(h: Buffer): boolean;
  flush(): void;
  /** Release and delete it. */
  close(): Promise<void>;
}

/** Where a blob is stored. */
export interface BlobLocation {
  pack: Buffer;
  type: BlobType;
  comp: number;
  offset: number;
  length: number;
  rawLength: number;
}

export interface RangeOptions<K> {
  start?: K;
  end?: K;
  limit?: number;
}

/**
 * A sorted key-value table of the cache (stat cache, dir cache, state
 * records, snapshot copies). Writes are asynchronous and batched; reads see
 * them at once. Keys: Buffers compare bytewise, strings by code unit.
 */
export interface KvTable<K, V> {
  get(key: K): V | undefined;
  put(key: K, value: V): Promise<unknown>;
  remove(key: K): Promise<unknown>;
  getRange(opts?: RangeOptions<K>): Iterable<{ key: K; value: V }>;
}

/**
 * The per-host cache of one repository: the blob index (rebuilt from the
 * repository's index segments), the snapshot list, and the caches that make
 * snapshots fast. Everything in it can be lost at any moment.
 */
export interface RepoCache {
  /** A human-readable location, for messages. */
  readonly location: string;
  /** Scratch folder for large temporary sets (check and prune mark sets); null: keep them in memory. */
  readonly scratchDir: string | null;
  readonly snapshots: KvTable<string, string>;
  /** per-source stat cache; keys are built by snapshot/stat-cache.ts */
  readonly statCache: KvTable<Buffer, Buffer>;
  /** per-source directory records (inode → path, subtree), see snapshot/stat-cache.ts */
  readonly dirCache: KvTable<Buffer, Buffer>;
  /** small structured state records (dirty sets, daemon state) */
  readonly state: KvTable<string, unknown>;

  hasBlob(hash: Buffer): boolean;
  getBlob(hash: Buffer): BlobLocation | undefined;
  /** Record a durable pack and its blobs at once; `relocate` points existing blobs at it (prune's repack). */
  addPack(id: Buffer, size: number, entries: readonly PackEntry[], relocate?: boolean): void;
  /** Record several durable packs (an index segment) at once. */
  addPacks(packs: readonly { id: Buffer; size: number; entries: readonly PackEntry[] }[]): void;
  hasPack(hex: string): boolean;
  packMeta(hex: string): { size: number; count: number } | undefined;
  packIds(): Iterable<string>;
  blobCount(): number;
  /** Blob index rows in key order from `start` (inclusive), at most `limit`; value = encoded location (decodeLoc). */
  blobRows(start: Buffer | undefined, limit: number): Iterable<{ key: Buffer; value: Buffer }>;
  removeBlobs(hashes: readonly Buffer[]): void;
  removePacks(hexes: readonly string[]): void;

  /** Index segments already ingested. */
  segmentIds(): Set<string>;
  markSegments(ids: readonly string[]): void;
  /**
   * Forget the blob index, the ingested segments and the dir cache (a prune happened elsewhere);
   * bumps the prune epoch. `statCache` too after a repair: a stat hit checks a file's chunk-list
   * blob but not each chunk, which a prune keeps together but data loss may not.
   */
  resetIndex(opts?: { statCache?: boolean }): void;
  /** How many times the index was reset or pruned: dir records of an older epoch do not vouch for subtrees. */
  pruneEpoch(): number;
  bumpPruneEpoch(): void;

  /** Optional: read every record in a child process (a damaged LMDB page crashes its reader). */
  probe?(): { ok: boolean; error?: string };
  /** Resolves once every asynchronous write so far is durable. */
  flushed(): Promise<void>;
  close(): Promise<void>;
}
