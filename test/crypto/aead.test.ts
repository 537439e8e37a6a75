// src/crypto/aead.ts: seal/open round trips for both AEADs, tamper detection
// (every bit of a small message, truncation, extension, other associated data,
// another key, swapped blobs and objects) and that no two seals share a salt+iv.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { isStrataError } from '../../src/errors.js';
import {
  AEADS,
  SEAL_OVERHEAD,
  blobAad,
  objectAad,
  open,
  openBlob,
  openObject,
  seal,
  sealBlob,
  sealBlobParts,
  sealObject,
  sealParts,
  type AeadName,
} from '../../src/crypto/aead.js';

const KEY = randomBytes(32);

function corrupt(t: import('ava').ExecutionContext, f: () => unknown, contains?: string): void {
  const e = t.throws(f);
  t.true(isStrataError(e, 'E_CORRUPT'), String(e));
  if (contains) t.true(e!.message.includes(contains), e!.message);
}

for (const aead of AEADS) {
  test(`${aead}: round trip of empty, small and 1 MiB messages`, (t) => {
    for (const len of [0, 1, 15, 16, 17, 4096, 1 << 20]) {
      const p = randomBytes(len);
      const aad = randomBytes(7);
      const s = seal(aead, KEY, p, aad);
      t.is(s.length, len + SEAL_OVERHEAD);
      t.deepEqual(open(aead, KEY, s, aad, 'm'), p);
      if (len >= 16) t.false(s.includes(p.subarray(0, 16)), 'plaintext visible in the sealed bytes');
    }
  });

  test(`${aead}: sealParts gives the pieces of one seal, opened like seal's output`, (t) => {
    for (const len of [0, 5, 1 << 20]) {
      const p = randomBytes(len);
      const parts = sealParts(aead, KEY, p, Buffer.from('x'));
      t.deepEqual(parts.map((b) => b.length), [28, len, 16]);
      t.deepEqual(open(aead, KEY, Buffer.concat(parts), Buffer.from('x'), 'm'), p);
    }
    const id = randomBytes(32);
    const b = Buffer.concat(sealBlobParts(aead, KEY, id, 2, 0, Buffer.from('list')));
    t.is(openBlob(aead, KEY, id, 2, 0, b).toString(), 'list');
    t.throws(() => openBlob(aead, KEY, id, 1, 0, b));
  });

  test(`${aead}: every single flipped bit of a sealed message is detected`, (t) => {
    const p = Buffer.from('a small secret message');
    const aad = Buffer.from('aad');
    const s = seal(aead, KEY, p, aad);
    let detected = 0;
    for (let i = 0; i < s.length * 8; i++) {
      const x = Buffer.from(s);
      x[i >> 3]! ^= 1 << (i & 7);
      try {
        open(aead, KEY, x, aad, 'm');
      } catch (e) {
        if (isStrataError(e, 'E_CORRUPT')) detected++;
      }
    }
    t.is(detected, s.length * 8);
  });

  test(`${aead}: truncated, extended, other aad, other key, too short`, (t) => {
    const p = randomBytes(1000);
    const aad = Buffer.from('the aad');
    const s = seal(aead, KEY, p, aad);
    corrupt(t, () => open(aead, KEY, s.subarray(0, s.length - 1), aad, 'obj X'), 'obj X: authentication failed');
    corrupt(t, () => open(aead, KEY, s.subarray(0, s.length - 17), aad, 'm'));
    corrupt(t, () => open(aead, KEY, Buffer.concat([s, Buffer.of(0)]), aad, 'm'));
    corrupt(t, () => open(aead, KEY, s, Buffer.from('the aaD'), 'm'));
    corrupt(t, () => open(aead, KEY, s, Buffer.alloc(0), 'm'));
    corrupt(t, () => open(aead, randomBytes(32), s, aad, 'm'));
    corrupt(t, () => open(aead, KEY, s.subarray(0, SEAL_OVERHEAD - 1), aad, 'tiny'), 'tiny: sealed data too short');
    const other: AeadName = aead === 'aes-256-gcm' ? 'chacha20-poly1305' : 'aes-256-gcm';
    corrupt(t, () => open(other, KEY, s, aad, 'm'));
  });

  test(`${aead}: a blob cannot be swapped for another, nor change type or compression`, (t) => {
    const idA = randomBytes(32);
    const idB = randomBytes(32);
    const a = sealBlob(aead, KEY, idA, 0, 1, Buffer.from('content of A'));
    t.deepEqual(openBlob(aead, KEY, idA, 0, 1, a), Buffer.from('content of A'));
    corrupt(t, () => openBlob(aead, KEY, idB, 0, 1, a, 'pack P'), `blob ${idB.toString('hex')} in pack P`);
    corrupt(t, () => openBlob(aead, KEY, idA, 1, 1, a));
    corrupt(t, () => openBlob(aead, KEY, idA, 0, 0, a));
  });

  test(`${aead}: an object cannot be swapped for another name or kind`, (t) => {
    const m = sealObject(aead, KEY, 'snapshot', 'aa11', Buffer.from('{"host":"h"}'));
    t.is(openObject(aead, KEY, 'snapshot', 'aa11', m).toString(), '{"host":"h"}');
    corrupt(t, () => openObject(aead, KEY, 'snapshot', 'bb22', m), 'snapshot bb22: authentication failed');
    corrupt(t, () => openObject(aead, KEY, 'index', 'aa11', m), 'index aa11');
    corrupt(t, () => openObject(aead, KEY, 'snapshot', 'aa11', m.subarray(0, m.length - 3)));
  });
}

test('associated data layouts are the ones docs/encryption.md states', (t) => {
  const id = Buffer.alloc(32, 0xab);
  t.deepEqual(blobAad(id, 1, 0), Buffer.concat([Buffer.from('strata-blob\0'), Buffer.of(1, 0), id]));
  t.deepEqual(objectAad('pack-table', 'ff00'), Buffer.from('strata-object\0pack-table\0ff00', 'latin1'));
  t.throws(() => objectAad('snapshot', 'a b'));
  t.throws(() => blobAad(Buffer.alloc(31), 0, 0));
  t.throws(() => seal('aes-256-gcm', Buffer.alloc(16), Buffer.alloc(1), Buffer.alloc(0)));
});

test('nonces never repeat: 200,000 seals (seal and sealParts) of the same message under one key give distinct salt+iv and distinct ciphertexts', (t) => {
  const seen = new Set<string>();
  const ivs = new Set<string>();
  const p = Buffer.alloc(16);
  const aad = Buffer.alloc(0);
  const n = 200_000;
  for (let i = 0; i < n; i++) {
    const s = i % 2 ? seal('aes-256-gcm', KEY, p, aad) : Buffer.concat(sealParts('aes-256-gcm', KEY, p, aad));
    seen.add(s.subarray(0, 28).toString('latin1'));
    ivs.add(s.subarray(28, 44).toString('latin1')); // ciphertext of the same plaintext: differs with the subkey/iv
  }
  t.is(seen.size, n);
  t.is(ivs.size, n);
});
