// Chunker.nextAvailable: cutting a stream through small windows (as the file
// saver does, refilling only when no cut is in sight) gives exactly the cut
// points of cutting the whole buffer at once.
import test from 'ava';
import { Chunker } from '../src/chunker.js';
import { pseudoRandom } from './helpers/cli.js';

const P = { min: 2048, avg: 8192, max: 65536, seed: 'stream' };

function streamCuts(c: Chunker, data: Buffer, window: number): number[] {
  const out: number[] = [];
  let pos = 0; // start of the unconsumed bytes
  let end = Math.min(window, data.length); // bytes "read" so far
  for (;;) {
    const eof = end === data.length;
    const len = c.nextAvailable(data, pos, end, eof);
    if (len < 0) {
      end = Math.min(end + window, data.length);
      continue;
    }
    if (len === 0) return out;
    out.push(len);
    pos += len;
  }
}

test('cuts found through small windows equal the cuts of the whole buffer', (t) => {
  for (const normalization of [0, 2]) {
    const c = new Chunker({ ...P, normalization });
    const data = Buffer.concat([pseudoRandom(900_000, 3), Buffer.alloc(200_000, 7), pseudoRandom(300_000, 4)]);
    const whole = c.split(data);
    for (const window of [1000, 4096, 70_000, 1 << 20]) t.deepEqual(streamCuts(c, data, window), whole, `window ${window}, normalization ${normalization}`);
  }
});

test('-1 only while no cut is in sight; never before min bytes', (t) => {
  const c = new Chunker(P);
  const data = pseudoRandom(P.max * 2, 5);
  const first = c.next(data, 0, data.length, true);
  t.is(c.nextAvailable(data, 0, P.min, false), -1);
  t.is(c.nextAvailable(data, 0, first - 1, false), -1, 'the byte that ends the chunk is not there yet');
  t.is(c.nextAvailable(data, 0, first, false), first);
  t.is(c.nextAvailable(data, 0, 10, true), 10, 'at eof the rest is the last chunk');
});
