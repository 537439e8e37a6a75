// The one path from a blob's stored bytes to its verified raw bytes
// (docs/format.md §4): decompress according to its code, check the length and
// the blob's id (BLAKE3, keyed in an encrypted repository). Reads, check, prune's repack and repair all go through it.
// In an encrypted repository the stored bytes are first opened (authenticated
// with the blob's id, type and compression code, format.md §11.6.3), straight
// into memory that is reused: the caller's `into` for an uncompressed blob,
// this module's scratch buffer for a compressed one (zstd decompresses from
// it into `into`).
import { COMP_NONE, decompressBlob } from '../compress.js';
import { SEAL_OVERHEAD } from '../crypto/aead.js';
import { plainCipher } from '../crypto/repo-cipher.js';
import { StrataError } from '../errors.js';
const PLAIN = plainCipher();
/**
 * Reused memory (fresh memory is slow to touch on these VMs): `opened` takes
 * opened, still compressed bytes when the caller does not own the stored
 * bytes (decompression copies out of it, so nothing returned points into it);
 * `checked` takes the raw bytes `isIntactBlob` only hashes. Safe to share:
 * decoding is synchronous.
 */
const scratch = { opened: Buffer.allocUnsafe(0), checked: Buffer.allocUnsafe(0) };
function scratchOf(which, n) {
    if (scratch[which].length < n)
        scratch[which] = Buffer.allocUnsafe(Math.max(n, 1 << 20));
    return scratch[which];
}
/**
 * The raw bytes of a stored blob, verified; `into`: where to put them when
 * large enough (a view of it is returned). `ownsStored`: the caller's own copy
 * of the stored bytes, which an encrypted blob may be decrypted over (they
 * are garbage afterwards). Throws E_CORRUPT naming `where`.
 */
export function decodeStoredBlob(stored, e, where, into, cipher = PLAIN, ownsStored = false) {
    let inner = stored;
    if (cipher.encryption !== 'none') {
        const n = stored.length - SEAL_OVERHEAD;
        // an uncompressed blob's plaintext is its raw bytes: open it where they are wanted (else over its own
        // sealed copy, else new memory); a compressed one into the scratch zstd then reads
        let target;
        if (e.comp !== COMP_NONE)
            target = scratchOf('opened', n);
        else if (into && into.length >= n && !shares(into, stored))
            target = into;
        else if (ownsStored)
            target = stored;
        try {
            inner = cipher.openBlobInto(e.hash, e.type, e.comp, stored, target);
        }
        catch (err) {
            throw new StrataError('E_CORRUPT', `blob ${e.hash.toString('hex')} in ${where} is corrupted: authentication failed (damaged or tampered)`, { cause: err });
        }
    }
    let raw;
    try {
        raw = decompressBlob(inner, e.comp, e.rawLength, into);
    }
    catch (err) {
        throw new StrataError('E_CORRUPT', `blob ${e.hash.toString('hex')} in ${where} is corrupted: ${err.message}`, { cause: err });
    }
    // an uncompressed blob's length is not checked by zstd: a recorded raw length that lies misplaces bytes on restore
    if (raw.length !== e.rawLength)
        throw new StrataError('E_CORRUPT', `blob ${e.hash.toString('hex')} in ${where} is corrupted: ${raw.length} bytes, its entry says ${e.rawLength}`);
    // the id: plain BLAKE3 of the raw bytes, keyed BLAKE3 in an encrypted repository (format.md §11.5.1)
    if (!cipher.blobId(raw).equals(e.hash))
        throw new StrataError('E_CORRUPT', `blob ${e.hash.toString('hex')} in ${where} is corrupted: hash mismatch`);
    return raw;
}
/** Whether two views share memory at all. */
function shares(a, b) {
    return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}
/** Whether a stored blob decodes to its name (`stored` is left as it is). */
export function isIntactBlob(stored, e, cipher = PLAIN) {
    try {
        // the raw bytes are only hashed: they go into reused memory
        decodeStoredBlob(stored, e, '', scratchOf('checked', e.rawLength), cipher);
        return true;
    }
    catch {
        return false;
    }
}
//# sourceMappingURL=blob-codec.js.map