// The restore pipeline's newer parts (src/restore/tree-prefetch.ts, write-buffers.ts,
// content-batch.ts): a deep tree is prefetched by one read of its pack (children are packed
// before their parents), large files' chunk lists come along; the decode buffers are bounded
// (take waits until a buffer is given back); a restore through a tiny write pool and tiny
// windows (many windows in flight, writes waiting for buffers, chunks arriving ahead of their
// turn) brings every file back byte-identical.
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hashBytes } from '../../src/hash.js';
import { restore, type RestoreNotice } from '../../src/restore/restorer.js';
import { prefetchTrees } from '../../src/restore/tree-prefetch.js';
import { BufferPool, writeAt } from '../../src/restore/write-buffers.js';
import { MemoryCache } from '../../src/store/memory-cache.js';
import { MemoryObjectStore } from '../../src/store/memory-store.js';
import { BLOB_DATA, BLOB_TREE } from '../../src/store/pack.js';
import { Repository } from '../../src/store/repository.js';
import { encodeChunkList, encodeTree, type TreeEntry } from '../../src/tree/codec.js';
import { isTreeCached } from '../../src/tree/trees.js';
import { pseudoRandom } from '../helpers/cli.js';

class CountingStore extends MemoryObjectStore {
  packReads = 0;
  override async get(name: string, offset?: number, length?: number): Promise<Buffer> {
    if (name.startsWith('packs/')) this.packReads++;
    return super.get(name, offset, length);
  }
}

const meta = { uid: process.getuid!(), gid: process.getgid!(), mtimeNs: 1_700_000_000_000_000_000n };

/** A chain of 12 nested directories, each with a small file, and at the bottom a file of 20 chunks (a chunk list) whose chunks repeat. */
async function build(seed: number) {
  const store = new CountingStore();
  const repo = await Repository.fromParts({ store, config: Repository.newConfig({ compressionLevel: 3 }), cache: new MemoryCache() });
  const files = new Map<string, Buffer>();
  const put = async (type: number, raw: Buffer): Promise<Buffer> => {
    const h = hashBytes(raw);
    await repo.putBlob(type as typeof BLOB_DATA, h, raw);
    return h;
  };
  const parts = Array.from({ length: 6 }, (_, i) => pseudoRandom(40_000 + i * 7_000, seed + i));
  const chunks = Array.from({ length: 20 }, (_, i) => parts[(i * 5) % parts.length]!);
  const big = Buffer.concat(chunks);
  const hashes: Buffer[] = [];
  for (const c of chunks) hashes.push(await put(BLOB_DATA, c));
  const listId = await put(BLOB_TREE, encodeChunkList(hashes));
  let rel = 'd0/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11';
  files.set(`${rel}/big.bin`, big);
  let kids: TreeEntry[] = [{ name: Buffer.from('big.bin'), kind: 'file', mode: 0o600, ...meta, size: big.length, content: { hash: hashBytes(big), chunkList: listId } }];
  for (let depth = 11; depth >= 0; depth--) {
    const small = pseudoRandom(1_000 + depth, seed + 100 + depth);
    files.set(`${rel}/f.txt`, small);
    kids.push({ name: Buffer.from('f.txt'), kind: 'file', mode: 0o644, ...meta, size: small.length, content: { hash: hashBytes(small), chunks: [await put(BLOB_DATA, small)] } });
    kids.sort((a, b) => Buffer.compare(a.name, b.name));
    const sub = await put(BLOB_TREE, encodeTree(kids));
    kids = [{ name: Buffer.from(`d${depth}`), kind: 'dir', mode: 0o755, ...meta, size: 0, subtree: sub }];
    rel = rel.split('/').slice(0, -1).join('/');
  }
  const root = await put(BLOB_TREE, encodeTree(kids));
  await repo.flush();
  return { repo, store, files, root, listId };
}

function target(t: { teardown: (f: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-pipeline-'));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  return path.join(d, 'out');
}

test('a tree 13 levels deep is prefetched by one read of its pack, with the chunk list', async (t) => {
  const { repo, store, root, listId } = await build(1);
  store.packReads = 0;
  const lists = await prefetchTrees(repo, root);
  t.is(store.packReads, 1, 'one read for 13 levels of trees');
  t.true(isTreeCached(root));
  t.is(lists.get(listId.toString('latin1'))?.length, 20, 'the chunk list came along, decoded');
  await repo.close();
});

test('the decode buffers are bounded: take waits until a buffer is given back', async (t) => {
  const pool = new BufferPool(64 << 10);
  const a = await pool.take(40 << 10); // a 64 KiB buffer: the whole budget
  let got = false;
  const b = pool.take(1000).then((x) => ((got = true), x));
  await new Promise((r) => setTimeout(r, 20));
  t.false(got, 'waits while the limit is out');
  pool.give(a);
  t.true((await b).length >= 1000);
  t.true(got);
  const huge = new BufferPool(1 << 10);
  t.true((await huge.take(1 << 20)).length >= 1 << 20, 'one buffer larger than the limit may always be had');
  // writeAt writes everything at its offset
  const dir = target(t);
  fs.mkdirSync(dir);
  const fd = fs.openSync(path.join(dir, 'x'), 'w+');
  await writeAt(fd, Buffer.from('world'), 6);
  await writeAt(fd, Buffer.from('hello '), 0);
  fs.closeSync(fd);
  t.is(fs.readFileSync(path.join(dir, 'x'), 'utf8'), 'hello world');
});

test('tiny windows and a tiny write pool: every file comes back byte-identical, nothing left open', async (t) => {
  const { repo, files, root } = await build(2);
  const out = target(t);
  // the restorer's batch with small limits: one file per window, 64 KiB of decode buffers
  const notices: RestoreNotice[] = [];
  const st = await restore(repo, { entry: { name: Buffer.from(''), kind: 'dir', mode: 0o755, ...meta, size: 0, subtree: root }, target: out, onNotice: (n) => notices.push(n), windowLimits: { files: 1, chunks: 3, bytes: 100_000 }, writeBytes: 64 << 10 });
  t.deepEqual(notices, []);
  t.is(st.files, files.size);
  for (const [rel, data] of files) t.true(fs.readFileSync(path.join(out, rel)).equals(data), rel);
  t.deepEqual(fs.readdirSync(path.join(out, 'd0')).sort(), ['d1', 'f.txt'], 'no temporaries left');
  await repo.close();
});
