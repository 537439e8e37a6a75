// A strata repository: the config, packs and snapshot manifests in a
// BlobStore, plus the local LMDB index that makes them fast to find. This is
// the store layer's front door: engines above see it only through the small
// BlobReader / BlobWriter interfaces at the bottom of this file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_CHUNKER, type ChunkerParams } from '../chunker.js';
import { compressBlob, decompressBlob } from '../compress.js';
import { StrataError, errnoCode, isStrataError } from '../errors.js';
import { hashBytes } from '../hash.js';
import type { BlobStore } from './blob-store.js';
import { IndexDb } from './index-db.js';
import { LocalBlobStore } from './local-store.js';
import { BLOB_DATA, packObjectName, readPackEntries, type BlobType } from './pack.js';
import { Packer, type FlushedPack } from './packer.js';

export const FORMAT_VERSION = 1;

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

  private constructor(
    readonly store: BlobStore,
    readonly config: RepoConfig,
    readonly index: IndexDb,
  ) {
    const onFlush = async (p: FlushedPack) => this.index.addPack(p.id, p.size, p.entries);
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
      chunker: { ...DEFAULT_CHUNKER, ...opts.chunker, seed: randomBytes(16).toString('hex') },
      compression: { algorithm: 'zstd', level: opts.compressionLevel ?? 3 },
      packSize: opts.packSize ?? 32 << 20,
    };
    const store = new LocalBlobStore(abs);
    for (const d of ['packs', 'snapshots', 'index']) fs.mkdirSync(path.join(abs, d), { mode: 0o700 });
    await store.put('config', Buffer.from(JSON.stringify(config, null, 2) + '\n'));
    return new Repository(store, config, new IndexDb(path.join(abs, 'index')));
  }

  static async open(dir: string): Promise<Repository> {
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
    fs.mkdirSync(path.join(abs, 'index'), { recursive: true, mode: 0o700 });
    return new Repository(store, config, new IndexDb(path.join(abs, 'index')));
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
    const { data, comp } = compressBlob(raw, this.config.compression.level);
    const packer = type === BLOB_DATA ? this.dataPacker : this.treePacker;
    this.writeStats.blobsAdded++;
    this.writeStats.bytesAdded += data.length;
    this.writeStats.rawBytesAdded += raw.length;
    await packer.add(hash, type, comp, data, raw.length);
    return true;
  }

  /** Read, decompress and verify one blob. */
  async getBlob(hash: Buffer): Promise<Buffer> {
    const hex = hash.toString('hex');
    let stored: Buffer;
    let comp: number;
    let rawLength: number;
    let where: string;
    const pending = this.dataPacker.pendingBytes(hex) ?? this.treePacker.pendingBytes(hex);
    if (pending) {
      ({ comp, rawLength } = pending.entry);
      stored = pending.data;
      where = 'open pack';
    } else {
      const loc = this.index.getBlob(hash);
      if (!loc) throw new StrataError('E_BLOB_MISSING', `blob ${hex} is not in the index`);
      where = `pack ${loc.pack.toString('hex')}`;
      try {
        stored = await this.store.get(packObjectName(loc.pack), loc.offset, loc.length);
      } catch (e) {
        if (isStrataError(e)) throw new StrataError(e.code, `blob ${hex}: ${e.message}`, { cause: e });
        throw e;
      }
      ({ comp, rawLength } = loc);
    }
    let raw: Buffer;
    try {
      raw = decompressBlob(stored, comp, rawLength);
    } catch (e) {
      throw new StrataError('E_CORRUPT', `blob ${hex} in ${where} is corrupted: ${(e as Error).message}`, { cause: e });
    }
    if (!hashBytes(raw).equals(hash)) throw new StrataError('E_CORRUPT', `blob ${hex} in ${where} is corrupted: hash mismatch`);
    return raw;
  }

  /** Make every added blob durable and indexed. */
  async flush(): Promise<void> {
    await this.dataPacker.flush();
    await this.treePacker.flush();
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

function parseConfig(raw: Buffer, where: string): RepoConfig {
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
  if (!ch || !(ch.min > 0 && ch.min <= ch.avg && ch.avg <= ch.max) || typeof ch.seed !== 'string' || !(c.packSize > 0)) {
    throw new StrataError('E_REPO_CONFIG', `${where}: repository config is damaged (chunker or pack size)`);
  }
  return c;
}

/** What readers of trees and file contents need from a repository. */
export interface BlobReader {
  getBlob(hash: Buffer): Promise<Buffer>;
}

/** What the snapshotter needs to write. */
export interface BlobWriter extends BlobReader {
  hasBlob(hash: Buffer): boolean;
  putBlob(type: BlobType, hash: Buffer, raw: Uint8Array): Promise<boolean>;
}
