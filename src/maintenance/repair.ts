// `strata repair index`: rebuild the repository's index segments from what
// the pack trailers say, under the exclusive lock. Damaged snapshot files are
// restored from intact copies in this host's cache where it has them (missing
// ones are not: with many caches, a missing file is a snapshot forgotten). With
// readData, corrupted blobs are left out (their packs rewritten without them)
// so the next snapshot stores them again. The new segments are durable before
// the old ones are removed; every cache notices and rebuilds itself.
import * as path from 'node:path';
import { isIntactBlob } from '../store/blob-codec.js';
import { isManifestCopy, openManifest, storedManifest } from '../snapshot/manifest.js';
import { segmentName } from '../store/index-segment.js';
import { acquireLock } from '../store/lock.js';
import { packObjectName, readPackEntries } from '../store/pack.js';
import { Packer } from '../store/packer.js';
import { Repository, type CacheOptions } from '../store/repository.js';
import { faultPoint } from '../fault.js';
import { breathe } from './reach.js';
import { listSegments, writeConsolidatedSegments } from './segments.js';

export interface RepairOptions extends CacheOptions {
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
  snapshotsRestored: string[]; // files rewritten from the cache's intact copy
  snapshotsLost: string[]; // damaged files with no intact copy anywhere
  oldIndex: string; // what happened to the previous index segments
}

export async function repairIndex(address: string, opts: RepairOptions = {}): Promise<RepairReport> {
  const say = opts.onProgress ?? (() => {});
  const repo = await Repository.open(address, { cacheDir: opts.cacheDir, notice: opts.notice, password: opts.password, skipSync: true });
  const store = repo.store;
  const report: RepairReport = { packsIndexed: 0, packsDamaged: [], blobsIndexed: 0, blobsDropped: [], packsRewritten: [], snapshots: 0, snapshotsRestored: [], snapshotsLost: [], oldIndex: 'none' };
  try {
    const lock = await acquireLock(store, { exclusive: true, command: 'repair index', waitMs: opts.lockWaitMs });
    repo.lock = lock;
    try {
      // 1. what the cache holds that the rebuild may need: intact snapshot copies
      const copies = new Map<string, string>();
      for (const { key, value } of repo.index.snapshots.getRange()) if (isManifestCopy(repo, key, value)) copies.set(key, value);
      const before = await listSegments(repo);
      repo.index.resetIndex({ statCache: true });
      faultPoint('repair');

      // 2. packs, from their trailers
      say('indexing packs');
      for await (const name of store.list('packs/')) {
        const hex = path.basename(name);
        if (!/^[0-9a-f]{64}$/.test(hex)) continue;
        try {
          const size = (await store.size(name)) ?? 0;
          const bytes = opts.readData ? await store.get(name) : undefined;
          const all = await readPackEntries(name, size, bytes ? async (o, l) => bytes.subarray(o, o + l) : (o, l) => store.get(name, o, l), repo.cipher);
          const entries = bytes ? all.filter((e) => isIntactBlob(bytes.subarray(e.offset, e.offset + e.length), e, repo.cipher) || void report.blobsDropped.push({ blob: e.hash.toString('hex'), pack: hex })) : all;
          if (bytes && entries.length < all.length) {
            // keep the intact blobs in a new pack (durable and indexed first), then drop the damaged one,
            // so no later plain rebuild can index the corrupted copy again
            const packer = new Packer(store, size + 1, async (p) => {
              repo.index.addPack(p.id, p.size, p.entries);
              report.packsIndexed++;
            }, repo.cipher);
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

      // 3. the index segments: the new set is durable before the old one goes
      say('writing index segments');
      await lock.verify();
      const superseded = await writeConsolidatedSegments(repo, before);
      faultPoint('repair');
      for (const id of superseded) await store.delete(segmentName(id));
      report.oldIndex = `${before.size} index segment(s) replaced by ${(await listSegments(repo)).size}`;

      // 4. snapshots: the files, repaired from intact copies in the cache where needed
      say('indexing snapshots');
      for await (const name of store.list('snapshots/')) {
        const id = name.slice('snapshots/'.length);
        if (!/^[0-9a-f]{64}$/.test(id)) continue;
        const bytes = openManifest(repo, id, await store.get(name));
        if (bytes && validManifest(bytes)) {
          await repo.index.snapshots.put(id, bytes.toString('utf8'));
          report.snapshots++;
        } else if (copies.has(id)) {
          await store.delete(name); // a crash here leaves it missing, and the cache still has the copy
          faultPoint('repair');
          await restoreFile(repo, id, copies.get(id)!);
          report.snapshotsRestored.push(id);
          report.snapshots++;
        } else report.snapshotsLost.push(id);
      }
      // a copy whose file is gone is a snapshot forgotten (here or on another host): never brought back
      repo.index.resetIndex();
      await repo.syncIndex();
    } finally {
      repo.lock = null;
      await lock.release().catch(() => {});
    }
  } finally {
    await repo.close();
  }
  return report;
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
  await repo.store.put(`snapshots/${id}`, storedManifest(repo, manifest));
  await repo.index.snapshots.put(id, manifest);
}
