// `strata repair index`: rebuild the LMDB index from what the repository
// files say (pack trailers, snapshot files), aside in index-new, swapped in
// only when complete. The old index is never opened in-process unless a
// child-process probe could read it whole; from it we take intact copies of
// damaged or missing snapshot files, the daemon state, and the blob locations
// that help salvage a pack whose table is damaged (salvage.ts). With readData,
// corrupted blobs are left out of the index so the next snapshot stores them
// again. Reports per snapshot which paths lost data.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decompressBlob } from '../compress.js';
import { StrataError, isStrataError } from '../errors.js';
import { hashBytes } from '../hash.js';
import { IndexDb, decodeLoc } from '../store/index-db.js';
import { LocalBlobStore, fsyncDir } from '../store/local-store.js';
import { acquireLock } from '../store/lock.js';
import { packObjectName, readPackEntries, type PackEntry } from '../store/pack.js';
import { MemoryBlobStore } from '../store/memory-store.js';
import { Packer } from '../store/packer.js';
import { Repository, parseConfig } from '../store/repository.js';
import { faultPoint } from '../fault.js';
import { probeIndex } from './index-probe.js';
import { lostPaths, type LostInSnapshot } from './repair-snapshots.js';
import { salvagePack } from './salvage.js';
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
  packsRewritten: string[]; // damaged packs replaced by a pack of their intact blobs, then deleted
  packsSalvaged: { pack: string; error: string; kept: number; failed: number }[]; // scanned blob by blob (salvage.ts)
  snapshots: number;
  snapshotsRestored: string[]; // files rewritten from the old index's intact copy
  snapshotsLost: string[]; // damaged files with no intact copy anywhere
  snapshotsDamaged: LostInSnapshot[]; // snapshots that reference data the new index does not have, with the paths
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
  const report: RepairReport = { packsIndexed: 0, packsDamaged: [], blobsIndexed: 0, blobsDropped: [], packsRewritten: [], packsSalvaged: [], snapshots: 0, snapshotsRestored: [], snapshotsLost: [], snapshotsDamaged: [], oldIndex: 'none' };
  try {
    // Crash safety (docs/design.md, "Repair"): the new index is built aside in index-new and swapped
    // in by two renames only when complete; damaged packs are deleted only after that. A killed
    // repair leaves the previous index in place, or (between the renames) no index, which every
    // command refuses, pointing at `strata repair index`.
    const indexDir = path.join(abs, 'index');
    const oldDir = path.join(abs, 'index-old'); // no dot: lmdb-js takes a path with an extension for a file
    const newDir = path.join(abs, 'index-new');
    // 1. an earlier repair killed between its renames: its index-old is the previous state
    if (fs.existsSync(oldDir)) {
      if (fs.existsSync(path.join(oldDir, 'data.mdb'))) {
        fs.rmSync(indexDir, { recursive: true, force: true });
        fs.renameSync(oldDir, indexDir);
      } else fs.rmSync(oldDir, { recursive: true, force: true });
    }
    fs.rmSync(newDir, { recursive: true, force: true });
    faultPoint('repair');
    const hasOld = fs.existsSync(path.join(indexDir, 'data.mdb'));
    const probe = hasOld ? probeIndex(indexDir, { snapshots: true }) : null;
    // what the old index recorded for each pack: candidate blob locations for salvage (only from an index the probe read whole)
    const hints = probe?.ok ? oldLocations(indexDir) : new Map<string, PackEntry[]>();
    const doomedPacks: string[] = []; // damaged packs whose verified blobs now live in new packs
    const repo = await Repository.open(abs, { checkIndex: false, indexDir: newDir });
    repo.lock = lock;
    try {
      // 2. packs, from their trailers; a pack that fails (or, with readData, holds corrupted blobs) is salvaged blob by blob
      say('indexing packs');
      for await (const name of store.list('packs/')) {
        const hex = path.basename(name);
        if (!/^[0-9a-f]{64}$/.test(hex)) continue;
        const size = (await store.size(name)) ?? 0;
        let entries: PackEntry[] | undefined;
        let bytes: Buffer | undefined;
        let why = '';
        try {
          bytes = opts.readData ? await store.get(name) : undefined;
          const b = bytes;
          const all = await readPackEntries(name, size, b ? async (o, l) => b.subarray(o, o + l) : (o, l) => store.get(name, o, l));
          const good = b ? all.filter((e) => intact(b, e) || void report.blobsDropped.push({ blob: e.hash.toString('hex'), pack: hex })) : all;
          if (good.length === all.length) entries = all;
          else why = `${all.length - good.length} corrupted blob(s)`;
        } catch (e) {
          why = (e as Error).message;
        }
        if (entries) {
          repo.index.addPack(Buffer.from(hex, 'hex'), size, entries);
          report.packsIndexed++;
          report.blobsIndexed += entries.length;
        } else {
          // salvage: keep every blob whose bytes verify, in a new pack (durable and indexed in the new index)
          bytes ??= await store.get(name).catch(() => Buffer.alloc(0));
          const found = salvagePack(bytes, hints.get(hex) ?? []);
          if (found.kept.length) {
            // built in memory: when every blob survived, the new pack is the original byte for byte
            // (same name), and replaces the damaged file atomically instead of being skipped as present
            const mem = new MemoryBlobStore();
            const built: { name: string; id: Buffer; size: number; entries: PackEntry[] }[] = [];
            const packer = new Packer(mem, bytes.length + 1, async (p) => void built.push({ name: packObjectName(p.id), ...p }));
            for (const e of found.kept) await packer.add(e.hash, e.type, e.comp, bytes.subarray(e.offset, e.offset + e.length), e.rawLength);
            await packer.flush();
            let sameName = false;
            for (const p of built) {
              const data = mem.objects.get(p.name)!;
              if (p.id.toString('hex') === hex) {
                await store.replace(p.name, data);
                sameName = true;
              } else await store.put(p.name, data);
              repo.index.addPack(p.id, p.size, p.entries);
              report.packsIndexed++;
            }
            if (!sameName) doomedPacks.push(hex);
            report.blobsIndexed += found.kept.length;
            faultPoint('repair');
          }
          report.packsSalvaged.push({ pack: hex, error: why, kept: found.kept.length, failed: found.failed });
          if (!found.kept.length) report.packsDamaged.push({ pack: hex, error: why });
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
          await store.delete(name); // a crash here leaves it missing, and the old index (still in place) has the copy
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
      if (probe?.ok) copyCaches(indexDir, repo.index);

      // 5. what each snapshot lost, by path (repair-snapshots.ts)
      say('listing what each snapshot lost');
      report.snapshotsDamaged = await lostPaths(repo);
    } finally {
      await repo.close();
    }
    faultPoint('repair');
    // 6. swap: the old index goes aside, the complete new one takes its place
    fsyncDir(newDir);
    const damagedAside = probe && !probe.ok ? path.join(abs, `index-damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`) : undefined;
    if (fs.existsSync(indexDir)) fs.renameSync(indexDir, damagedAside ?? oldDir);
    faultPoint('repair');
    fs.renameSync(newDir, indexDir);
    fsyncDir(abs);
    faultPoint('repair');
    fs.rmSync(oldDir, { recursive: true, force: true });
    report.oldIndex = !probe ? 'none' : probe.ok ? 'readable; rebuilt and removed' : `damaged (${probe.error}); kept at ${damagedAside}`;
    // 7. only now: damaged packs whose verified blobs are in new, indexed packs
    for (const hex of doomedPacks) {
      await store.delete(packObjectName(hex));
      report.packsRewritten.push(hex);
      faultPoint('repair');
    }
    return report;
  } finally {
    await lock.release().catch(() => {});
    await store.close();
  }
}

/** Blob locations per pack recorded by an index (read in-process: call only after a probe read it whole). */
function oldLocations(dir: string): Map<string, PackEntry[]> {
  const out = new Map<string, PackEntry[]>();
  const db = new IndexDb(dir);
  try {
    for (const { key, value } of db.blobs.getRange()) {
      const loc = decodeLoc(value as Buffer);
      const hex = loc.pack.toString('hex');
      const list = out.get(hex) ?? out.set(hex, []).get(hex)!;
      list.push({ hash: Buffer.from(key as Buffer), type: loc.type, comp: loc.comp, offset: loc.offset, length: loc.length, rawLength: loc.rawLength });
    }
  } finally {
    void db.env.close();
  }
  return out;
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
