// Restores read blobs by ranged pack reads grouped per pack (src/restore/fetch-plan.ts,
// content-batch.ts): the planner's merging rules; a full restore of many small files costs a
// few reads per pack; a blob used by several files (and twice in one) is written everywhere;
// a damaged blob in the middle of a merged range fails only the files that use it, by path,
// and everything else comes back byte-identical; cat's ordered reads cost a handful of reads.
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hashBytes } from '../../src/hash.js';
import { orderedBlobs, planRanges, type Want } from '../../src/restore/fetch-plan.js';
import { restore, type RestoreNotice } from '../../src/restore/restorer.js';
import { MemoryCache } from '../../src/store/memory-cache.js';
import { MemoryObjectStore } from '../../src/store/memory-store.js';
import { BLOB_DATA, BLOB_TREE } from '../../src/store/pack.js';
import type { BlobLocation } from '../../src/store/ports.js';
import { Repository } from '../../src/store/repository.js';
import { encodeTree, type TreeEntry } from '../../src/tree/codec.js';
import { pseudoRandom } from '../helpers/cli.js';

/** A memory store that counts reads of packs. */
class CountingStore extends MemoryObjectStore {
  packReads = 0;
  override async get(name: string, offset?: number, length?: number): Promise<Buffer> {
    if (name.startsWith('packs/')) this.packReads++;
    return super.get(name, offset, length);
  }
}

const loc = (pack: number, offset: number, length: number): BlobLocation => ({ pack: Buffer.alloc(32, pack), type: BLOB_DATA, comp: 0, offset, length, rawLength: length });
const want = (pack: number, offset: number, length: number): Want => ({ hash: Buffer.alloc(32, offset & 0xff), loc: loc(pack, offset, length) });

test('planRanges: grouped per pack, sorted by offset, merged across small gaps, bounded in size', (t) => {
  const limits = { maxGap: 100, maxRange: 1000 };
  const ranges = planRanges([want(1, 500, 50), want(2, 0, 10), want(1, 0, 100), want(1, 150, 100), want(1, 2000, 5000), want(1, 250, 100)], limits);
  const shape = ranges.map((r) => [r.pack[0], r.offset, r.length, r.blobs.map((b) => b.loc.offset)]);
  t.deepEqual(shape, [
    [1, 0, 350, [0, 150, 250]], // gaps of 50 and 0 are read through
    [1, 500, 50, [500]], // a gap of 150 is not
    [1, 2000, 5000, [2000]], // larger than maxRange: a range of its own
    [2, 0, 10, [0]],
  ]);
  // maxRange splits a run
  const split = planRanges([want(3, 0, 600), want(3, 600, 600), want(3, 1200, 100)], limits);
  t.deepEqual(split.map((r) => [r.offset, r.length]), [[0, 600], [600, 700]]);
});

interface Built {
  repo: Repository;
  store: CountingStore;
  root: TreeEntry;
  files: Map<string, Buffer>; // relative path → content
  chunksOf: Map<string, Buffer[]>;
}

/** 300 small files in 3 directories, and files of several chunks sharing chunks (one chunk twice in one file). */
async function build(): Promise<Built> {
  const store = new CountingStore();
  const repo = await Repository.fromParts({ store, config: Repository.newConfig({ compressionLevel: 0 }), cache: new MemoryCache() });
  const files = new Map<string, Buffer>();
  const chunksOf = new Map<string, Buffer[]>();
  const fileEntry = async (name: string, chunks: Buffer[]): Promise<TreeEntry> => {
    const hashes: Buffer[] = [];
    for (const c of chunks) {
      const h = hashBytes(c);
      await repo.putBlob(BLOB_DATA, h, c);
      hashes.push(h);
    }
    const data = Buffer.concat(chunks);
    return { name: Buffer.from(name), kind: 'file', mode: 0o640, uid: process.getuid!(), gid: process.getgid!(), mtimeNs: 1_700_000_000_000_000_000n, size: data.length, content: { hash: hashBytes(data), chunks: hashes } };
  };
  const dirEntry = async (name: string, children: TreeEntry[]): Promise<TreeEntry> => {
    children.sort((a, b) => Buffer.compare(a.name, b.name));
    const raw = encodeTree(children);
    const h = hashBytes(raw);
    await repo.putBlob(BLOB_TREE, h, raw);
    return { name: Buffer.from(name), kind: 'dir', mode: 0o750, uid: process.getuid!(), gid: process.getgid!(), mtimeNs: 1_600_000_000_000_000_000n, size: 0, subtree: h };
  };
  const top: TreeEntry[] = [];
  for (let d = 0; d < 3; d++) {
    const kids: TreeEntry[] = [];
    for (let i = 0; i < 100; i++) {
      const rel = `d${d}/f${i}.txt`;
      const data = pseudoRandom(500 + ((i * 37) % 3000), d * 1000 + i + 1);
      files.set(rel, data);
      kids.push(await fileEntry(`f${i}.txt`, [data]));
    }
    top.push(await dirEntry(`d${d}`, kids));
  }
  const a = pseudoRandom(300_000, 501);
  const b = pseudoRandom(200_000, 502);
  const c = pseudoRandom(100_000, 503);
  for (const [rel, chunks] of [
    ['multi1.bin', [a, b, a, c]],
    ['multi2.bin', [c, b]],
  ] as const) {
    files.set(rel, Buffer.concat(chunks));
    chunksOf.set(rel, chunks.map((x) => hashBytes(x)));
    top.push(await fileEntry(rel, [...chunks]));
  }
  const root = await dirEntry('', top);
  await repo.flush();
  return { repo, store, root, files, chunksOf };
}

