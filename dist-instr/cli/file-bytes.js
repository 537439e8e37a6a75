// One file of a snapshot, streamed chunk by chunk to a writer and verified
// against its content hash at the end (cat, dump, and dump's archives). Its
// chunks are read by ranged pack reads, a few ahead (restore/fetch-plan.ts).
import { StrataError } from '../errors.js';
import { hashBytes, newHasher } from '../hash.js';
import { orderedBlobs } from '../restore/fetch-plan.js';
import { fileChunks } from '../tree/trees.js';
/** Write to stdout, resolving once the chunk was handed to the OS. */
export const stdoutWrite = (chunk) => new Promise((resolve, reject) => {
    process.stdout.write(chunk, (err) => (err ? reject(err) : resolve()));
});
export async function fileBytes(repo, e, where, write) {
    const chunks = await fileChunks(repo, e.content);
    // a one-chunk file's id is its content hash only with plain ids (format.md §11.5.1)
    const whole = chunks.length > 1 || (chunks.length === 1 && !repo.ids.plain) ? newHasher() : undefined;
    await orderedBlobs(repo.packs, chunks, (h) => repo.getBlob(h), async (data) => {
        whole?.update(data);
        await write(data);
    });
    const got = whole ? whole.digest() : (chunks[0] ?? hashBytes(Buffer.alloc(0)));
    if (!got.equals(e.content.hash))
        throw new StrataError('E_CORRUPT', `${where}: content does not match its hash`);
}
//# sourceMappingURL=file-bytes.js.map