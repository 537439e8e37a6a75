// A decode worker (decode-pool.ts): takes a range of a pack that lies in
// shared memory and the blobs in it, and runs each through the one decode
// path (blob-codec.ts: open, decompress, check length and id) straight into
// the shared buffer the caller gave for it. Answers, per blob, its raw length
// or why it failed; never hands back bytes that did not verify.
import { parentPort, workerData } from 'node:worker_threads';
import { cipherFromSpec, type CipherSpec } from '../crypto/repo-cipher.js';
import { decodeStoredBlob } from './blob-codec.js';

/** A view of shared memory, as posted (a SharedArrayBuffer crosses threads without a copy). */
export interface SharedView {
  sab: SharedArrayBuffer;
  off: number;
  len: number;
}

export interface DecodeItem {
  /** offset of the stored blob in the range */
  at: number;
  length: number;
  hash: Uint8Array;
  type: number;
  comp: number;
  rawLength: number;
  out: SharedView;
}

export interface DecodeJob {
  id: number;
  range: SharedView;
  items: DecodeItem[];
  /** names the pack in errors */
  where: string;
}

/** Per item: undefined (its raw bytes are in `out`) or the E_CORRUPT message. */
export interface DecodeAnswer {
  id: number;
  failed: (string | undefined)[];
}

const view = (v: SharedView): Buffer => Buffer.from(v.sab, v.off, v.len);

if (parentPort) {
  const port = parentPort;
  const cipher = cipherFromSpec((workerData as { spec: CipherSpec }).spec);
  port.on('message', (job: DecodeJob) => {
    const range = view(job.range);
    const failed = job.items.map((it) => {
      const out = view(it.out);
      try {
        const e = { hash: Buffer.from(it.hash.buffer, it.hash.byteOffset, it.hash.byteLength), type: it.type, comp: it.comp, rawLength: it.rawLength };
        const raw = decodeStoredBlob(range.subarray(it.at, it.at + it.length), e, job.where, out, cipher);
        // a plain uncompressed blob comes back as a view of the range: copy it where it is wanted
        if (raw.buffer !== out.buffer || raw.byteOffset !== out.byteOffset) raw.copy(out);
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    });
    port.postMessage({ id: job.id, failed } satisfies DecodeAnswer);
  });
}
