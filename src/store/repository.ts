// A strata repository: the config, packs and snapshot manifests in a
// BlobStore, plus the local LMDB index that makes them fast to find. This is
// the store layer's front door: engines above see it only through the small
// BlobReader / BlobWriter interfaces at the bottom of this file.
import * as fs from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_CHUNKER, type ChunkerParams } from '../chunker.js';
import { CompressPool } from '../compress-pool.js';
import { COMP_NONE, decompressBlob } from '../compress.js';
import { StrataError, errnoCode, isStrataError } from '../errors.js';
import { faultPoint } from '../fault.js';
import { hashBytes } from '../hash.js';
import type { BlobStore } from './blob-store.js';
import { IndexDb } from './index-db.js';
import { assertIndexFile } from './index-file.js';
import { LocalBlobStore } from './local-store.js';
import { BLOB_DATA, packObjectName, readPackEntries, type BlobType } from './pack.js';
import { Packer, type FlushedPack } from './packer.js';
import { dropLostBlobs, dropMissingPacks } from './lost-blobs.js';
import { classifyWriteError } from './space.js';

export const FORMAT_VERSION = 1;
const POOL_AFTER = 4 << 20;
/** compression worker threads (STRATA_COMPRESS_WORKERS; 0: compress on the calling thread) */
const POOL_WORKERS = Number(process.env.STRATA_COMPRESS_WORKERS ?? availableParallelism());

export interface RepoConfig {
  format: 'strata';
  version: number;
  id: string;
  created: string;
  chunker: ChunkerParams;
  compression: { algorithm: 'zstd'; level: number };
  packSize: number;
  /** BLAKE3 of the canonical JSON of the other fields (docs/format.md §2); absent in configs older than issue 11 */
  check?: string;
}

const CONFIG_FIELDS = new Set(['format', 'version', 'id', 'created', 'chunker', 'compression', 'packSize', 'check']);

/** JSON with keys sorted at every level and no whitespace. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The integrity check of a config: BLAKE3 of the canonical JSON of every field but `check`. */
export function configCheck(c: RepoConfig): string {
  const { check: _check, ...rest } = c;
  return hashBytes(Buffer.from(canonicalJson(rest), 'utf8')).toString('hex');
}

export interface InitOptions {
  chunker?: Partial<Omit<ChunkerParams, 'seed'>>;
  compressionLevel?: number;
  packSize?: number;
}

export interface WriteStats {
  blobsAdded: number;
  bytesAdded: number; // stored (compressed) bytes
  rawBytesAdded: number;
}

export class Repository implements BlobWriter {
  private readonly dataPacker: Packer;
  private readonly treePacker: Packer;
  readonly writeStats: WriteStats = { blobsAdded: 0, bytesAdded: 0, rawBytesAdded: 0 };
  /** The repository lock this process holds (store/lock.ts): refreshed as packs are written, verified before a snapshot commits. */
  lock: HeldLock | null = null;
  /** zstd on worker threads, started once a process has written enough to make it pay */
  private pool: CompressPool | null = null;
  private rawSinceFlush = 0;

  private constructor(
    readonly store: BlobStore,
    readonly config: RepoConfig,
    readonly index: IndexDb,
  ) {
    const onFlush = async (p: FlushedPack) => {
      this.index.addPack(p.id, p.size, p.entries);
      faultPoint('write'); // crash tests only (STRATA_FAULT_POINT)
      await this.lock?.refreshIfDue();
    };
    this.dataPacker = new Packer(store, config.packSize, onFlush);
    this.treePacker = new Packer(store, Math.min(config.packSize, 8 << 20), onFlush);
  }

  static async init(dir: string, opts: InitOptions = {}): Promise<Repository> {
    const abs = path.resolve(dir);
    if (fs.existsSync(abs)) {
      if (!fs.statSync(abs).isDirectory()) throw new StrataError('E_REPO_EXISTS', `${abs} exists and is not a directory`);
      if (fs.readdirSync(abs).length > 0) {
        const what = fs.existsSync(path.join(abs, 'config')) ? 'a repository already exists' : 'directory is not empty';
        throw new StrataError('E_REPO_EXISTS', `cannot init ${abs}: ${what}`);
      }
    }
    fs.mkdirSync(abs, { recursive: true, mode: 0o700 });
    const config: RepoConfig = {
      format: 'strata',
      version: FORMAT_VERSION,
      id: randomUUID(),
      created: new Date().toISOString(),
      chunker: chunkerFor(opts.chunker),
      compression: { algorithm: 'zstd', level: opts.compressionLevel ?? 3 },
      packSize: opts.packSize ?? 32 << 20,
    };
    const store = new LocalBlobStore(abs);
    for (const d of ['packs', 'snapshots', 'index']) fs.mkdirSync(path.join(abs, d), { mode: 0o700 });
    config.check = configCheck(config);
    await store.put('config', Buffer.from(JSON.stringify(config, null, 2) + '\n'));
    return new Repository(store, config, new IndexDb(path.join(abs, 'index')));
  }

