// An encrypted Repository from parts (docs/format.md §11.6): sealed packs
// (magic, sealed table), blobs opened and verified, a tampered blob or table
// named, never returned; index segments sealed and named by keyed BLAKE3.
import test from 'ava';
import { newMasterKey } from '../../src/crypto/keys.js';
import { encryptedCipher } from '../../src/crypto/repo-cipher.js';
import { hashBytes } from '../../src/hash.js';
import { isSegmentName } from '../../src/store/index-segment.js';
import { MemoryCache } from '../../src/store/memory-cache.js';
import { MemoryObjectStore } from '../../src/store/memory-store.js';
import { BLOB_DATA, BLOB_TREE, SEALED_PACK_MAGIC, SEALED_TRAILER_MAGIC, readPackEntries } from '../../src/store/pack.js';
import { Repository } from '../../src/store/repository.js';
import { pseudoRandom } from '../helpers/cli.js';

async function setup() {
  const store = new MemoryObjectStore();
  const config = Repository.newConfig({ packSize: 1 << 20 });
  const cipher = encryptedCipher(newMasterKey());
  const repo = await Repository.fromParts({ store, config, cache: new MemoryCache(), cipher });
  const blobs = [pseudoRandom(300 << 10, 1), Buffer.from('a text blob '.repeat(1000)), Buffer.from('tree-ish')];
  for (const [i, b] of blobs.entries()) await repo.putBlob(i === 2 ? BLOB_TREE : BLOB_DATA, cipher.blobId(b), b);
  await repo.flush();
  const packs: string[] = [];
  for await (const n of store.list('packs/')) packs.push(n);
  return { store, config, cipher, repo, blobs, packs };
}

test('blobs round-trip through sealed packs; the plaintext never appears in the store', async (t) => {
  const { store, repo, blobs, packs, cipher } = await setup();
  t.true(packs.length >= 1);
  for (const b of blobs) t.deepEqual(await repo.getBlob(cipher.blobId(b)), b);
  for (const name of packs) {
    const bytes = await store.get(name);
    t.deepEqual(bytes.subarray(0, 8), SEALED_PACK_MAGIC);
    t.deepEqual(bytes.subarray(bytes.length - 8), SEALED_TRAILER_MAGIC);
    t.false(bytes.includes(Buffer.from('a text blob a text blob')));
    const entries = await readPackEntries(name, bytes.length, async (o, l) => bytes.subarray(o, o + l), cipher);
    for (const e of entries) t.true(e.length >= 44);
    // without the cipher the sealed table is not mistaken for a plaintext one
    await t.throwsAsync(readPackEntries(name, bytes.length, async (o, l) => bytes.subarray(o, o + l)), { code: 'E_CORRUPT' } as never);
  }
  const segs: string[] = [];
  for await (const n of store.list('index/')) segs.push(n);
  t.true(segs.length >= 1 && segs.every(isSegmentName));
  for (const s of segs) t.not(hashBytes(await store.get(s)).toString('hex'), s.slice('index/'.length), 'named by keyed BLAKE3 of the plaintext');
  // a second repository over the same store with the same key reads everything from the segments
  const again = await Repository.fromParts({ store, config: repo.config, cache: new MemoryCache(), cipher });
  for (const b of blobs) t.deepEqual(await again.getBlob(cipher.blobId(b)), b);
  // with another key, every segment fails authentication: each is named and skipped, no blob becomes known
  const notices: string[] = [];
  const other = await Repository.fromParts({ store, config: repo.config, cache: new MemoryCache(), cipher: encryptedCipher(newMasterKey()), notice: (m) => notices.push(m) });
  t.is(other.damagedSegments.length, segs.length);
  t.is(notices.length, segs.length);
  for (const m of notices) t.regex(m, /index segment .* is damaged \(authentication failed\); skipped/);
  t.false(other.hasBlob(cipher.blobId(blobs[0]!)));
  t.throws(() => other.requireWholeIndex('prune'), { code: 'E_INDEX' } as never);
});

test('a flipped bit in a sealed blob is E_CORRUPT naming blob and pack; other blobs still read', async (t) => {
  const { store, repo, blobs, packs, cipher } = await setup();
  const id = cipher.blobId(blobs[1]!);
  const loc = repo.index.getBlob(id)!;
  const name = packs.find((p) => p.endsWith(loc.pack.toString('hex')))!;
  const bytes = Buffer.from(await store.get(name));
  bytes[loc.offset + 30]! ^= 1;
  await store.delete(name);
  await store.put(name, bytes);
  const e = await t.throwsAsync(repo.getBlob(id), { code: 'E_CORRUPT' } as never);
  t.regex(e!.message, new RegExp(`blob ${id.toString('hex')} in pack ${loc.pack.toString('hex')} is corrupted: authentication failed`));
  t.deepEqual(await repo.getBlob(cipher.blobId(blobs[0]!)), blobs[0]);
});
