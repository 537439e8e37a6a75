// A strata repository built from parts: an ObjectStore holding the config,
// packs, index segments and snapshot manifests (the only source of truth), and
// a RepoCache (the per-host index, rebuilt from the index segments whenever it
// is missing, damaged, foreign or outdated). This is the store layer's front
// door; engines see it through the ports in store/ports.ts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_CHUNKER, type ChunkerParams } from '../chunker.js';
import { CompressPool } from '../compress-pool.js';
import { COMP_NONE } from '../compress.js';
import { StrataError, errnoCode, isStrataError } from '../errors.js';
import { faultPoint } from '../fault.js';
import { parseRepoAddress } from './address.js';
import { decodeStoredBlob } from './blob-codec.js';
import { cacheRoot, openCacheDir } from './cache-dir.js';
import { chunkSegments, decodeSegment, encodeSegment, isSegmentName, segmentName, type SegmentPack } from './index-segment.js';
import { LocalObjectStore } from './local-store.js';
import type { ObjectStore } from './object-store.js';
import { BLOB_DATA, packObjectName, readPackEntries, type BlobType } from './pack.js';
import { Packer, type FlushedPack } from './packer.js';
import { MarkSet } from './mark-set.js';
import type { BlobWriter, HashSet, HeldLock, RepoCache } from './ports.js';

export type { BlobReader, BlobWriter, HeldLock } from './ports.js';

/** The format version new repositories get (index segments in the repository, cache outside). */
export const FORMAT_VERSION = 2;
/** Versions this strata reads and extends (1: written by the first release, index inside the repository). */
export const READABLE_VERSIONS: readonly number[] = [1, 2];

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

export interface CacheOptions {
  /** the cache root (--cache-dir); default cacheRoot() */
  cacheDir?: string;
  /** one line for the user (cache built, set aside, rebuilt) */
  notice?: (msg: string) => void;
  /** do not ingest index segments at open (repair, which rebuilds them) */
  skipSync?: boolean;
}

export interface RepoParts {
  store: ObjectStore;
  config: RepoConfig;
  cache: RepoCache;
  notice?: (msg: string) => void;
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

  /** packs written by this process that no index segment lists yet */
  private unsegmented: SegmentPack[] = [];
  private readonly notice: (msg: string) => void;
  readonly store: ObjectStore;
  readonly config: RepoConfig;
  /** the per-host cache (blob index, snapshot list, stat/dir caches, daemon state) */
  readonly index: RepoCache;

  constructor(parts: RepoParts) {
    this.store = parts.store;
    this.config = parts.config;
    this.index = parts.cache;
    this.notice = parts.notice ?? (() => {});
    const onFlush = async (p: FlushedPack) => {
      this.index.addPack(p.id, p.size, p.entries);
      this.unsegmented.push({ id: p.id, size: p.size, entries: p.entries });
      faultPoint('write'); // crash tests only (STRATA_FAULT_POINT)
      await this.lock?.refreshIfDue();
    };
    this.dataPacker = new Packer(this.store, this.config.packSize, onFlush);
    this.treePacker = new Packer(this.store, Math.min(this.config.packSize, 8 << 20), onFlush);
  }

  /** A repository from parts (tests: a MemoryObjectStore and a MemoryCache); the cache is brought up to date. */
  static async fromParts(parts: RepoParts): Promise<Repository> {
    const repo = new Repository(parts);
    await repo.syncIndex();
    return repo;
  }

  /** A new config with the given options. */
  static newConfig(opts: InitOptions = {}): RepoConfig {
    return {
      format: 'strata',
      version: FORMAT_VERSION,
      id: randomUUID(),
      created: new Date().toISOString(),
      chunker: chunkerFor(opts.chunker),
      compression: { algorithm: 'zstd', level: opts.compressionLevel ?? 3 },
      packSize: opts.packSize ?? 32 << 20,
    };
  }

