// src/compress.ts: zstd round trips, the raw (COMP_NONE) fallback when compression does not
// pay, and damaged or mislabelled input reported as StrataError E_CORRUPT.
import test from 'ava';
import { COMP_NONE, COMP_ZSTD, compressBlob, decompressBlob } from '../src/compress.js';
import { StrataError } from '../src/errors.js';
import { pseudoRandom } from './helpers/cli.js';

const TEXT = Buffer.from('the quick brown fox jumps over the lazy dog\n'.repeat(2000));
const corrupt = { instanceOf: StrataError, code: 'E_CORRUPT' } as const;

test('compressible data round-trips through a zstd frame', (t) => {
  for (const level of [1, 3, 19]) {
    const { data, comp } = compressBlob(TEXT, level);
    t.is(comp, COMP_ZSTD);
    t.true(data.length < TEXT.length / 10, `level ${level}: ${data.length} bytes`);
    t.deepEqual(data.subarray(0, 4), Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), 'zstd frame magic');
    t.deepEqual(decompressBlob(data, comp, TEXT.length), TEXT);
  }
});

test('random data is stored raw (COMP_NONE), byte for byte', (t) => {
  const raw = pseudoRandom(256 * 1024, 3);
  const { data, comp } = compressBlob(raw, 3);
  t.is(comp, COMP_NONE);
  t.deepEqual(data, raw);
  t.is(decompressBlob(data, COMP_NONE, raw.length), data);
});

test('tiny blobs and level 0 are never compressed; a raw view keeps its offset', (t) => {
  t.is(compressBlob(Buffer.alloc(63), 3).comp, COMP_NONE);
  t.is(compressBlob(Buffer.alloc(64), 3).comp, COMP_ZSTD);
  t.is(compressBlob(TEXT, 0).comp, COMP_NONE);
  const backing = Buffer.concat([Buffer.from('xxxx'), pseudoRandom(1000, 4)]);
  const view = new Uint8Array(backing.buffer, backing.byteOffset + 4, 1000);
  const { data, comp } = compressBlob(view, 3);
  t.is(comp, COMP_NONE);
  t.deepEqual(data, backing.subarray(4));
});

test('damaged or mislabelled input throws E_CORRUPT', (t) => {
  const { data } = compressBlob(TEXT, 3);
  t.throws(() => decompressBlob(data.subarray(0, data.length - 3), COMP_ZSTD, TEXT.length), corrupt); // truncated frame
  t.throws(() => decompressBlob(pseudoRandom(500, 8), COMP_ZSTD, 500), corrupt); // not a frame
  t.throws(() => decompressBlob(data, COMP_ZSTD, TEXT.length + 1), corrupt); // wrong raw length
  t.throws(() => decompressBlob(data, 2, TEXT.length), { ...corrupt, message: /unknown compression 2/ });
  t.throws(() => decompressBlob(data, 255, TEXT.length), corrupt);
});
