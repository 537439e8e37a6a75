// src/crypto/repo-cipher.ts: the encrypted and the plain variant behind one
// interface — ids, blob round trips, content-named objects checked against
// their names, and nothing of the plaintext in what an encrypted one stores.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { isStrataError } from '../../src/errors.js';
import { encryptedCipher, plainCipher } from '../../src/crypto/repo-cipher.js';
import { keyedHash } from '../../src/crypto/keyed-hash.js';
import { newMasterKey } from '../../src/crypto/keys.js';
import { hashBytes, toHex } from '../../src/hash.js';

const RAW = Buffer.from('MARKER-content '.repeat(100));

test('encrypted: keyed ids, sealed blobs, named objects bound to their keyed name', (t) => {
  const m = newMasterKey();
  const c = encryptedCipher(m);
  t.is(c.encryption, 'aes-256-gcm');
  const id = c.blobId(RAW);
  t.deepEqual(id, keyedHash(m.blobId, RAW));
  t.notDeepEqual(id, hashBytes(RAW));
  const h = c.newBlobHasher();
  h.update(RAW.subarray(0, 10));
  h.update(RAW.subarray(10));
  t.deepEqual(h.digest(), id);
  t.is(c.gearBytes()!.length, 1024);
  const s = c.sealBlob(id, 0, 0, RAW);
  t.is(s.length, RAW.length + c.blobOverhead);
  t.false(s.includes(Buffer.from('MARKER')));
  t.deepEqual(c.openBlob(id, 0, 0, s), RAW);
  const e = t.throws(() => c.openBlob(c.blobId(Buffer.from('x')), 0, 0, s, 'pack P'));
  t.true(isStrataError(e, 'E_CORRUPT') && e.message.includes('in pack P'), e?.message);

  const manifest = Buffer.from('{"host":"MARKER-host"}');
  const { name, bytes } = c.sealNamed('snapshot', manifest);
  t.is(name, toHex(keyedHash(m.blobId, manifest)));
  t.false(bytes.includes(Buffer.from('MARKER')));
  t.deepEqual(c.openNamed('snapshot', name, bytes), manifest);
  t.throws(() => c.openNamed('index', name, bytes)); // another kind
  t.throws(() => c.openNamed('snapshot', toHex(randomBytes(32)), bytes)); // renamed
  // the same master key in another process opens it; another master key does not
  t.deepEqual(encryptedCipher(m).openNamed('snapshot', name, bytes), manifest);
  t.throws(() => encryptedCipher(newMasterKey()).openNamed('snapshot', name, bytes));
});

test('plain ("encryption": "none"): format 1 ids and bytes, names still checked', (t) => {
  const c = plainCipher();
  t.is(c.encryption, 'none');
  t.is(c.blobOverhead, 0);
  t.deepEqual(c.blobId(RAW), hashBytes(RAW));
  t.is(c.gearBytes(), undefined);
  t.deepEqual(c.sealBlob(c.blobId(RAW), 0, 0, RAW), RAW);
  const { name, bytes } = c.sealNamed('snapshot', Buffer.from('{}'));
  t.is(name, toHex(hashBytes(Buffer.from('{}'))));
  t.deepEqual(c.openNamed('snapshot', name, bytes), Buffer.from('{}'));
  const e = t.throws(() => c.openNamed('snapshot', name, Buffer.from('{ }')));
  t.true(isStrataError(e, 'E_CORRUPT') && e.message === `snapshot ${name}: content does not match its name`);
});
