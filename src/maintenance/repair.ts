// `strata repair index`: rebuild the LMDB index from what the repository
// files say (pack trailers, snapshot files). The old index is moved aside
// first, never opened in-process unless a child-process probe could read it
// whole; from it we salvage intact copies of damaged or missing snapshot
// files and the daemon state. With readData, corrupted blobs are left out of the
// index so the next snapshot stores them again.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decompressBlob } from '../compress.js';
import { StrataError, isStrataError } from '../errors.js';
import { hashBytes } from '../hash.js';
import { IndexDb } from '../store/index-db.js';
import { LocalBlobStore } from '../store/local-store.js';
import { acquireLock } from '../store/lock.js';
import { packObjectName, readPackEntries, type PackEntry } from '../store/pack.js';
import { Packer } from '../store/packer.js';
import { Repository, parseConfig } from '../store/repository.js';
import { faultPoint } from '../fault.js';
import { probeIndex } from './index-probe.js';
import { breathe } from './reach.js';

export interface RepairOptions {
  readData?: boolean;
  lockWaitMs?: number;
  onProgress?: (msg: string) => void;
}

export interface RepairReport {
  packsIndexed: number;
  packsDamaged: { pack: string; error: string }[];
  blobsIndexed: number;
  blobsDropped: { blob: string; pack: string }[]; // corrupted, left out (readData)
  packsRewritten: string[]; // damaged packs replaced by a pack of their intact blobs (readData)
  snapshots: number;
  snapshotsRestored: string[]; // files rewritten from the old index's intact copy
  snapshotsLost: string[]; // damaged files with no intact copy anywhere
  oldIndex: string; // what happened to the previous index
}

