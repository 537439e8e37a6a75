// docs/encryption.md §8 followed by an independent reader: a key object, a
// sealed blob, a sealed manifest and a config secret made by src/crypto are
// opened here with node:crypto primitives (scrypt, HMAC-SHA256, AES-256-GCM /
// ChaCha20-Poly1305), the zstd command-line tool and b3sum only — none of
// strata's code — exactly as the document says. If the code and the document
// drift apart, this fails.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createDecipheriv, createHmac, randomBytes, scryptSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sealBlob, sealObject, type AeadName } from '../../src/crypto/aead.js';
import { gearBytes, keyedHash } from '../../src/crypto/keyed-hash.js';
import { createKeyObject, newMasterKey } from '../../src/crypto/keys.js';
import { compressBlob } from '../../src/compress.js';

// ---- the independent side: only node:crypto, zstd(1) and b3sum(1) ----

function withTmp<T>(f: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-indep-'));
  try {
    return f(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** b3sum of `data`, keyed when `key` is given */
const b3sum = (data: Buffer, key?: Buffer): string =>
  withTmp((dir) => {
    fs.writeFileSync(path.join(dir, 'd'), data);
    return execFileSync('b3sum', [...(key ? ['--keyed'] : []), '--no-names', path.join(dir, 'd')], { input: key ?? '' }).toString().trim();
  });

const zstdDecompress = (data: Buffer): Buffer =>
  withTmp((dir) => {
    fs.writeFileSync(path.join(dir, 'z.zst'), data);
    return execFileSync('zstd', ['-d', '-q', '-c', path.join(dir, 'z.zst')]);
  });

/** §4 open: s(16) ‖ iv(12) ‖ C ‖ T(16); k = HMAC-SHA256(K, s) */
function docOpen(aead: string, K: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  const s = sealed.subarray(0, 16);
  const iv = sealed.subarray(16, 28);
  const C = sealed.subarray(28, sealed.length - 16);
  const T = sealed.subarray(sealed.length - 16);
  const k = createHmac('sha256', K).update(s).digest();
  const d = createDecipheriv(aead as 'aes-256-gcm', k, iv, { authTagLength: 16 });
  d.setAAD(aad);
  d.setAuthTag(T);
  return Buffer.concat([d.update(C), d.final()]);
}

const lenPrefixed = (fields: string[]): Buffer =>
  Buffer.concat(
    fields.flatMap((f) => {
      const b = Buffer.from(f, 'utf8');
      const n = Buffer.alloc(4);
      n.writeUInt32LE(b.length);
      return [n, b];
    }),
  );

/** §8 step 2: the master key's three parts from a key object file and a password */
function docOpenKey(id: string, file: Buffer, password: string, repoId: string): { encrypt: Buffer; blobId: Buffer; chunker: Buffer } {
  if (b3sum(file) !== id) throw new Error('key object name mismatch');
  const j = JSON.parse(file.toString('utf8'));
  if (j.format !== 'strata-key' || j.version !== 1 || j.repository !== repoId || j.kdf.name !== 'scrypt') throw new Error('not a key of this repository');
  const W = scryptSync(Buffer.from(password, 'utf8'), Buffer.from(j.kdf.salt, 'base64'), 32, { N: j.kdf.N, r: j.kdf.r, p: j.kdf.p, maxmem: 512 << 20 });
  const aad = Buffer.concat([
    Buffer.from('strata-key\0', 'latin1'),
    lenPrefixed(['1', j.repository, j.created, j.host, j.username, 'scrypt', String(j.kdf.N), String(j.kdf.r), String(j.kdf.p), j.kdf.salt, j.aead]),
  ]);
  const m = docOpen(j.aead, W, Buffer.from(j.master, 'base64'), aad);
  if (m.length !== 97 || m[0] !== 1) throw new Error('bad master key');
  return { encrypt: m.subarray(1, 33), blobId: m.subarray(33, 65), chunker: m.subarray(65, 97) };
}

const objAad = (kind: string, name: string): Buffer => Buffer.from(`strata-object\0${kind}\0${name}`, 'latin1');

// ---- the test ----

for (const aead of ['aes-256-gcm', 'chacha20-poly1305'] as AeadName[]) {
  test(`${aead}: a key, a blob, a manifest and the config secret decrypt by the document alone`, async (t) => {
    const repoId = '0b6d1a44-5a2e-4c1f-9a57-6f1d0c0e7a11';
    const password = 'correct horse battery stäple';
    const master = newMasterKey();
    const key = await createKeyObject(master, password, { repository: repoId, kdf: { N: 1 << 14, r: 8, p: 1, salt: randomBytes(32) }, aead, host: 'h', username: 'u' });

    // a data blob: compressible text, as a writer stores it (§6.3)
    const raw = Buffer.from('MARKER-in-file-content '.repeat(2000));
    const id = keyedHash(master.blobId, raw);
    const { data: stored, comp } = compressBlob(raw, 3);
    t.is(comp, 1, 'the blob is zstd-compressed, so decompression is exercised');
    const sealedBlob = sealBlob(aead, master.encrypt, id, 0, comp, stored);
    t.false(sealedBlob.includes(Buffer.from('MARKER')));

    // a manifest (§6.5) and a config secret (§6.1)
    const manifest = Buffer.from(JSON.stringify({ version: 1, host: 'MARKER-host', source: '/home/MARKER-src', root: id.toString('hex') }));
    const snapId = keyedHash(master.blobId, manifest).toString('hex');
    const sealedManifest = sealObject(aead, master.encrypt, 'snapshot', snapId, manifest);
    const secret = Buffer.from(JSON.stringify({ created: '2026-12-01T00:00:00.000Z', chunker: { min: 1, avg: 2, max: 3, normalization: 0 } }));
    const sealedSecret = sealObject(aead, master.encrypt, 'config', repoId, secret);

    // the independent reader
    const m = docOpenKey(key.id, key.bytes, password, repoId);
    t.throws(() => docOpenKey(key.id, key.bytes, 'wrong', repoId));

    const blobAad = Buffer.concat([Buffer.from('strata-blob\0', 'latin1'), Buffer.of(0, comp), id]);
    const opened = docOpen(aead, m.encrypt, sealedBlob, blobAad);
    const plain = comp === 1 ? zstdDecompress(opened) : opened;
    t.deepEqual(plain, raw);
    t.is(b3sum(plain, m.blobId), id.toString('hex'), 'blob id = keyed BLAKE3 under blobId');
    t.throws(() => docOpen(aead, m.encrypt, sealedBlob, Buffer.concat([Buffer.from('strata-blob\0', 'latin1'), Buffer.of(1, comp), id])));

    const man = docOpen(aead, m.encrypt, sealedManifest, objAad('snapshot', snapId));
    t.is(b3sum(man, m.blobId), snapId);
    t.is(JSON.parse(man.toString('utf8')).host, 'MARKER-host');
    t.deepEqual(docOpen(aead, m.encrypt, sealedSecret, objAad('config', repoId)), secret);

    // §5.2 gear bytes: keyed(chunker, "strata-gear", 1024) — by b3sum's XOF
    const gear = withTmp((dir) => {
      fs.writeFileSync(path.join(dir, 'g'), 'strata-gear');
      return execFileSync('b3sum', ['--keyed', '--no-names', '-l', '1024', path.join(dir, 'g')], { input: m.chunker }).toString().trim();
    });
    t.is(gear, gearBytes(master.chunker).toString('hex'));
  });
}
