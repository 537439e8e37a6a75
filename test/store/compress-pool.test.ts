// src/compress-pool.ts: blobs compressed on worker threads come back exactly
// once each, decompress to their input, stay raw when zstd does not pay, and
// the shared ring wraps and applies backpressure without mixing blobs up.
import test from 'ava';
import { CompressPool } from '../../src/store/compress-pool.js';
import { COMP_NONE, COMP_ZSTD, decompressBlob } from '../../src/compress.js';
import { pseudoRandom } from '../helpers/cli.js';

const LINES = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `line ${i % 97}: ${(i * 7919) % 1013}\n`).join(''));
/** Compressible bytes, different per seed. */
const text = (n: number, seed: number) => {
  const b = Buffer.from(LINES.subarray((seed * 131) % 1000, ((seed * 131) % 1000) + n));
  b.writeUInt32LE(seed, 0);
  return b;
};

test('every blob comes back once, compressed when it pays, raw otherwise', async (t) => {
  const pool = new CompressPool(3, { workers: 2, ringBytes: 4 << 20 });
  t.teardown(() => pool.close());
  const inputs: Buffer[] = [];
  for (let i = 0; i < 60; i++) inputs.push(i % 3 === 2 ? pseudoRandom(1000 + i * 1001, i + 1) : text(500 + i * 7919, i));
  const got = new Map<number, { comp: number; data: Buffer }>();
  for (const [i, raw] of inputs.entries()) {
    await pool.submit(raw, (comp, data) => {
      t.false(got.has(i), `blob ${i} reported twice`);
      got.set(i, { comp, data: Buffer.from(data.slice()) });
    });
  }
  await pool.drain();
  t.is(pool.pending, 0);
  t.is(got.size, inputs.length);
  for (const [i, raw] of inputs.entries()) {
    const { comp, data } = got.get(i)!;
    t.is(comp, i % 3 === 2 ? COMP_NONE : COMP_ZSTD, `blob ${i}`);
    t.true(decompressBlob(data, comp, raw.length).equals(raw), `blob ${i} round-trips`);
  }
});

test('a small ring wraps around and makes submit wait, without mixing blobs', async (t) => {
  const pool = new CompressPool(1, { workers: 1, ringBytes: 1 << 20 });
  t.teardown(() => pool.close());
  const n = 80;
  let seen = 0;
  for (let i = 0; i < n; i++) {
    const raw = text(100_000 + ((i * 37) % 150_000), i);
    await pool.submit(raw, (comp, data) => {
      t.true(decompressBlob(Buffer.from(data.slice()), comp, raw.length).equals(raw));
      seen++;
    });
  }
  await pool.drain();
  t.is(seen, n);
  await t.throwsAsync(pool.submit(Buffer.alloc(600_000), () => undefined), { instanceOf: RangeError }, 'larger than half the ring');
});

test('an exception in a callback fails the pool instead of hanging it', async (t) => {
  const pool = new CompressPool(3, { workers: 1, ringBytes: 1 << 20 });
  t.teardown(() => pool.close());
  await pool.submit(text(10_000, 1), () => {
    throw new Error('boom');
  });
  await t.throwsAsync(pool.drain(), { message: 'boom' });
});