export async function repairIndex(dir: string, opts: RepairOptions = {}): Promise<RepairReport> {
  const abs = path.resolve(dir);
  const say = opts.onProgress ?? (() => {});
  const store = new LocalBlobStore(abs);
  let raw: Buffer;
  try {
    raw = await store.get('config');
  } catch (e) {
    if (isStrataError(e, 'E_BLOB_MISSING')) throw new StrataError('E_NO_REPO', `${abs} is not a strata repository (no config file)`);
    throw e;
  }
  parseConfig(raw, abs);
  const lock = await acquireLock(store, { exclusive: true, command: 'repair index', waitMs: opts.lockWaitMs });
  const report: RepairReport = { packsIndexed: 0, packsDamaged: [], blobsIndexed: 0, blobsDropped: [], packsRewritten: [], snapshots: 0, snapshotsRestored: [], snapshotsLost: [], oldIndex: 'none' };
  try {
    // 1. move the old index aside (a crashed earlier repair's aside copy is the older, better one: keep it)
    const indexDir = path.join(abs, 'index');
    const oldDir = path.join(abs, 'index-old'); // no dot: lmdb-js takes a path with an extension for a file
    if (fs.existsSync(indexDir)) {
      if (!fs.existsSync(oldDir)) fs.renameSync(indexDir, oldDir);
      else fs.rmSync(indexDir, { recursive: true, force: true });
    }
    faultPoint('repair');
    if (fs.existsSync(oldDir) && !fs.existsSync(path.join(oldDir, 'data.mdb'))) fs.rmSync(oldDir, { recursive: true, force: true });
    const probe = fs.existsSync(oldDir) ? probeIndex(oldDir, { snapshots: true }) : null;
    const repo = await Repository.open(abs, { checkIndex: false });
    repo.lock = lock;
    try {
      // 2. packs, from their trailers
      say('indexing packs');
      for await (const name of store.list('packs/')) {
        const hex = path.basename(name);
        if (!/^[0-9a-f]{64}$/.test(hex)) continue;
        try {
          const size = (await store.size(name)) ?? 0;
          const bytes = opts.readData ? await store.get(name) : undefined;
          const all = await readPackEntries(name, size, bytes ? async (o, l) => bytes.subarray(o, o + l) : (o, l) => store.get(name, o, l));
          const entries = bytes ? all.filter((e) => intact(bytes, e) || void report.blobsDropped.push({ blob: e.hash.toString('hex'), pack: hex })) : all;
          if (bytes && entries.length < all.length) {
            // keep the intact blobs in a new pack (durable and indexed first), then drop the damaged one,
            // so no later plain rebuild can index the corrupted copy again
            const packer = new Packer(store, size + 1, async (p) => {
              repo.index.addPack(p.id, p.size, p.entries);
              report.packsIndexed++;
            });
            for (const e of entries) await packer.add(e.hash, e.type, e.comp, bytes.subarray(e.offset, e.offset + e.length), e.rawLength);
            await packer.flush();
            faultPoint('repair');
            await store.delete(packObjectName(hex));
            report.packsRewritten.push(hex);
          } else {
            repo.index.addPack(Buffer.from(hex, 'hex'), size, entries);
            report.packsIndexed++;
          }
          report.blobsIndexed += entries.length;
        } catch (e) {
          report.packsDamaged.push({ pack: hex, error: (e as Error).message });
        }
        await lock.refreshIfDue();
        await breathe();
      }
      faultPoint('repair');

      // 3. snapshots: the files, repaired from intact copies in the old index where needed
      say('indexing snapshots');
      const copies = new Map<string, string>();
      for (const s of probe?.snapshots ?? []) if (hashBytes(Buffer.from(s.manifest, 'utf8')).toString('hex') === s.id) copies.set(s.id, s.manifest);
      const seen = new Set<string>();
      for await (const name of store.list('snapshots/')) {
        const id = name.slice('snapshots/'.length);
        if (!/^[0-9a-f]{64}$/.test(id)) continue;
        seen.add(id);
        const bytes = await store.get(name);
        if (hashBytes(bytes).toString('hex') === id && validManifest(bytes)) {
          await repo.index.snapshots.put(id, bytes.toString('utf8'));
          report.snapshots++;
        } else if (copies.has(id)) {
          await store.delete(name); // a crash here leaves it missing, and the old index still has the copy
          faultPoint('repair');
          await restoreFile(repo, id, copies.get(id)!);
          report.snapshotsRestored.push(id);
          report.snapshots++;
        } else report.snapshotsLost.push(id);
      }
      for (const [id, manifest] of copies) {
        if (seen.has(id)) continue;
        await restoreFile(repo, id, manifest);
        report.snapshotsRestored.push(id);
        report.snapshots++;
      }

      // 4. the daemon state (dirty marks: hints to look again) from an old index the probe could read whole
      if (probe?.ok) copyCaches(oldDir, repo.index);
    } finally {
      await repo.close();
    }
    faultPoint('repair');
    if (probe?.ok) {
      fs.rmSync(oldDir, { recursive: true, force: true });
      report.oldIndex = 'readable; rebuilt and removed';
    } else if (probe) {
      const kept = path.join(abs, `index-damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      fs.renameSync(oldDir, kept);
      report.oldIndex = `damaged (${probe.error}); kept at ${kept}`;
    }
    return report;
  } finally {
    await lock.release().catch(() => {});
    await store.close();
  }
}

function intact(bytes: Buffer, e: PackEntry): boolean {
  try {
    return hashBytes(decompressBlob(bytes.subarray(e.offset, e.offset + e.length), e.comp, e.rawLength)).equals(e.hash);
  } catch {
    return false;
  }
}

function validManifest(bytes: Buffer): boolean {
  try {
    const m = JSON.parse(bytes.toString('utf8'));
    return typeof m?.root === 'string' && /^[0-9a-f]{64}$/.test(m.root);
  } catch {
    return false;
  }
}

async function restoreFile(repo: Repository, id: string, manifest: string): Promise<void> {
  await repo.store.put(`snapshots/${id}`, Buffer.from(manifest, 'utf8'));
  await repo.index.snapshots.put(id, manifest);
}

function copyCaches(oldDir: string, to: IndexDb): void {
  const from = new IndexDb(oldDir);
  try {
    // Not the stat or dir caches: after a repair their hits may name data that is gone (a dir
    // record reuses a parent subtree unchecked; a stat hit checks a chunk list but not its chunks),
    // so the next snapshot re-reads everything and stores exactly what is missing.
    for (const db of ['state'] as const) {
      const src = from[db];
      const dst = to[db] as unknown as { putSync(k: unknown, v: unknown): void };
      let rows: { key: unknown; value: unknown }[] = [];
      const commit = () => {
        const r = rows;
        rows = [];
        to.env.transactionSync(() => {
          for (const { key, value } of r) dst.putSync(key, value);
        });
      };
      for (const { key, value } of src.getRange()) {
        rows.push({ key, value });
        if (rows.length >= 10_000) commit();
      }
      commit();
    }
  } finally {
    void from.env.close();
  }
}
