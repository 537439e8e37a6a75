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
}

export interface InitOptions {
  /** `seed` only to share another repository's cut points (`init --copy-chunker-params`) */
  chunker?: Partial<ChunkerParams>;
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
    await store.put('config', Buffer.from(JSON.stringify(config, null, 2) + '\n'));
    return new Repository(store, config, new IndexDb(path.join(abs, 'index')));
  }

  /** `checkIndex: false` skips the index sanity checks (for `repair index`, which rebuilds it). */
  static async open(dir: string, opts: { checkIndex?: boolean } = {}): Promise<Repository> {
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
    const indexDir = path.join(abs, 'index');
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
    await packer.put(hash, type, raw, level, this.compressPool(level), (n) => (this.writeStats.bytesAdded += n));
    return true;
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
      throw new StrataError('E_CORRUPT', `blob ${hex} in ${where} is corrupted: ${(e as Error).message}`, { cause: e });
    }
    if (!hashBytes(raw).equals(hash)) throw new StrataError('E_CORRUPT', `blob ${hex} in ${where} is corrupted: hash mismatch`);
    return raw;
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
    await this.dataPacker.flush(this.pool);
    await this.treePacker.flush(this.pool);
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

  async close(): Promise<void> {
    await this.flush();
    await this.index.close();
    await this.store.close();
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
  return { min, avg, max, normalization, seed: o.seed ?? randomBytes(16).toString('hex') };
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
