// The LMDB index: blob hash → pack location, the snapshot list, per-source
// stat caches and small state records. It is a cache of what the repository
// files say: every record here can be rebuilt from pack trailers and snapshot
// files (`strata repair index`), so it only ever commits after the packs and
// manifests it points to are durable.
import { open, type Database, type RootDatabase } from 'lmdb';
import { privatizeIndexFiles } from './index-file.js';
import type { BlobType, PackEntry } from './pack.js';

export interface BlobLocation {
  pack: Buffer;
  type: BlobType;
  comp: number;
  offset: number;
  length: number;
  rawLength: number;
}

const PRUNE_EPOCH_KEY = 'prune-epoch';

const LOC_LEN = 32 + 1 + 1 + 4 + 4 + 4;

function encodeLoc(pack: Buffer, e: PackEntry): Buffer {
  const b = Buffer.allocUnsafe(LOC_LEN);
  pack.copy(b, 0);
  b[32] = e.type;
  b[33] = e.comp;
  b.writeUInt32LE(e.offset, 34);
  b.writeUInt32LE(e.length, 38);
  b.writeUInt32LE(e.rawLength, 42);
  return b;
}

export function decodeLoc(b: Buffer): BlobLocation {
  return {
    pack: Buffer.from(b.subarray(0, 32)),
    type: b[32] as BlobType,
    comp: b[33]!,
    offset: b.readUInt32LE(34),
    length: b.readUInt32LE(38),
    rawLength: b.readUInt32LE(42),
  };
}

export class IndexDb {
  readonly env: RootDatabase;
  readonly blobs: Database<Buffer, Buffer>;
  readonly packs: Database<Buffer, string>;
  readonly snapshots: Database<string, string>;
  /** per-source stat cache; keys are built by snapshot/stat-cache.ts */
  readonly statCache: Database<Buffer, Buffer>;
  /** per-source directory records (inode → path, subtree), see snapshot/stat-cache.ts */
  readonly dirCache: Database<Buffer, Buffer>;
  /** small JSON state records (dirty sets, daemon state) */
  readonly state: Database<unknown, string>;

  constructor(readonly dir: string) {
    this.env = open({ path: dir, maxDbs: 16, compression: false, mapSize: 2 ** 34 });
    privatizeIndexFiles(dir);
    this.blobs = this.env.openDB({ name: 'blobs', keyEncoding: 'binary', encoding: 'binary' });
    this.packs = this.env.openDB({ name: 'packs', encoding: 'binary' });
    this.snapshots = this.env.openDB({ name: 'snapshots', encoding: 'string' });
    this.statCache = this.env.openDB({ name: 'statcache', keyEncoding: 'binary', encoding: 'binary' });
    this.dirCache = this.env.openDB({ name: 'dircache', keyEncoding: 'binary', encoding: 'binary' });
    this.state = this.env.openDB({ name: 'state', encoding: 'msgpack' });
  }

  /**
   * How many prunes have removed blobs from this index. Caches that vouch for whole subtrees
   * without checking each blob (the snapshotter's directory digests) are only trusted when written
   * in the current epoch.
   */
  pruneEpoch(): number {
    const v = this.state.get(PRUNE_EPOCH_KEY);
    return typeof v === 'number' ? v : 0;
  }

  /** Called by prune before it removes any blob from the index. */
  bumpPruneEpoch(): void {
    this.env.transactionSync(() => {
      this.state.putSync(PRUNE_EPOCH_KEY, (this.pruneEpoch() + 1) % 2 ** 32);
    });
  }

  hasBlob(hash: Buffer): boolean {
    return this.blobs.doesExist(hash);
  }

  getBlob(hash: Buffer): BlobLocation | undefined {
    const v = this.blobs.get(hash);
    return v ? decodeLoc(v) : undefined;
  }

  /** Record a durable pack and its blobs in one transaction; `relocate` points existing blobs at it (prune's repack). */
  addPack(id: Buffer, size: number, entries: readonly PackEntry[], relocate = false): void {
    const hex = id.toString('hex');
    this.env.transactionSync(() => {
      for (const e of entries) if (relocate || !this.blobs.doesExist(e.hash)) this.blobs.putSync(e.hash, encodeLoc(id, e));
      const meta = Buffer.alloc(8);
      meta.writeUInt32LE(size, 0);
      meta.writeUInt32LE(entries.length, 4);
      this.packs.putSync(hex, meta);
    });
  }

  hasPack(hex: string): boolean {
    return this.packs.doesExist(hex);
  }

  /** Size and blob count recorded for a pack. */
  packMeta(hex: string): { size: number; count: number } | undefined {
    const m = this.packs.get(hex) as unknown as Buffer | undefined;
    return m ? { size: m.readUInt32LE(0), count: m.readUInt32LE(4) } : undefined;
  }

  *packIds(): Iterable<string> {
    for (const k of this.packs.getKeys()) yield k as string;
  }

  blobCount(): number {
    return this.blobs.getCount();
  }

  async close(): Promise<void> {
    await this.env.flushed;
    await this.env.close();
  }
}
