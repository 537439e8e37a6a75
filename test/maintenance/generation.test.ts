// The prune generation across caches: two repositories from parts share one
// object store but each has its own cache (two hosts). After one prunes, the
// other's next lock resets its index, so it never deduplicates against a
// pruned blob; a reader listing index segments during a prune sees one
// complete set or the other.
import test from 'ava';
import { hashBytes } from '../../src/hash.js';
import { prune } from '../../src/maintenance/prune.js';
import { deleteSnapshot, listSnapshots, saveManifest, type Manifest } from '../../src/snapshot/manifest.js';
import { isSegmentName } from '../../src/store/index-segment.js';
import { withLock } from '../../src/store/lock.js';
import { MemoryCache } from '../../src/store/memory-cache.js';
import { MemoryObjectStore } from '../../src/store/memory-store.js';
import { BLOB_DATA } from '../../src/store/pack.js';
import { Repository } from '../../src/store/repository.js';
import { encodeTree, type TreeEntry } from '../../src/tree/codec.js';
import { BLOB_TREE } from '../../src/store/pack.js';
import { pseudoRandom } from '../helpers/cli.js';

function manifest(root: Buffer, n: number): Manifest {
  const stats = { files: 1, dirs: 0, bytes: n, bytesRead: 0, filesRead: 0, bytesAdded: 0, blobsAdded: 0, dirsScanned: 0, durationMs: 0 };
  return { version: 1, time: new Date(Date.now() + n).toISOString(), host: 'h', source: '/s', root: root.toString('hex'), rootMeta: { mode: 0o755, uid: 0, gid: 0, mtimeNs: '0' }, parent: null, unchanged: false, stats, skipped: [], skippedCount: 0, warnings: [], warningCount: 0 };
}

/** A snapshot of one file with content `data`, written by `repo` under a shared lock. */
async function snapshotOf(repo: Repository, data: Buffer, n: number): Promise<string> {
  return withLock(repo, { exclusive: false, command: 'test' }, async () => {
    const h = hashBytes(data);
    await repo.putBlob(BLOB_DATA, h, data);
    const file: TreeEntry = { name: Buffer.from('f'), kind: 'file', mode: 0o644, uid: 0, gid: 0, mtimeNs: 0n, size: data.length, content: { hash: h, chunks: [h] } };
    const tree = encodeTree([file]);
    await repo.putBlob(BLOB_TREE, hashBytes(tree), tree);
    await repo.flush();
    return (await saveManifest(repo, manifest(hashBytes(tree), n))).id;
  });
}

test('host B never deduplicates against a blob host A pruned: its lock resets its index', async (t) => {
  const store = new MemoryObjectStore();
  const config = Repository.newConfig({ compressionLevel: 0 });
  const a = await Repository.fromParts({ store, config, cache: new MemoryCache() });
  const b = await Repository.fromParts({ store, config, cache: new MemoryCache() });
  const doomed = pseudoRandom(5000, 1);
  const kept = pseudoRandom(5000, 2);
  const id1 = await snapshotOf(b, doomed, 1);
  await snapshotOf(a, kept, 2); // A's lock syncs: A learns B's segment
  t.true(a.hasBlob(hashBytes(doomed)));
  await withLock(b, { exclusive: false, command: 'test' }, async () => {});
  t.true(b.hasBlob(hashBytes(kept)), 'B learned A segment under its lock');
  // A forgets B's snapshot and prunes
  const segmentsBefore = [...store.objects.keys()].filter(isSegmentName);
  await deleteSnapshot(a, id1);
  const st = await withLock(a, { exclusive: true, command: 'prune' }, () => prune(a));
  t.true(st.packsDeleted + st.packsRepacked > 0, JSON.stringify(st));
  t.true(st.segmentsRemoved > 0);
  const segmentsAfter = [...store.objects.keys()].filter(isSegmentName);
  t.true(segmentsBefore.some((s) => !segmentsAfter.includes(s)), 'the segment listing the pruned pack is superseded');
  t.false(a.hasBlob(hashBytes(doomed)));
  // B still believes in the doomed blob until it takes its lock
  t.true(b.hasBlob(hashBytes(doomed)));
  const epoch = b.index.pruneEpoch();
  const id3 = await snapshotOf(b, doomed, 3); // writes it again, because the lock reset B's index
  t.true(b.index.pruneEpoch() > epoch, 'the reset bumped the epoch (directory records stop vouching)');
  t.deepEqual(await b.getBlob(hashBytes(doomed)), doomed);
  // a third host with a fresh cache reads both snapshots from the segments alone
  const c = await Repository.fromParts({ store, config, cache: new MemoryCache() });
  t.deepEqual((await listSnapshots(c)).map((s) => s.id).sort(), [id3, ...(await listSnapshots(a)).map((s) => s.id).filter((x) => x !== id3)].sort());
  t.deepEqual(await c.getBlob(hashBytes(doomed)), doomed);
  t.deepEqual(await c.getBlob(hashBytes(kept)), kept);
  for (const r of [a, b, c]) await r.close();
});

test('a reader that lists index segments during a consolidation misses nothing', async (t) => {
  const store = new MemoryObjectStore();
  const config = Repository.newConfig({ compressionLevel: 0 });
  const w = await Repository.fromParts({ store, config, cache: new MemoryCache() });
  const blobs = [1, 2, 3, 4].map((i) => pseudoRandom(3000, i));
  for (const [i, d] of blobs.entries()) await snapshotOf(w, d, i);
  const id0 = (await listSnapshots(w))[0]!.id;
  await deleteSnapshot(w, id0);
  // the reader lists before the prune and fetches after it: the segments it listed are gone
  const reader = new Repository({ store, config, cache: new MemoryCache() });
  const realGet = store.get.bind(store);
  let pruned = false;
  store.get = async (name, offset, length) => {
    if (isSegmentName(name) && !pruned) {
      pruned = true;
      await withLock(w, { exclusive: true, command: 'prune' }, () => prune(w));
    }
    return realGet(name, offset, length);
  };
  const res = await reader.syncIndex();
  store.get = realGet;
  t.true(pruned);
  for (const d of blobs.slice(1)) t.deepEqual(await reader.getBlob(hashBytes(d)), d);
  t.true(res.segments >= 1);
  await reader.close();
  await w.close();
});