  /** `checkIndex: false` skips the index sanity checks (for `repair index`, which rebuilds it, in `indexDir`). */
  static async open(dir: string, opts: { checkIndex?: boolean; indexDir?: string } = {}): Promise<Repository> {
    const abs = path.resolve(dir);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch (e) {
      throw new StrataError('E_NO_REPO', `repository ${abs} does not exist (${errnoCode(e)}); create it with 'strata init'`);
    }
    if (!st.isDirectory()) throw new StrataError('E_NO_REPO', `${abs} is not a strata repository (not a directory)`);
    const store = new LocalBlobStore(abs);
    let raw: Buffer;
    try {
      raw = await store.get('config');
    } catch (e) {
      if (isStrataError(e, 'E_BLOB_MISSING')) throw new StrataError('E_NO_REPO', `${abs} is not a strata repository (no config file)`);
      throw e;
    }
    const config = parseConfig(raw, abs);
    const indexDir = opts.indexDir ?? path.join(abs, 'index');
    fs.mkdirSync(indexDir, { recursive: true, mode: 0o700 });
    if (opts.checkIndex === false) return new Repository(store, config, new IndexDb(indexDir));
    assertIndexFile(indexDir); // lmdb-js crashes on a damaged file instead of throwing
    const repo = new Repository(store, config, new IndexDb(indexDir));
    if (repo.index.packs.getKeysCount({ limit: 1 }) === 0 && (await hasAny(store, 'snapshots/'))) {
      await repo.close();
      throw new StrataError('E_INDEX', `the index of ${abs} is empty but the repository has snapshots (index files deleted?); run 'strata repair index' to rebuild it`);
    }
    return repo;
  }

  get location(): string {
    return this.store.location;
  }

  hasBlob(hash: Buffer): boolean {
    const hex = hash.toString('hex');
    return this.index.hasBlob(hash) || this.dataPacker.pending.has(hex) || this.treePacker.pending.has(hex);
  }

  /** Store a blob unless present; returns true when it was added. */
  async putBlob(type: BlobType, hash: Buffer, raw: Uint8Array): Promise<boolean> {
    if (this.hasBlob(hash)) return false;
    const packer = type === BLOB_DATA ? this.dataPacker : this.treePacker;
    this.writeStats.blobsAdded++;
    this.writeStats.rawBytesAdded += raw.length;
    this.rawSinceFlush += raw.length;
    const level = this.config.compression.level;
    try {
      await packer.put(hash, type, raw, level, this.compressPool(level), (n) => (this.writeStats.bytesAdded += n));
    } catch (e) {
      await this.resetWriters();
      throw repositoryWriteError(e, this.store.location, raw.length);
    }
    return true;
  }

  /** After a failed write: no pack half-written, no workers left, packers ready for the next attempt. */
  private async resetWriters(): Promise<void> {
    await this.pool?.close().catch(() => undefined);
    this.pool = null;
    this.rawSinceFlush = 0;
    await this.dataPacker.abort();
    await this.treePacker.abort();
  }

