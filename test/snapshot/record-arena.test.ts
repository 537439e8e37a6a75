// snapshot/record-arena.ts: records copied compactly, so holding them until a
// snapshot's blobs are durable does not hold the 8 KiB pool slabs they were
// cut from (a 10M-file first snapshot held ~400 MiB of slabs that way).
import test from 'ava';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { RecordArena } from '../../src/snapshot/record-arena.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** A record the way dir-builder made them: a small Buffer.allocUnsafe, between other short-lived allocations. */
function record(i: number): [Buffer, Buffer] {
  const k = Buffer.allocUnsafe(24);
  k.writeUInt32LE(i, 0);
  k.fill(7, 4);
  const v = Buffer.allocUnsafe(96);
  v.fill(i & 0xff);
  for (let j = 0; j < 40; j++) Buffer.allocUnsafe(180).fill(j); // the per-file garbage of a directory
  return [k, v];
}

function heldBytes(hold: (k: Buffer, v: Buffer) => void, n: number): number {
  gc();
  gc();
  const before = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < n; i++) hold(...record(i));
  gc();
  gc();
  return process.memoryUsage().arrayBuffers - before;
}

test('records come back in order, as they were, whatever the caller did with its buffers after', (t) => {
  const a = new RecordArena();
  const big = Buffer.alloc(40_000, 9); // larger than an arena slice: kept whole
  const k = Buffer.from('key-1');
  const v = Buffer.from('value-1');
  a.push(k, v);
  k.fill(0);
  v.fill(0);
  a.push(Buffer.from('key-2'), big);
  t.is(a.size, 2);
  const out = a.take();
  t.deepEqual(out.map((b) => b.toString('latin1', 0, 7)), ['key-1', 'value-1', 'key-2', big.toString('latin1', 0, 7)]);
  t.true(out[3]!.equals(big));
  t.is(a.size, 0);
  t.deepEqual(a.take(), []);
});

test('holding 20,000 records costs their bytes, not the pool slabs they were cut from', (t) => {
  const n = 20_000;
  const plain: Buffer[] = [];
  const slabs = heldBytes((k, v) => plain.push(k, v), n);
  const arena = new RecordArena();
  const compact = heldBytes((k, v) => arena.push(k, v), n);
  t.log(`held directly: ${(slabs / 2 ** 20).toFixed(1)} MiB; in the arena: ${(compact / 2 ** 20).toFixed(1)} MiB (records: ${((n * 120) / 2 ** 20).toFixed(1)} MiB)`);
  t.true(slabs > n * 4096, 'the way it was: each record keeps a slab alive');
  // the records are 2.3 MiB; some of the garbage's slabs may survive one gc: a bound with room, far below the slabs
  t.true(compact < slabs / 5, 'in the arena: a fraction of the slabs');
  t.is(plain.length, 2 * n);
  t.is(arena.take().length, 2 * n);
});