  static async init(address: string, opts: InitOptions & CacheOptions = {}): Promise<Repository> {
    const abs = localPath(address);
    if (fs.existsSync(abs)) {
      if (!fs.statSync(abs).isDirectory()) throw new StrataError('E_REPO_EXISTS', `${abs} exists and is not a directory`);
      if (fs.readdirSync(abs).length > 0) {
        const what = fs.existsSync(path.join(abs, 'config')) ? 'a repository already exists' : 'directory is not empty';
        throw new StrataError('E_REPO_EXISTS', `cannot init ${abs}: ${what}`);
      }
    }
    const config = Repository.newConfig(opts);
    const { cache } = openCacheDir(cacheRoot(opts.cacheDir), config.id, opts.notice);
    fs.mkdirSync(abs, { recursive: true, mode: 0o700 });
    const store = new LocalObjectStore(abs);
    for (const d of ['packs', 'snapshots', 'index']) fs.mkdirSync(path.join(abs, d), { mode: 0o700 });
    await store.put('config', Buffer.from(JSON.stringify(config, null, 2) + '\n'));
    return new Repository({ store, config, cache, notice: opts.notice });
  }

  /** Open a repository; nothing is written to it (a read-only repository opens), only to the cache. */
  static async open(address: string, opts: CacheOptions = {}): Promise<Repository> {
    const abs = localPath(address);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch (e) {
      throw new StrataError('E_NO_REPO', `repository ${abs} does not exist (${errnoCode(e)}); create it with 'strata init'`);
    }
    if (!st.isDirectory()) throw new StrataError('E_NO_REPO', `${abs} is not a strata repository (not a directory)`);
    const store = new LocalObjectStore(abs);
    const config = await readConfig(store, abs);
    const { cache, dir, fresh } = openCacheDir(cacheRoot(opts.cacheDir), config.id, opts.notice);
    if (fresh) opts.notice?.(`no cache for repository ${abs} at ${dir} (first use here, or it was removed): building it from the repository`);
    const repo = new Repository({ store, config, cache, notice: opts.notice });
    try {
      if (!opts.skipSync) await repo.syncIndex();
    } catch (e) {
      await repo.index.close();
      throw e;
    }
    return repo;
  }