  /**
   * Read, decompress and verify one blob. `into`: a buffer to return the
   * bytes in (a view of it) when large enough; callers streaming many blobs
   * reuse one and skip fresh memory, which is slow to touch on these VMs.
   */
  async getBlob(hash: Buffer, into?: Buffer): Promise<Buffer> {
    const hex = hash.toString('hex');
    let stored: Buffer;
    let comp: number;
    let rawLength: number;
    let where: string;
    let scratch: Buffer | undefined;
    if (this.pool && (this.dataPacker.has(hex) || this.treePacker.has(hex))) {
      await this.dataPacker.settled(hex, this.pool);
      await this.treePacker.settled(hex, this.pool);
    }
    const pending = this.dataPacker.pendingBytes(hex) ?? this.treePacker.pendingBytes(hex);
    if (pending) {
      ({ comp, rawLength } = pending.entry);
      stored = pending.data;
      where = 'open pack';
    } else {
      const loc = this.index.getBlob(hash);
      if (!loc) throw new StrataError('E_BLOB_MISSING', `blob ${hex} is not in the index`);
      where = `pack ${loc.pack.toString('hex')}`;
      // compressed bytes land in a reused scratch buffer (free while no other read uses it), raw ones where they belong
      scratch = loc.comp === COMP_NONE ? undefined : this.takeScratch(loc.length);
      try {
        stored = await this.store.get(packObjectName(loc.pack), loc.offset, loc.length, loc.comp === COMP_NONE ? into : scratch);
      } catch (e) {
        this.releaseScratch(scratch);
        if (isStrataError(e, 'E_BLOB_MISSING')) {
          // the pack file is gone: its blobs leave the index, so the next snapshot stores them again
          const dropped = await dropMissingPacks(this.index, this.store, [loc.pack.toString('hex')]);
          if (dropped.blobs) throw new StrataError(e.code, `blob ${hex}: ${e.message}; its ${dropped.blobs} blobs were dropped from the index, so the next snapshot stores what its source still has again`, { cause: e });
        }
        if (isStrataError(e)) throw new StrataError(e.code, `blob ${hex}: ${e.message}`, { cause: e });
        throw e;
      }
      ({ comp, rawLength } = loc);
    }
    let raw: Buffer;
    try {
      try {
        raw = decompressBlob(stored, comp, rawLength, into);
      } finally {
        this.releaseScratch(scratch);
      }
    } catch (e) {
      throw this.lostBlob(hash, pending ? undefined : where, `blob ${hex} in ${where} is corrupted: ${(e as Error).message}`, e);
    }
    if (!hashBytes(raw).equals(hash)) throw this.lostBlob(hash, pending ? undefined : where, `blob ${hex} in ${where} is corrupted: hash mismatch`);
    return raw;
  }

  /** A blob read from a pack failed verification: drop it from the index (lost-blobs.ts) and say so. */
  private lostBlob(hash: Buffer, where: string | undefined, message: string, cause?: unknown): StrataError {
    let dropped = 0;
    try {
      if (where) dropped = dropLostBlobs(this.index, [hash]);
    } catch {}
    return new StrataError('E_CORRUPT', dropped ? `${message}; dropped from the index, so the next snapshot stores it again from its source` : message, { cause });
  }

  /** where compressed blobs are read (reused; null while a read holds it) */
  private scratch: Buffer | null = Buffer.allocUnsafe(0);

  private takeScratch(n: number): Buffer | undefined {
    const s = this.scratch;
    if (!s) return undefined; // a concurrent read holds it: that one allocates
    this.scratch = null;
    return s.length >= n ? s : Buffer.allocUnsafe(Math.max(n, 1 << 20));
  }

  private releaseScratch(b: Buffer | undefined): void {
    if (b) this.scratch = b;
  }

  /** Make every added blob durable and indexed. */
  async flush(): Promise<void> {
    try {
      await this.dataPacker.flush(this.pool);
      await this.treePacker.flush(this.pool);
    } catch (e) {
      await this.resetWriters();
      throw repositoryWriteError(e, this.store.location);
    }
    // a long-lived process (the watch daemon) keeps no idle workers between snapshots
    await this.pool?.close();
    this.pool = null;
    this.rawSinceFlush = 0;
  }

  /** The compression pool, once POOL_AFTER raw bytes were added since the last flush (small writes stay on this thread). */
  private compressPool(level: number): CompressPool | null {
    if (this.pool || level <= 0 || this.rawSinceFlush < POOL_AFTER || POOL_WORKERS === 0) return this.pool;
    this.pool = new CompressPool(level, { workers: POOL_WORKERS });
    return this.pool;
  }

  /** Rebuild index records for packs the index does not know (another writer, a crash before indexing). */
  async indexMissingPacks(onPack?: (name: string, err?: Error) => void): Promise<number> {
    let added = 0;
    for await (const name of this.store.list('packs/')) {
      const hex = path.basename(name);
      if (this.index.hasPack(hex)) continue;
      try {
        const size = (await this.store.size(name)) ?? 0;
        const entries = await readPackEntries(name, size, (o, l) => this.store.get(name, o, l));
        this.index.addPack(Buffer.from(hex, 'hex'), size, entries);
        added++;
        onPack?.(name);
      } catch (e) {
        onPack?.(name, e as Error);
      }
    }
    return added;
  }

