// The code of a compression worker (compress-pool.ts): compresses blobs that
// sit in the shared ring and writes each result back in place; a blob stays
// raw when zstd would not save at least 3% (the rule of compress.ts). It is
// plain CommonJS run with `eval`, so it needs no loader (tsx or tsc) to start.
import { createRequire } from 'node:module';

export interface WorkerInit {
  ring: SharedArrayBuffer;
  level: number;
  /** absolute path of zstd-napi's native binding */
  binding: string;
}

/** A batch: [offset, length] pairs in the ring; the reply's `out` holds [comp, storedLength] pairs. */
export interface BatchMsg {
  id: number;
  jobs: number[];
}

export const bindingPath = (): string => createRequire(import.meta.url).resolve('zstd-napi/binding');

export const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { ring, level, binding } = workerData;
const zstd = require(binding);
const bytes = new Uint8Array(ring);
const cctx = new zstd.CCtx();
cctx.setParameter(zstd.CParameter.compressionLevel, level);
let scratch = Buffer.allocUnsafe(1 << 20);
parentPort.on('message', (m) => {
  const out = new Array(m.jobs.length);
  for (let i = 0; i < m.jobs.length; i += 2) {
    const off = m.jobs[i];
    const len = m.jobs[i + 1];
    const cap = Math.ceil(len * 0.97) - 1; // must save at least 3%
    if (scratch.length < cap) scratch = Buffer.allocUnsafe(Math.max(cap, scratch.length * 2));
    let n = -1;
    try {
      n = cctx.compress2(scratch.subarray(0, cap), bytes.subarray(off, off + len));
    } catch {
      n = -1; // "Destination buffer is too small": does not pay, stays raw
    }
    if (n > 0) {
      bytes.set(scratch.subarray(0, n), off);
      out[i] = 1;
      out[i + 1] = n;
    } else {
      out[i] = 0;
      out[i + 1] = len;
    }
  }
  parentPort.postMessage({ id: m.id, out });
});
`;
