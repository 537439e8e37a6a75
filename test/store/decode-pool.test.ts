// Blobs decoded on worker threads (store/decode-pool.ts through
// Repository.decodeRange): the same verified bytes as the main thread's
// decodeBlob, in encrypted and plain repositories, compressed or not; a
// damaged blob fails alone (named, dropped from the index) and never lands
// in its buffer as data; buffers outside shared memory are refused.
import test from 'ava';
import { newMasterKey } from '../../src/crypto/keys.js';
import { encryptedCipher, plainCipher, type RepoCipher } from '../../src/crypto/repo-cipher.js';
import { sharedBuffer } from '../../src/restore/write-buffers.js';
import { MemoryCache } from '../../src/store/memory-cache.js';
import { MemoryObjectStore } from '../../src/store/memory-store.js';
import { BLOB_DATA } from '../../src/store/pack.js';
import { Repository } from '../../src/store/repository.js';
import type { BlobLocation } from '../../src/store/ports.js';
import { pseudoRandom } from '../helpers/cli.js';

async function setup(cipher: RepoCipher) {
  const store = new MemoryObjectStore();
  const config = Repository.newConfig({ packSize: 4 << 20 });
  const repo = await Repository.fromParts({ store, config, cache: new MemoryCache(), cipher });
  // incompressible (stored raw), compressible (zstd), tiny, and one over a megabyte
  const blobs = [pseudoRandom(300 << 10, 1), Buffer.from('a text blob '.repeat(5000)), Buffer.from('x'), pseudoRandom(1200 << 10, 2)];
  const ids = blobs.map((b) => cipher.blobId(b));
  for (const [i, b] of blobs.entries()) await repo.putBlob(BLOB_DATA, ids[i]!, b);
  await repo.flush();
  const locs = ids.map((h) => repo.locateBlob(h)!);
  t0(locs.every((l) => l && l.pack.equals(locs[0]!.pack)));
  const from = Math.min(...locs.map((l) => l.offset));
  const to = Math.max(...locs.map((l) => l.offset + l.length));
  const range = sharedBuffer(to - from);
  (await repo.readPackRange(locs[0]!.pack, from, to - from)).copy(range);
  return { repo, blobs, ids, locs, from, range };
}

function t0(ok: boolean): void {
  if (!ok) throw new Error('setup: expected every blob in one pack');
}

const outs = (locs: BlobLocation[]) => locs.map((l) => sharedBuffer(Math.max(16, l.rawLength + 100)));

for (const [name, make] of [
  ['encrypted', () => encryptedCipher(newMasterKey())],
  ['plain', () => plainCipher()],
] as const) {
  test(`${name}: blobs decoded by the workers equal their raw bytes, compressed or not; a damaged one fails alone, named, never taken as data`, async (t) => {
    const { repo, blobs, ids, locs, from, range } = await setup(make());
    t.true(locs.some((l) => l.comp !== 0) && locs.some((l) => l.comp === 0), 'both kinds stored');
    const want = (out: Buffer[]) => ids.map((hash, i) => ({ hash, loc: locs[i]!, out: out[i]! }));
    const out = outs(locs);
    t.deepEqual(await repo.decodeRange(range, from, want(out)), blobs.map(() => undefined));
    for (const [i, b] of blobs.entries()) t.deepEqual(out[i]!.subarray(0, b.length), b);

    const bad = 1;
    range[locs[bad]!.offset - from + Math.floor(locs[bad]!.length / 2)]! ^= 0x10;
    const again = outs(locs);
    const failed = await repo.decodeRange(range, from, want(again));
    t.is((failed[bad] as { code?: string })?.code, 'E_CORRUPT');
    t.regex(failed[bad]!.message, new RegExp(`blob ${ids[bad]!.toString('hex')} in pack ${locs[bad]!.pack.toString('hex')} is corrupted`));
    t.false(repo.hasBlob(ids[bad]!), 'dropped from the index: the next snapshot stores it again');
    for (const [i, b] of blobs.entries()) if (i !== bad) t.deepEqual(again[i]!.subarray(0, b.length), b);
    await repo.close();
  });
}

test('buffers outside shared memory are refused (the workers could not see them)', async (t) => {
  const { repo, ids, locs, from, range } = await setup(plainCipher());
  const plain = Buffer.alloc(range.length);
  await t.throwsAsync(repo.decodeRange(plain, from, [{ hash: ids[0]!, loc: locs[0]!, out: sharedBuffer(locs[0]!.rawLength) }]), { code: 'E_USAGE' } as never);
  await t.throwsAsync(repo.decodeRange(range, from, [{ hash: ids[0]!, loc: locs[0]!, out: Buffer.alloc(locs[0]!.rawLength) }]), { code: 'E_USAGE' } as never);
  await repo.close();
});
