// A decode worker (decode-pool.ts): takes a range of a pack that lies in
// shared memory and the blobs in it, and runs each through the one decode
// path (blob-codec.ts: open, decompress, check length and id) straight into
// the shared buffer the caller gave for it. Answers, per blob, its raw length
// or why it failed; never hands back bytes that did not verify.
import { parentPort, workerData } from 'node:worker_threads';
import { cipherFromSpec } from '../crypto/repo-cipher.js';
import { decodeStoredBlob } from './blob-codec.js';
const view = (v) => Buffer.from(v.sab, v.off, v.len);
if (parentPort) {
    const port = parentPort;
    const cipher = cipherFromSpec(workerData.spec);
    port.on('message', (job) => {
        const range = view(job.range);
        const failed = job.items.map((it) => {
            const out = view(it.out);
            try {
                const e = { hash: Buffer.from(it.hash.buffer, it.hash.byteOffset, it.hash.byteLength), type: it.type, comp: it.comp, rawLength: it.rawLength };
                const raw = decodeStoredBlob(range.subarray(it.at, it.at + it.length), e, job.where, out, cipher);
                // a plain uncompressed blob comes back as a view of the range: copy it where it is wanted
                if (raw.buffer !== out.buffer || raw.byteOffset !== out.byteOffset)
                    raw.copy(out);
                return undefined;
            }
            catch (err) {
                return err.message;
            }
        });
        port.postMessage({ id: job.id, failed });
    });
}
//# sourceMappingURL=decode-worker.js.map