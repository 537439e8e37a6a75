// A Repository from parts: the snapshotter runs on an in-memory object store
// and an in-memory cache (no repository on disk), and a second cache built
// from the index segments alone — without reading a pack — reads it all back.
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listSnapshots, rootEntry } from '../../src/snapshot/manifest.js';
import { takeSnapshot } from '../../src/snapshot/snapshotter.js';
import { decodeSegment, encodeSegment, isSegmentName } from '../../src/store/index-segment.js';
import { MemoryCache } from '../../src/store/memory-cache.js';
import { MemoryObjectStore } from '../../src/store/memory-store.js';
import { Repository } from '../../src/store/repository.js';
import { fileChunks, resolvePath } from '../../src/tree/trees.js';
import { pseudoRandom, tmpDir, writeTree } from '../helpers/cli.js';

async function readFile(repo: Repository, rel: string): Promise<Buffer> {
  const [snap] = (await listSnapshots(repo)).slice(-1);
  const e = await resolvePath(repo, rootEntry(snap!), rel);
  const parts: Buffer[] = [];
  for (const h of await fileChunks(repo, e.content!)) parts.push(Buffer.from(await repo.getBlob(h)));
  return Buffer.concat(parts);
}

/** An object store that counts reads per top-level folder. */
class CountingStore extends MemoryObjectStore {
  reads = new Map<string, number>();
  override async get(name: string, offset?: number, length?: number): Promise<Buffer> {
    const top = name.split('/')[0]!;
    this.reads.set(top, (this.reads.get(top) ?? 0) + 1);
    return super.get(name, offset, length);
  }
}

test('the snapshotter on an in-memory store and cache; a fresh cache rebuilds from index segments without reading packs', async (t) => {
  const src = path.join(tmpDir(t), 'src');
  const big = pseudoRandom(3 << 20, 11);
  writeTree(src, { 'a/big.bin': big, 'a/small.txt': 'small\n', 'b/c/deep.txt': 'deep\n' });
  const store = new CountingStore();
  const config = Repository.newConfig({ packSize: 1 << 20, chunker: { avg: 256 << 10 } });
  const repo = await Repository.fromParts({ store, config, cache: new MemoryCache() });
  const r1 = await takeSnapshot(repo, { source: src });
  t.truthy(r1.snapshot?.id);
  fs.writeFileSync(path.join(src, 'a/small.txt'), 'changed\n');
  const r2 = await takeSnapshot(repo, { source: src, parent: r1.snapshot as any });
  t.truthy(r2.snapshot?.id);
  t.true((r2.snapshot as any).stats.filesRead <= 1, 'the in-memory stat cache spared re-reading unchanged files');
  t.deepEqual(await readFile(repo, 'a/big.bin'), big);
  // what the store holds: packs, segments listing every pack, manifests — and no cache
  const names = [...store.objects.keys()];
  const packs = names.filter((n) => n.startsWith('packs/'));
  const segments = names.filter(isSegmentName);
  t.true(packs.length >= 3, `${packs.length} packs`);
  t.true(segments.length >= 2, 'one segment per snapshot');
  const listed = new Set(segments.flatMap((n) => decodeSegment(store.objects.get(n)!, n).map((p) => `packs/${p.id.toString('hex').slice(0, 2)}/${p.id.toString('hex')}`)));
  t.deepEqual([...listed].sort(), packs.sort(), 'every pack is in an index segment');
  t.deepEqual(names.filter((n) => !/^(packs|index|snapshots)\//.test(n)), []);

  // another host: an empty cache on the same store
  store.reads.clear();
  const other = await Repository.fromParts({ store, config, cache: new MemoryCache() });
  t.is(store.reads.get('packs') ?? 0, 0, 'building the index read no pack');
  t.is(store.reads.get('index'), segments.length);
  t.is(other.index.blobCount(), repo.index.blobCount());
  t.deepEqual(await readFile(other, 'a/big.bin'), big);
  t.is((await readFile(other, 'a/small.txt')).toString(), 'changed\n');
  await other.close();
  await repo.close();
});

test('an index segment round-trips, and any change to it is refused', (t) => {
  const entries = [0, 1, 2].map((i) => ({ hash: pseudoRandom(32, i + 1), type: 0 as const, comp: i % 2, offset: 8 + 100 * i, length: 100, rawLength: 150 }));
  const { id, bytes } = encodeSegment([{ id: pseudoRandom(32, 9), size: 8 + 300 + 44 + 48 * 3, entries }]);
  const name = `index/${id}`;
  const back = decodeSegment(bytes, name);
  t.is(back.length, 1);
  t.deepEqual(back[0]!.entries, entries);
  t.is(back[0]!.size, 8 + 300 + 44 + 48 * 3);
  const bad = Buffer.from(bytes);
  bad[bad.length - 1]! ^= 1;
  t.throws(() => decodeSegment(bad, name), { code: 'E_CORRUPT', message: /index segment index\/[0-9a-f]{64} is damaged \(hash mismatch\)/ });
  t.throws(() => decodeSegment(bytes.subarray(0, 20), `index/${encodeSegment([]).id}`), { code: 'E_CORRUPT' });
});
