// How a repository names its blobs (docs/format.md §11.5.1): keyed BLAKE3 in an
// encrypted repository, plain BLAKE3 otherwise; and whether two repositories
// agree, which decides whether copy/migrate can move blobs as they are.
import { plainCipher } from '../crypto/repo-cipher.js';
/** The blob ids of a repository with this cipher: keyed BLAKE3 when encrypted, plain otherwise (format.md §11.5.1). */
export function blobIdsOf(cipher) {
    return { blobId: (raw) => cipher.blobId(raw), plain: cipher.encryption === 'none' };
}
/** Plain BLAKE3 ids (format 1, "encryption": "none"). */
export const PLAIN_IDS = blobIdsOf(plainCipher());
/** Whether two repositories name every blob alike (one fixed probe blob named by both). */
export function sameBlobIds(a, b) {
    const probe = Buffer.from('strata-blob-id-probe', 'latin1');
    return a.blobId(probe).equals(b.blobId(probe));
}
//# sourceMappingURL=blob-ids.js.map