  /**
   * Flush, then release everything (compression workers, index, files) even
   * when the flush fails: a failed write (a full disk) must not leave worker
   * threads holding the process open.
   */
  async close(): Promise<void> {
    let failure: unknown;
    try {
      await this.flush();
    } catch (e) {
      failure = e;
      await this.resetWriters();
    }
    try {
      await this.index.close();
    } catch (e) {
      failure ??= repositoryWriteError(e, this.store.location);
    }
    await this.store.close();
    if (failure) throw failure;
  }
}

async function hasAny(store: BlobStore, prefix: string): Promise<boolean> {
  for await (const _ of store.list(prefix)) return true;
  return false;
}

/** Chunker parameters for a new repository: min/max follow avg when only avg is given. */
function chunkerFor(o: InitOptions['chunker'] = {}): ChunkerParams {
  const avg = o.avg ?? DEFAULT_CHUNKER.avg;
  const min = o.min ?? (o.avg ? Math.floor(avg / 2) : DEFAULT_CHUNKER.min);
  const max = o.max ?? (o.avg ? avg * 8 : DEFAULT_CHUNKER.max);
  const normalization = o.normalization ?? DEFAULT_CHUNKER.normalization;
  if (!(min > 0 && min <= avg && avg <= max && max <= 64 << 20)) throw new StrataError('E_USAGE', `bad chunk sizes: need 0 < min <= avg <= max <= 64 MiB (got ${min}/${avg}/${max})`);
  return { min, avg, max, normalization, seed: randomBytes(16).toString('hex') };
}

export function parseConfig(raw: Buffer, where: string): RepoConfig {
  let c: RepoConfig;
  try {
    c = JSON.parse(raw.toString('utf8')) as RepoConfig;
  } catch (e) {
    throw new StrataError('E_REPO_CONFIG', `${where}: repository config is damaged (${(e as Error).message})`);
  }
  if (c?.format !== 'strata') throw new StrataError('E_REPO_CONFIG', `${where}: config is not a strata repository config`);
  if (c.version !== FORMAT_VERSION) {
    throw new StrataError('E_REPO_VERSION', `${where}: repository format version ${c.version} is not supported (this strata reads version ${FORMAT_VERSION})`);
  }
  const ch = c.chunker;
  const levelOk = ch?.normalization === undefined || [0, 1, 2, 3].includes(ch.normalization);
  if (!ch || !(ch.min > 0 && ch.min <= ch.avg && ch.avg <= ch.max) || !levelOk || typeof ch.seed !== 'string' || !(c.packSize > 0)) {
    throw new StrataError('E_REPO_CONFIG', `${where}: repository config is damaged (chunker or pack size)`);
  }
  // integrity (docs/format.md §2): unknown fields, a seed that is not 32 hex digits, a check that does not match
  const stray = Object.keys(c).filter((k) => !CONFIG_FIELDS.has(k));
  if (stray.length) throw new StrataError('E_REPO_CONFIG', `${where}: repository config is damaged (unknown field ${JSON.stringify(stray[0])})`);
  if (!/^[0-9a-f]{32}$/.test(ch.seed)) throw new StrataError('E_REPO_CONFIG', `${where}: repository config is damaged (chunker seed ${JSON.stringify(ch.seed)} is not 32 hex digits)`);
  if (c.check !== undefined && c.check !== configCheck(c)) {
    throw new StrataError('E_REPO_CONFIG', `${where}: repository config is damaged: its integrity check does not match its contents (a changed chunker seed would silently re-store everything). Restore the config file from a copy of this repository`);
  }
  return c;
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
  /** `into`: return the bytes in (a view of) this buffer when it is large enough; valid until the caller reuses it. */
  getBlob(hash: Buffer, into?: Buffer): Promise<Buffer>;
}

/** What the snapshotter needs to write. */
export interface BlobWriter extends BlobReader {
  hasBlob(hash: Buffer): boolean;
  putBlob(type: BlobType, hash: Buffer, raw: Uint8Array): Promise<boolean>;
}

/** Errors raised while writing to the repository, marked so callers never blame a source file for them. */
const repoSide = new WeakSet<object>();

export function isRepositoryWriteError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && repoSide.has(e);
}

function repositoryWriteError(e: unknown, dir: string, needed?: number): unknown {
  const c = classifyWriteError(e, dir, 'to the repository', needed);
  if (typeof c === 'object' && c !== null) repoSide.add(c);
  return c;
}