  /**
   * Bring the cache's blob index up to date with the repository: ingest index
   * segments not seen yet. When a segment this cache ingested is gone, a prune
   * (or repair) has consolidated them and may have deleted packs: the index,
   * the directory records and the epoch are reset and everything is ingested
   * again. Format 1 repositories may also hold packs no segment lists (written
   * by the first release): their trailers are read.
   */
  async syncIndex(): Promise<{ segments: number; packsRead: number; reset: boolean }> {
    const out = { segments: 0, packsRead: 0, reset: false };
    for (let attempt = 0; ; attempt++) {
      const listed: string[] = [];
      for await (const name of this.store.list('index/')) if (isSegmentName(name)) listed.push(name.slice('index/'.length));
      const present = new Set(listed);
      let known = this.index.segmentIds();
      if ([...known].some((id) => !present.has(id))) {
        if (this.unsegmented.length > 0) throw new StrataError('E_LOCKED', `the repository was pruned while this process was writing to it; nothing was committed, run it again`);
        this.index.resetIndex();
        this.notice(`the repository was pruned or repaired since this cache was updated: rebuilding its index`);
        out.reset = true;
        known = new Set();
      }
      let vanished = false;
      for (const id of listed) {
        if (known.has(id)) continue;
        let bytes: Buffer;
        try {
          bytes = await this.store.get(segmentName(id));
        } catch (e) {
          // removed by a prune after we listed: it wrote its consolidated segments first, so list again
          if (isStrataError(e, 'E_OBJECT_MISSING') && attempt < 5) {
            vanished = true;
            break;
          }
          throw e;
        }
        this.index.addPacks(decodeSegment(bytes, segmentName(id)));
        this.index.markSegments([id]);
        out.segments++;
      }
      if (!vanished) break;
    }
    if (this.config.version === 1) out.packsRead = await this.indexMissingPacks();
    return out;
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
      let loc = this.index.getBlob(hash);
      if (!loc && this.unsegmented.length === 0) {
        // another writer may have committed since this process synced: look for new index segments once
        await this.syncIndex();
        loc = this.index.getBlob(hash);
      }
      if (!loc) throw new StrataError('E_BLOB_MISSING', `blob ${hex} is not in the index`);
      where = `pack ${loc.pack.toString('hex')}`;
      // compressed bytes land in a reused scratch buffer (free while no other read uses it), raw ones where they belong
      scratch = loc.comp === COMP_NONE ? undefined : this.takeScratch(loc.length);
      try {
        stored = await this.store.get(packObjectName(loc.pack), loc.offset, loc.length, loc.comp === COMP_NONE ? into : scratch);
      } catch (e) {
        this.releaseScratch(scratch);
        if (isStrataError(e, 'E_OBJECT_MISSING')) {
          throw new StrataError('E_PACK_MISSING', `blob ${hex}: pack ${loc.pack.toString('hex')} is missing from the repository (removed by a prune that ran meanwhile? run the command again)`, { cause: e });
        }
        if (isStrataError(e)) throw new StrataError(e.code, `blob ${hex}: ${e.message}`, { cause: e });
        throw e;
      }
      ({ comp, rawLength } = loc);
    }
    try {
      return decodeStoredBlob(stored, { hash, comp, rawLength }, where, into);
    } finally {
      this.releaseScratch(scratch);
    }
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
    await this.writeSegment();
  }

  /** Store an index segment listing the packs written since the last one (after the packs, before any manifest). */
  private async writeSegment(): Promise<void> {
    if (this.unsegmented.length === 0) return;
    await this.lock?.verify(); // a writer whose lock was broken (a prune ran) must not publish packs
    for (const part of chunkSegments(this.unsegmented)) {
      const { id, bytes } = encodeSegment(part);
      await this.store.put(segmentName(id), bytes);
      faultPoint('write');
      this.index.markSegments([id]);
    }
    this.unsegmented = [];
  }

  /** Where this repository's cache keeps scratch sets (null: in memory). */
  get scratchDir(): string | null {
    return this.index.scratchDir;
  }

  /** A new, empty mark set in the cache's scratch space (never in the repository). */
  newMarkSet(): HashSet {
    return MarkSet.create(this.scratchDir ?? path.join(os.tmpdir(), 'strata-scratch'));
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
      if (!/^[0-9a-f]{64}$/.test(hex) || this.index.hasPack(hex)) continue;
      try {
        const size = (await this.store.size(name)) ?? 0;
        const entries = await readPackEntries(name, size, (o, l) => this.store.get(name, o, l));
        this.index.addPacks([{ id: Buffer.from(hex, 'hex'), size, entries }]);
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

/** The local folder of a repository address (other kinds are not in this build). */
export function localPath(address: string): string {
  const a = parseRepoAddress(address);
  if (a.kind !== 'local') throw new StrataError('E_USAGE', `repository address ${address}: S3 repositories are not supported by this build yet; nothing was created`);
  return path.resolve(a.path);
}

export async function readConfig(store: ObjectStore, where: string): Promise<RepoConfig> {
  try {
    return parseConfig(await store.get('config'), where);
  } catch (e) {
    if (isStrataError(e, 'E_OBJECT_MISSING')) throw new StrataError('E_NO_REPO', `${where} is not a strata repository (no config file)`);
    throw e;
  }
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
  if (!READABLE_VERSIONS.includes(c.version)) {
    throw new StrataError('E_REPO_VERSION', `${where}: repository format version ${c.version} is not supported (this strata reads versions ${READABLE_VERSIONS.join(' and ')})`);
  }
  const ch = c.chunker;
  const levelOk = ch?.normalization === undefined || [0, 1, 2, 3].includes(ch.normalization);
  if (!ch || !(ch.min > 0 && ch.min <= ch.avg && ch.avg <= ch.max) || !levelOk || typeof ch.seed !== 'string' || !(c.packSize > 0)) {
    throw new StrataError('E_REPO_CONFIG', `${where}: repository config is damaged (chunker or pack size)`);
  }
  return c;
}
