// docs/format.md §11.8 followed by an independent reader on a repository the
// CLI made: the key object, the config secret, a snapshot manifest, a pack
// table and a blob are opened here with node:crypto (scrypt, HMAC-SHA256,
// AES-256-GCM) and b3sum only — none of strata's code. If the code and the
// document drift apart, this fails.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createDecipheriv, createHmac, scryptSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ok, tmpDir, writeTree } from '../helpers/cli.js';

const b3 = (file: string, key?: Buffer): string => execFileSync('b3sum', [...(key ? ['--keyed'] : []), '--no-names', file], { input: key ?? '' }).toString().trim();

function open(K: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  const k = createHmac('sha256', K).update(sealed.subarray(0, 16)).digest();
  const d = createDecipheriv('aes-256-gcm', k, sealed.subarray(16, 28), { authTagLength: 16 });
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(28, sealed.length - 16)), d.final()]);
}

const lp = (fields: string[]): Buffer =>
  Buffer.concat(
    fields.flatMap((f) => {
      const b = Buffer.from(f, 'utf8');
      const n = Buffer.alloc(4);
      n.writeUInt32LE(b.length);
      return [n, b];
    }),
  );
const objAad = (kind: string, name: string): Buffer => Buffer.from(`strata-object\0${kind}\0${name}`, 'latin1');

test('a repository made by the CLI is decrypted by hand following docs/format.md §11.8', (t) => {
  try {
    execFileSync('b3sum', ['--version']);
  } catch {
    return t.fail('b3sum is needed (Debian package b3sum)');
  }
  const base = tmpDir(t);
  const repo = path.join(base, 'repo');
  const src = path.join(base, 'src');
  const content = 'the content an independent reader must find\n'.repeat(40);
  writeTree(src, { 'f.txt': content });
  const password = 'independent password';
  const env = { STRATA_PASSWORD: password };
  ok(t, ['init', '--repo', repo, '--compression', '0'], { env });
  ok(t, ['snapshot', src], { repo, env });

  // 1. config
  const config = JSON.parse(fs.readFileSync(path.join(repo, 'config'), 'utf8'));
  t.is(config.version, 2);
  t.is(config.encryption, 'aes-256-gcm');
  // 2. the key object: name check, scrypt, open the master key
  const [keyId] = fs.readdirSync(path.join(repo, 'keys'));
  const keyFile = path.join(repo, 'keys', keyId!);
  t.is(b3(keyFile), keyId);
  const key = JSON.parse(fs.readFileSync(keyFile, 'utf8'));
  const W = scryptSync(password, Buffer.from(key.kdf.salt, 'base64'), 32, { N: key.kdf.N, r: key.kdf.r, p: key.kdf.p, maxmem: 256 << 20 });
  const aadKey = Buffer.concat([Buffer.from('strata-key\0', 'latin1'), lp(['1', key.repository, key.created, key.host, key.username, 'scrypt', String(key.kdf.N), String(key.kdf.r), String(key.kdf.p), key.kdf.salt, key.aead])]);
  const master = open(W, Buffer.from(key.master, 'base64'), aadKey);
  t.is(master.length, 97);
  t.is(master[0], 1);
  const encrypt = master.subarray(1, 33);
  const blobIdKey = master.subarray(33, 65);
  // 3. the config secret
  const secret = JSON.parse(open(encrypt, Buffer.from(config.secret, 'base64'), objAad('config', config.id)).toString('utf8'));
  t.is(typeof secret.chunker.seed, 'string');
  // 4. the manifest: open, check the keyed name
  const [snapId] = fs.readdirSync(path.join(repo, 'snapshots'));
  const manifestBytes = open(encrypt, fs.readFileSync(path.join(repo, 'snapshots', snapId!)), objAad('snapshot', snapId!));
  const mf = path.join(base, 'manifest.json');
  fs.writeFileSync(mf, manifestBytes);
  t.is(b3(mf, Buffer.from(blobIdKey)), snapId);
  t.is(JSON.parse(manifestBytes.toString('utf8')).source, fs.realpathSync(src));
  // 5. pack tables: every blob by its id
  const blobs = new Map<string, { type: number; sealed: Buffer; aad: Buffer }>();
  for (const e of fs.readdirSync(path.join(repo, 'packs'), { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const name = e.name;
    const pack = fs.readFileSync(path.join(e.parentPath, name));
    t.is(pack.subarray(0, 8).toString('latin1'), 'STRPACK\x02');
    t.is(pack.subarray(pack.length - 8).toString('latin1'), 'STRTRL\x00\x02');
    t.is(b3(path.join(e.parentPath, name)), name, 'a pack is named by the BLAKE3 of the file');
    const L = pack.readUInt32LE(pack.length - 12);
    const table = open(encrypt, pack.subarray(pack.length - 12 - L, pack.length - 12), objAad('pack-table', 'pack'));
    for (let o = 0; o < table.length; o += 48) {
      const id = table.subarray(o, o + 32);
      const [type, comp] = [table[o + 32]!, table[o + 33]!];
      const offset = table.readUInt32LE(o + 36);
      const length = table.readUInt32LE(o + 40);
      t.is(comp, 0, 'init --compression 0: every blob is stored raw');
      blobs.set(id.toString('hex'), { type, sealed: pack.subarray(offset, offset + length), aad: Buffer.concat([Buffer.from('strata-blob\0', 'latin1'), Buffer.from([type, comp]), id]) });
    }
  }
  // 6. read a blob: open it, check keyed(blobId, raw) == id (§11.5.1: ids are keyed, never the plain BLAKE3)
  const readBlob = (id: string): Buffer => {
    const b = blobs.get(id);
    if (!b) throw new Error(`blob ${id} is in no pack table`);
    const raw = open(encrypt, b.sealed, b.aad);
    const f = path.join(base, 'blob');
    fs.writeFileSync(f, raw);
    t.is(b3(f, Buffer.from(blobIdKey)), id, 'a blob id is the keyed BLAKE3 of its raw bytes');
    return raw;
  };
  const tree = readBlob(JSON.parse(manifestBytes.toString('utf8')).root);
  // the root tree (§6.1): magic, version, 1 entry: f.txt, a file of one chunk
  t.is(tree.subarray(0, 4).toString('latin1'), 'STRT');
  t.is(tree.readUInt32LE(5), 1);
  const nameLen = tree.readUInt16LE(9);
  t.is(tree.subarray(11, 11 + nameLen).toString('utf8'), 'f.txt');
  let o = 11 + nameLen;
  t.is(tree[o], 0, 'kind file');
  o += 1 + 4 + 4 + 4 + 8 + 8;
  const contentHash = tree.subarray(o, o + 32).toString('hex');
  const contentFile = path.join(src, 'f.txt');
  t.is(contentHash, b3(contentFile), 'the content hash is the plain BLAKE3 of the file');
  t.is(tree[o + 32], 0, 'chunk ids inline');
  t.is(tree.readUInt32LE(o + 33), 1, 'one chunk');
  const chunkId = tree.subarray(o + 37, o + 69).toString('hex');
  t.is(chunkId, b3(contentFile, Buffer.from(blobIdKey)), "the one chunk's id is keyed, not the content hash");
  t.not(chunkId, contentHash);
  t.is(readBlob(chunkId).toString('utf8'), content);
  t.false(blobs.has(contentHash), "the file's plain BLAKE3 names no blob");
});
