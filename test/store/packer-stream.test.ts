// Packs streamed to temporary files while the compression pool works: every
// blob reads back before the flush (from a staged piece, a write in flight or
// the temporary file) and after it; each pack is named by the BLAKE3 of its
// bytes, its trailer lists its blobs, and nothing is left at a temporary name.
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashBytes } from '../../src/hash.js';
import { BLOB_DATA, readPackEntries } from '../../src/store/pack.js';
import { LocalObjectStore } from '../../src/store/local-store.js';
import { Repository } from '../../src/store/repository.js';
import { pseudoRandom, tmpDir } from '../helpers/cli.js';

function blob(i: number): Buffer {
  // alternately compressible and random, 20-120 KiB
  const n = 20_000 + ((i * 7919) % 100_000);
  if (i % 2) return pseudoRandom(n, i + 1);
  const b = Buffer.alloc(n, `blob ${i} `);
  b.writeUInt32LE(i, 0);
  return b;
}

test('streamed packs: readable before and after flush, named by content, nothing temporary left', async (t) => {
  const dir = path.join(tmpDir(t), 'repo');
  const repo = await Repository.init(dir, { packSize: 1 << 20 });
  const blobs = Array.from({ length: 300 }, (_, i) => blob(i));
  const hashes = blobs.map((b) => hashBytes(b));
  for (const [i, b] of blobs.entries()) {
    t.true(await repo.putBlob(BLOB_DATA, hashes[i]!, b));
    if (i % 37 === 0) {
      // read back some earlier blobs while their packs may still be open or being written
      for (const j of [0, i >> 1, i]) t.true((await repo.getBlob(hashes[j]!)).equals(blobs[j]!), `blob ${j} before flush`);
    }
  }
  t.false(await repo.putBlob(BLOB_DATA, hashes[5]!, blobs[5]!), 'dedup while pending');
  await repo.flush();
  for (const [i, b] of blobs.entries()) t.true((await repo.getBlob(hashes[i]!)).equals(b), `blob ${i} after flush`);
  await repo.close();

  t.deepEqual(fs.readdirSync(dir).filter((n) => n.startsWith('.tmp')), [], 'no temporary files left');
  const store = new LocalObjectStore(dir);
  const seen = new Set<string>();
  let packs = 0;
  for await (const name of store.list('packs/')) {
    packs++;
    const bytes = await store.get(name);
    t.is(path.basename(name), hashBytes(bytes).toString('hex'), `${name} is named by its content`);
    for (const e of await readPackEntries(name, bytes.length, async (o, l) => bytes.subarray(o, o + l))) seen.add(e.hash.toString('hex'));
  }
  await store.close();
  t.true(packs > 3, `${packs} packs`);
  for (const h of hashes) t.true(seen.has(h.toString('hex')));
  const again = await Repository.open(dir);
  for (const i of [0, 150, 299]) t.true((await again.getBlob(hashes[i]!)).equals(blobs[i]!));
  await again.close();
});

test('a blob whose buffer is detached once putBlob resolved (a transferred ArrayBuffer) keeps its raw length', async (t) => {
  // the file cutter hands chunks in buffers it transfers back to its worker as soon as they are stored
  const dir = path.join(tmpDir(t), 'repo');
  const repo = await Repository.init(dir, { packSize: 4 << 20, password: undefined } as Parameters<typeof Repository.init>[1]);
  const blobs = Array.from({ length: 40 }, (_, i) => pseudoRandom(200_000 + i, i + 7)); // 8 MB: past the pool's start
  for (const b of blobs) {
    const ab = new ArrayBuffer(b.length);
    const view = Buffer.from(ab);
    b.copy(view);
    await repo.putBlob(BLOB_DATA, repo.ids.blobId(b), view);
    structuredClone(ab, { transfer: [ab] }); // detach: view.length is 0 from now on
    t.is(view.length, 0);
  }
  await repo.flush();
  for (const b of blobs) {
    const loc = repo.locateBlob(repo.ids.blobId(b))!;
    t.is(loc.rawLength, b.length);
    t.true((await repo.getBlob(repo.ids.blobId(b))).equals(b));
  }
  await repo.close();
});
