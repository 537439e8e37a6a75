// Buffer reuse on the hot sealing/opening path (src/crypto/aead.ts BlobCrypter,
// src/store/blob-codec.ts, Repository.getBlob), through strata-native and
// through node:crypto in pieces: many blobs of varying sizes (around the
// 64 KiB piece size too) sealed and opened into one reused buffer, in place over their sealed copy, and through the codec and a
// repository with a reused `into`, always give the right bytes; the format is
// the one of the plain functions (each opens what the other sealed); a
// tampered blob or other associated data is still detected after reuse, and
// a failure leaves no state behind for the next blob.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BlobCrypter, PIECE, SEAL_OVERHEAD, nativeBlobCrypto, openBlob, sealBlob } from '../../src/crypto/aead.js';
import { newMasterKey } from '../../src/crypto/keys.js';
import { encryptedCipher } from '../../src/crypto/repo-cipher.js';
import { COMP_NONE, compressBlob } from '../../src/compress.js';
import { isStrataError } from '../../src/errors.js';
import { decodeStoredBlob, isIntactBlob } from '../../src/store/blob-codec.js';
import { MemoryCache } from '../../src/store/memory-cache.js';
import { LocalObjectStore } from '../../src/store/local-store.js';
import { MemoryObjectStore } from '../../src/store/memory-store.js';
import { BLOB_DATA, BLOB_TREE } from '../../src/store/pack.js';
import { Repository } from '../../src/store/repository.js';

const KEY = randomBytes(32);

/** 1000 sizes: small, around multiples of the piece size, and a few large ones. */
function sizes(): number[] {
  const out = [0, 1, 15, 16, 17, PIECE - 1, PIECE, PIECE + 1, 2 * PIECE, 3 * PIECE + 7, 1 << 20, (1 << 20) + 44, 3 << 20];
  let x = 12345;
  while (out.length < 1000) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out.push(x % 5 === 0 ? x % (300 << 10) : x % 9000);
  }
  return out;
}

/** Distinct contents: random bytes for most, repetitive text (compressible) for every third. */
function content(i: number, n: number): Buffer {
  if (i % 3 !== 0) return randomBytes(n);
  return Buffer.from(`blob ${i} `.repeat(Math.ceil(n / 8) + 1)).subarray(0, n);
}

function corrupt(t: import('ava').ExecutionContext, f: () => unknown): void {
  const e = t.throws(f);
  t.true(isStrataError(e, 'E_CORRUPT'), String(e));
}

// strata-native's decryption (when built) and node:crypto in pieces, switched per test (serial tests: the switch is per process)
const NATIVE = nativeBlobCrypto();
const modes = NATIVE ? (['native', 'pieces'] as const) : (['pieces'] as const);

test.serial('strata-native seals and opens blobs here (built with the addon)', (t) => {
  t.log(NATIVE ? 'native AEAD seal/open in use' : 'native AEAD not available: node:crypto pieces only');
  t.pass();
});