function target(t: { teardown: (f: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-fetch-'));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  return path.join(d, 'out');
}

test('a full restore reads each pack in a few ranged reads, and every file comes back', async (t) => {
  const { repo, store, root, files } = await build();
  const packs = [...repo.index.packIds()].length;
  store.packReads = 0;
  const out = target(t);
  const notices: RestoreNotice[] = [];
  const st = await restore(repo, { entry: root, target: out, onNotice: (n) => notices.push(n) });
  t.deepEqual(notices, []);
  t.is(st.files, files.size);
  for (const [rel, data] of files) t.true(fs.readFileSync(path.join(out, rel)).equals(data), rel);
  t.is(fs.statSync(path.join(out, 'd1')).mode & 0o777, 0o750, 'directory modes after their files');
  t.is(fs.statSync(path.join(out, 'd1/f3.txt')).mtimeMs, 1_700_000_000_000);
  t.is(fs.statSync(path.join(out, 'd1')).mtimeMs, 1_600_000_000_000, 'directory times after their files were renamed in');
  const trees = 4;
  t.log(`${files.size} files, ${packs} packs: ${store.packReads} pack reads (${trees} trees)`);
  t.true(store.packReads <= trees + packs * 3, `${store.packReads} pack reads for ${packs} packs`);
  await repo.close();
});

test('a damaged blob in the middle of a merged range fails only the files that use it, by path; the rest is byte-identical', async (t) => {
  const { repo, store, root, files, chunksOf } = await build();
  // damage chunk b: in both multi files, and in the middle of the data pack's run of blobs
  const b = chunksOf.get('multi1.bin')![1]!;
  const l = repo.index.getBlob(b)!;
  const pack = [...store.objects.entries()].find(([k]) => k.endsWith(l.pack.toString('hex')))![1];
  pack[l.offset + (l.length >> 1)]! ^= 0x5a;
  // and one small file in the middle of d1's run
  const small = hashBytes(files.get('d1/f50.txt')!);
  const ls = repo.index.getBlob(small)!;
  [...store.objects.entries()].find(([k]) => k.endsWith(ls.pack.toString('hex')))![1][ls.offset + 3]! ^= 0x5a;
  store.packReads = 0;
  const out = target(t);
  const notices: RestoreNotice[] = [];
  const st = await restore(repo, { entry: root, target: out, onNotice: (n) => notices.push(n) });
  const bad = ['d1/f50.txt', 'multi1.bin', 'multi2.bin'];
  t.deepEqual(notices.map((n) => path.relative(out, n.path)).sort(), bad);
  t.true(notices.every((n) => n.code === 'E_CORRUPT' && /not restored: blob [0-9a-f]+ in pack [0-9a-f]+ is corrupted/.test(n.message)), JSON.stringify(notices));
  t.is(st.integrityErrors, 3);
  t.is(st.files, files.size - 3);
  for (const [rel, data] of files) {
    if (bad.includes(rel)) t.false(fs.existsSync(path.join(out, rel)), `${rel} left out`);
    else t.true(fs.readFileSync(path.join(out, rel)).equals(data), rel);
  }
  t.deepEqual(fs.readdirSync(out).filter((n) => n.startsWith('.strata-restore-')), [], 'no temporaries left');
  t.true(store.packReads < 20, `${store.packReads} pack reads`);
  await repo.close();
});

test('a single file in order: its chunks in a handful of reads (cat, dump)', async (t) => {
  const { repo, store, files, chunksOf } = await build();
  store.packReads = 0;
  const got: Buffer[] = [];
  await orderedBlobs(repo.packs, chunksOf.get('multi1.bin')!, (h) => repo.getBlob(h), async (d) => void got.push(Buffer.from(d)));
  t.true(Buffer.concat(got).equals(files.get('multi1.bin')!));
  t.true(store.packReads <= 3, `${store.packReads} reads for 4 chunks`);
  await repo.close();
});
