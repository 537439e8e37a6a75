// The code of a compression worker (compress-pool.ts): takes jobs from a
// queue in shared memory, compresses blobs that sit in the shared ring and
// writes each result back in place; a blob stays raw when zstd would not save
// at least 3% (the rule of compress.ts). No messages: a busy worker takes the
// next job without a wake-up, an idle one sleeps in Atomics.wait until the
// pool notifies it. It is plain CommonJS run with `eval`, so it needs no
// loader (tsx or tsc) to start.
import { createRequire } from 'node:module';
/** Control words at the start of the queue. */
export const Q_PUBLISHED = 0; // jobs published (sequence numbers below this are valid)
export const Q_CLAIMED = 1; // jobs taken by a worker
export const Q_SLEEPERS = 2; // workers asleep in Atomics.wait on Q_PUBLISHED
export const Q_DONE = 3; // jobs finished (the pool waits on this)
export const Q_WAITING = 4; // 1 while the pool waits for Q_DONE
export const Q_STOP = 5; // 1: workers exit
export const Q_HEADER = 8;
/** Per slot: ring offset, length, state (0 free, 1 queued, 2 done), comp, stored length. */
export const JOB_WORDS = 5;
export const J_OFF = 0;
export const J_LEN = 1;
export const J_STATE = 2;
export const J_COMP = 3;
export const J_OUT = 4;
export const bindingPath = () => createRequire(import.meta.url).resolve('zstd-napi/binding');
export const WORKER_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const { ring, queue, slots, level, binding, nice } = workerData;
// The caller's thread (walk, read, chunk, hash) is the critical path; on two
// cores the workers would take its time slice whenever they wake. A higher
// nice value for this thread only (Linux: setpriority on a thread id) lets it
// run first; the workers still get every cycle it leaves.
if (nice > 0) {
  try {
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    if (tid > 0) require('node:os').setPriority(tid, nice);
  } catch {
    // not Linux, or not allowed: run at the process's priority
  }
}
const zstd = require(binding);
const bytes = new Uint8Array(ring);
const q = new Int32Array(queue);
const cctx = new zstd.CCtx();
cctx.setParameter(zstd.CParameter.compressionLevel, level);
let scratch = Buffer.allocUnsafe(1 << 20);
const PUBLISHED = ${Q_PUBLISHED}, CLAIMED = ${Q_CLAIMED}, SLEEPERS = ${Q_SLEEPERS}, DONE = ${Q_DONE}, WAITING = ${Q_WAITING}, STOP = ${Q_STOP};
const HEADER = ${Q_HEADER}, WORDS = ${JOB_WORDS};
function run(seq) {
  const j = HEADER + (seq & (slots - 1)) * WORDS;
  const off = q[j + ${J_OFF}];
  const len = q[j + ${J_LEN}];
  const cap = Math.ceil(len * 0.97) - 1; // must save at least 3%
  let n = -1;
  if (cap > 0) {
    if (scratch.length < cap) scratch = Buffer.allocUnsafe(Math.max(cap, scratch.length * 2));
    try {
      n = cctx.compress2(scratch.subarray(0, cap), bytes.subarray(off, off + len));
    } catch {
      n = -1; // "Destination buffer is too small": does not pay, stays raw
    }
  }
  if (n > 0) {
    bytes.set(scratch.subarray(0, n), off);
    q[j + ${J_COMP}] = 1;
    q[j + ${J_OUT}] = n;
  } else {
    q[j + ${J_COMP}] = 0;
    q[j + ${J_OUT}] = len;
  }
  Atomics.store(q, j + ${J_STATE}, 2);
  Atomics.add(q, DONE, 1);
  if (Atomics.load(q, WAITING) !== 0) Atomics.notify(q, DONE);
}
for (;;) {
  if (Atomics.load(q, STOP) !== 0) break;
  const claimed = Atomics.load(q, CLAIMED);
  const published = Atomics.load(q, PUBLISHED);
  if (claimed !== published) {
    if (Atomics.compareExchange(q, CLAIMED, claimed, claimed + 1) === claimed) run(claimed);
    continue;
  }
  Atomics.add(q, SLEEPERS, 1);
  // look again after announcing the sleep: the pool publishes, then reads SLEEPERS
  if (Atomics.load(q, PUBLISHED) === published && Atomics.load(q, STOP) === 0) Atomics.wait(q, PUBLISHED, published, 1000);
  Atomics.sub(q, SLEEPERS, 1);
}
`;
//# sourceMappingURL=compress-worker.js.map