for (const aead of ['aes-256-gcm', 'chacha20-poly1305'] as const) for (const mode of modes) {
  test.serial(`${aead}, ${mode}: 1000 blobs sealed in pieces and opened into one reused buffer, and in place, give their bytes`, (t) => {
    nativeBlobCrypto(mode === 'native');
    t.teardown(() => nativeBlobCrypto(NATIVE));
    const c = new BlobCrypter(aead, KEY);
    const blobs = sizes().map((n, i) => ({ raw: content(i, n), id: randomBytes(32), type: i % 3, comp: i % 2 }));
    const sealed = blobs.map((b) => {
      const pieces: Buffer[] = [];
      const len = c.sealBlobTo(b.id, b.type, b.comp, b.raw, (p) => void pieces.push(Buffer.from(p))); // emit must copy: pieces may be reused
      const s = Buffer.concat(pieces);
      t.is(len, s.length);
      t.is(s.length, b.raw.length + SEAL_OVERHEAD);
      return s;
    });
    let out = Buffer.allocUnsafe(1 << 10); // grows: smaller blobs are then opened into a buffer holding a larger one's bytes
    let work = Buffer.allocUnsafe(1 << 10);
    let wrong = 0;
    // open in an order unlike the sealing one, so sizes alternate
    for (let k = 0; k < blobs.length; k++) {
      const i = (k * 7919) % blobs.length;
      const b = blobs[i]!;
      if (out.length < b.raw.length) out = Buffer.allocUnsafe(b.raw.length);
      const got = c.openBlobInto(b.id, b.type, b.comp, sealed[i]!, out);
      if (b.raw.length > 0 && got.buffer !== out.buffer) wrong++;
      if (!got.equals(b.raw)) wrong++;
      // in place: over a reused copy of the sealed bytes
      if (work.length < sealed[i]!.length) work = Buffer.allocUnsafe(sealed[i]!.length);
      const copy = work.subarray(0, sealed[i]!.length);
      sealed[i]!.copy(copy);
      const inPlace = c.openBlobInto(b.id, b.type, b.comp, copy, copy);
      if (!inPlace.equals(b.raw) || (b.raw.length > 0 && inPlace.byteOffset !== copy.byteOffset)) wrong++;
      // the plain functions read and write the same format
      if (!openBlob(aead, KEY, b.id, b.type, b.comp, sealed[i]!).equals(b.raw)) wrong++;
    }
    t.is(wrong, 0);
    const ref = sealBlob(aead, KEY, blobs[5]!.id, 1, 0, blobs[5]!.raw);
    t.deepEqual(c.openBlobInto(blobs[5]!.id, 1, 0, ref, out), blobs[5]!.raw);
    t.deepEqual(c.sealBlob(blobs[5]!.id, 1, 0, blobs[5]!.raw).length, ref.length);

    // tampering is still detected after all that reuse, and a failure leaves nothing behind
    for (const i of [3, 7, 11]) {
      const b = blobs[i]!;
      const bad = Buffer.from(sealed[i]!);
      bad[bad.length >> 1] ^= 0x10;
      corrupt(t, () => c.openBlobInto(b.id, b.type, b.comp, bad, out));
      corrupt(t, () => c.openBlobInto(b.id, b.type, b.comp, bad, bad)); // in place
      corrupt(t, () => c.openBlobInto(b.id, (b.type + 1) % 3, b.comp, sealed[i]!, out)); // another type
      corrupt(t, () => c.openBlobInto(blobs[i + 1]!.id, b.type, b.comp, sealed[i]!, out)); // swapped for another blob
      corrupt(t, () => c.openBlobInto(b.id, b.type, b.comp, sealed[i]!.subarray(0, sealed[i]!.length - 1), out)); // truncated
      t.deepEqual(c.openBlobInto(b.id, b.type, b.comp, sealed[i]!, out), b.raw);
    }
    // output that starts after the ciphertext's start in the same memory is refused, never half-written
    const s = sealed[6]!;
    const big = Buffer.allocUnsafe(s.length + 100);
    s.copy(big);
    t.throws(() => c.openBlobInto(blobs[6]!.id, blobs[6]!.type, blobs[6]!.comp, big.subarray(0, s.length), big.subarray(1)), { code: 'E_USAGE' } as never);
  });
}

