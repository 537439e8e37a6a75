// src/hash.ts: BLAKE3 against the official test vectors (one-shot, incremental, XOF),
// hex helpers, and that the `blake3` package runs its native backend, not the WASM fallback.
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as b3 from 'blake3';
import * as native from '@c4312/blake3-native';
import { HASH_LEN, fromHex, hashBytes, nativeCreateHash, newHasher, toHex } from '../src/hash.js';
import * as keyed from '../src/crypto/keyed-hash.js';
import { ROOT, pseudoRandom } from './helpers/cli.js';

/** The input of BLAKE3's test_vectors.json: byte i is i % 251. */
const pattern = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => i % 251));

// BLAKE3 test_vectors/test_vectors.json, "hash" (first 32 bytes), unkeyed mode
const VECTORS: [number, string][] = [
  [0, 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262'],
  [1, '2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213'],
  [1023, '10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11'],
  [1024, '42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7'],
  [1025, 'd00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444'],
];
// the full 131-byte extended output for the empty input (the chunker's gear table uses the XOF)
const EMPTY_XOF_131 =
  'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262e00f03e7b69af26b7faaf09fcd333050338ddfe085b8cc869ca98b206c08243a26f5487789e8f660afe6c99ef9e0c52b92e7393024a80459cf91f476f9ffdbda7001c22e159b402631f277ca96f2defdf1078282314e763699a31c5363165421cce14d';

test('hashBytes matches the official BLAKE3 test vectors', (t) => {
  for (const [n, hex] of VECTORS) {
    const h = hashBytes(pattern(n));
    t.true(Buffer.isBuffer(h));
    t.is(h.length, HASH_LEN);
    t.is(h.toString('hex'), hex, `input length ${n}`);
  }
  t.is(hashBytes(Buffer.from('abc')).toString('hex'), '6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85');
});

test('small inputs: the WebAssembly path (loaded after many small hashes) agrees with the native one', async (t) => {
  t.truthy(nativeCreateHash, 'the native binding is used directly');
  const inputs = Array.from({ length: 300 }, (_, i) => pseudoRandom(1 + ((i * 977) % 20_000), i + 1));
  const first = inputs.map((d) => hashBytes(d)); // native (the WebAssembly build loads meanwhile)
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const [i, d] of inputs.entries()) t.deepEqual(hashBytes(d), first[i], `input ${i} (${d.length} bytes)`);
  for (const [n, hex] of VECTORS) t.is(hashBytes(pattern(n)).toString('hex'), hex, `input length ${n}`);
});

test('the incremental hasher equals the one-shot hash, whatever the pieces', (t) => {
  for (const [n, hex] of VECTORS) {
    const h = newHasher();
    const data = pattern(n);
    for (let o = 0; o < n; o += 100) h.update(data.subarray(o, o + 100));
    t.is(h.digest().toString('hex'), hex, `input length ${n}`);
  }
  const big = pseudoRandom(3 << 20, 11);
  const h = newHasher();
  let o = 0;
  for (const step of [1, 63, 64, 65, 1000, 65536, 1 << 20]) {
    h.update(big.subarray(o, o + step));
    o += step;
  }
  h.update(big.subarray(o));
  t.deepEqual(h.digest(), hashBytes(big));
});

test('the XOF (used for the chunker gear table) matches the official extended output', (t) => {
  const out = b3.hash(Buffer.alloc(0), { length: 131 }) as Buffer;
  t.is(out.toString('hex'), EMPTY_XOF_131);
  // a longer output is an extension of a shorter one
  const x1024 = b3.hash(Buffer.from('strata-gear:00'), { length: 1024 }) as Buffer;
  t.deepEqual(x1024.subarray(0, 32), hashBytes(Buffer.from('strata-gear:00')));
});

test('toHex honours the view of a subarray; fromHex inverts it', (t) => {
  const base = Buffer.from('00112233445566778899', 'hex');
  const view = new Uint8Array(base.buffer, base.byteOffset + 3, 4);
  t.is(toHex(view), '33445566');
  t.deepEqual(fromHex('33445566'), Buffer.from([0x33, 0x44, 0x55, 0x66]));
  const h = hashBytes(Buffer.from('x'));
  t.deepEqual(fromHex(toHex(h)), h);
});

test('blake3 runs its native backend (a failed native build silently falls back to WebAssembly)', (t) => {
  const dir = path.join(ROOT, 'node_modules/blake3');
  // blake3's postinstall rewrites its entry points to re-export whichever backend loaded
  t.regex(fs.readFileSync(path.join(dir, 'index.cjs'), 'utf8'), /require\("@c4312\/blake3-native"\)/, 'index.cjs re-exports blake3-wasm: the native build failed');
  t.regex(fs.readFileSync(path.join(dir, 'index.mjs'), 'utf8'), /from '@c4312\/blake3-native'/, 'index.mjs re-exports blake3-wasm: the native build failed');
  t.notRegex(fs.readFileSync(path.join(dir, 'index.mjs'), 'utf8'), /blake3-wasm/);
  const nativeDir = path.dirname(createRequire(path.join(dir, 'index.cjs')).resolve('@c4312/blake3-native/package.json'));
  const release = path.join(nativeDir, 'build/Release');
  const addons = fs.existsSync(release) ? fs.readdirSync(release).filter((f) => f.endsWith('.node')) : [];
  t.true(addons.length > 0, `no compiled addon in ${release}`);
  // and what `import 'blake3'` gives at run time is the native module's function
  t.is(b3.hash, native.hash);
  t.is(b3.createHash, native.createHash);
});

test('views of shared memory hash like private copies (the native binding would crash reading them)', (t) => {
  const { keyedHash, newKeyedHasher } = keyed;
  const key = Buffer.alloc(32, 7);
  for (const n of [0, 1, 1000, 16 << 10, 300 << 10, (1 << 20) + 5]) {
    const priv = pseudoRandom(n, n + 1);
    const shared = Buffer.from(new SharedArrayBuffer(n + 3)).subarray(3);
    priv.copy(shared);
    t.deepEqual(hashBytes(shared), hashBytes(priv), `hashBytes ${n}`);
    const h = newHasher();
    h.update(shared.subarray(0, n >> 1));
    h.update(shared.subarray(n >> 1));
    t.deepEqual(h.digest(), hashBytes(priv), `newHasher ${n}`);
    t.deepEqual(keyedHash(key, shared), keyedHash(key, priv), `keyedHash ${n}`);
    const k = newKeyedHasher(key);
    k.update(shared);
    t.deepEqual(k.digest(), keyedHash(key, priv), `newKeyedHasher ${n}`);
  }
});