for (const mode of modes) test.serial(`${mode}: the codec: 1000 sealed blobs (zstd and raw) decoded with a reused into, over their own copy, and checked; a tampered one is not intact`, (t) => {
  nativeBlobCrypto(mode === 'native');
  t.teardown(() => nativeBlobCrypto(NATIVE));
  const cipher = encryptedCipher(newMasterKey());
  const blobs = sizes().map((n, i) => {
    const raw = content(i, n);
    const hash = cipher.blobId(raw);
    const { data, comp } = compressBlob(raw, 3);
    return { raw, e: { hash, type: BLOB_DATA, comp, rawLength: raw.length }, stored: cipher.sealBlob(hash, BLOB_DATA, comp, data) };
  });
  t.true(blobs.some((b) => b.e.comp === COMP_NONE) && blobs.some((b) => b.e.comp !== COMP_NONE));
  let into = Buffer.allocUnsafe(1 << 20);
  let own = Buffer.allocUnsafe(1 << 10);
  let wrong = 0;
  for (let k = 0; k < blobs.length; k++) {
    const b = blobs[(k * 7919) % blobs.length]!;
    const before = Buffer.from(b.stored);
    if (into.length < b.raw.length) into = Buffer.allocUnsafe(b.raw.length);
    // not owned: `stored` must be left as it is (prune copies it into a new pack afterwards)
    if (!decodeStoredBlob(b.stored, b.e, 'p', into, cipher).equals(b.raw)) wrong++;
    if (!isIntactBlob(b.stored, b.e, cipher)) wrong++;
    if (!b.stored.equals(before)) wrong++;
    if (!decodeStoredBlob(b.stored, b.e, 'p', undefined, cipher).equals(b.raw)) wrong++;
    // owned: opened over its copy
    if (own.length < b.stored.length) own = Buffer.allocUnsafe(b.stored.length);
    const copy = own.subarray(0, b.stored.length);
    b.stored.copy(copy);
    if (!decodeStoredBlob(copy, b.e, 'p', into, cipher, true).equals(b.raw)) wrong++;
  }
  t.is(wrong, 0);
  for (const b of blobs.filter((x) => x.raw.length > 100).slice(0, 6)) {
    const bad = Buffer.from(b.stored);
    bad[bad.length - 20] ^= 1;
    t.false(isIntactBlob(bad, b.e, cipher));
    const e = t.throws(() => decodeStoredBlob(bad, b.e, 'pack P', into, cipher, true));
    t.true(isStrataError(e, 'E_CORRUPT') && e.message.includes('pack P'), String(e));
    t.true(isIntactBlob(b.stored, b.e, cipher));
  }
});

// in memory (get copies) and on disk (get reads into the repository's reused scratch buffer)
for (const mode of modes) for (const where of ['memory', 'disk'] as const) test.serial(`${mode}, ${where}: an encrypted repository: 1000 blobs read back with one reused buffer, from the open pack and from flushed packs; without a buffer, every result stays intact`, async (t) => {
  nativeBlobCrypto(mode === 'native');
  t.teardown(() => nativeBlobCrypto(NATIVE));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-blob-reuse-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const store = where === 'memory' ? new MemoryObjectStore() : new LocalObjectStore(dir);
  const repo = await Repository.fromParts({ store, config: Repository.newConfig({ packSize: 1 << 20 }), cache: new MemoryCache(), cipher: encryptedCipher(newMasterKey()) });
  const blobs = sizes().map((n, i) => content(i, n + 1)); // ids must differ: no empty blob twice
  const ids = blobs.map((b) => repo.ids.blobId(b));
  let into = Buffer.allocUnsafe(1 << 16);
  let wrong = 0;
  const readAll = async () => {
    for (let k = 0; k < blobs.length; k++) {
      const i = (k * 7919) % blobs.length;
      const got = await repo.getBlob(ids[i]!, into);
      if (!got.equals(blobs[i]!)) wrong++;
      if (got.length > into.length) into = Buffer.allocUnsafe(got.length);
    }
  };
  // without `into`: every result is the caller's to keep, whatever is read next
  const keepAll = async () => {
    const kept = [];
    for (let k = 0; k < blobs.length; k++) kept.push(await repo.getBlob(ids[(k * 7919) % blobs.length]!));
    for (let k = 0; k < blobs.length; k++) if (!kept[k]!.equals(blobs[(k * 7919) % blobs.length]!)) wrong++;
  };
  for (const [i, b] of blobs.entries()) await repo.putBlob(i % 10 === 0 ? BLOB_TREE : BLOB_DATA, ids[i]!, b);
  await readAll(); // some still in the open pack
  await keepAll();
  await repo.flush();
  await readAll();
  await keepAll();
  t.is(wrong, 0);
});
