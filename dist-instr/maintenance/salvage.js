// Salvage of a pack whose entry table cannot be trusted (a flipped byte, a
// truncated file), blob by blob, as restic's `repair packs` does: every
// candidate location — the table's entries read without its checksum, and
// the locations an older index recorded for this pack — is verified on its
// own (in range, decompresses to its raw length), and every blob whose bytes
// verify is kept. A blob whose table entry has a flipped byte in its hash
// keeps the name its bytes give (content addressing: the name snapshots use).
import { decompressBlob } from '../compress.js';
import { isIntactBlob } from '../store/blob-codec.js';
import { hashBytes } from '../hash.js';
import { BLOB_CHUNKLIST, ENTRY_LEN, FOOTER_LEN, PACK_MAGIC } from '../store/pack.js';
const TRAILER_MAGIC = Buffer.from('STRTRL\x00\x01', 'latin1');
/** Table entries as written, without the checksum (and without trusting any of them). */
export function looseEntries(bytes) {
    const size = bytes.length;
    if (size < PACK_MAGIC.length + FOOTER_LEN || !bytes.subarray(size - TRAILER_MAGIC.length).equals(TRAILER_MAGIC))
        return [];
    const n = bytes.readUInt32LE(size - FOOTER_LEN);
    if (PACK_MAGIC.length + n * ENTRY_LEN + FOOTER_LEN > size)
        return [];
    const t = size - FOOTER_LEN - n * ENTRY_LEN;
    const out = [];
    for (let i = 0; i < n; i++) {
        const o = t + i * ENTRY_LEN;
        out.push({
            hash: Buffer.from(bytes.subarray(o, o + 32)),
            type: bytes[o + 32],
            comp: bytes[o + 33],
            offset: bytes.readUInt32LE(o + 36),
            length: bytes.readUInt32LE(o + 40),
            rawLength: bytes.readUInt32LE(o + 44),
        });
    }
    return out;
}
/** The blob at `e`'s location, verified; its entry (named by its bytes) or undefined. */
export function verifyAt(bytes, e, dataEnd) {
    if (e.offset < PACK_MAGIC.length || e.length === 0 || e.offset + e.length > dataEnd || e.type > BLOB_CHUNKLIST)
        return undefined;
    if (e.comp === 0 && e.length !== e.rawLength)
        return undefined;
    try {
        const raw = decompressBlob(bytes.subarray(e.offset, e.offset + e.length), e.comp, e.rawLength);
        return { ...e, hash: hashBytes(raw) }; // an unsealed pack: plain ids (a sealed one goes through verifySealed)
    }
    catch {
        return undefined;
    }
}
/**
 * Every blob of `bytes` (a whole pack file) that verifies, from its own table
 * (unchecked) and `hints` (locations an older index recorded for this pack).
 */
export function salvagePack(bytes, hints = [], cipher) {
    // an encrypted pack's table is sealed (nothing to read without its checksum): only the hints name
    // blobs there, each verified by opening it (its id, type and compression are its associated data)
    const sealed = cipher !== undefined && cipher.encryption !== 'none';
    const table = sealed ? [] : looseEntries(bytes);
    // blob bytes end where the table starts when the table is there; else anywhere in the file
    const dataEnd = table.length ? bytes.length - FOOTER_LEN - table.length * ENTRY_LEN : bytes.length;
    const seen = new Map();
    const tried = new Set();
    let failed = 0;
    for (const e of [...table, ...hints]) {
        const at = `${e.offset}:${e.length}:${e.comp}:${e.rawLength}`;
        if (tried.has(at))
            continue;
        tried.add(at);
        let v = sealed ? verifySealed(bytes, e, cipher) : verifyAt(bytes, e, dataEnd);
        // a name that differs from the recorded one in a byte or two is a flipped byte in the table's hash
        // field (keep it, under its true name); wholly different, the bytes are damaged (a raw blob
        // decompresses whatever its bytes are): not a blob anyone refers to
        if (v && bytesDiffering(v.hash, e.hash) > 2)
            v = undefined;
        if (!v) {
            failed++;
            continue;
        }
        const k = v.hash.toString('hex');
        if (!seen.has(k))
            seen.set(k, v);
    }
    return { kept: [...seen.values()].sort((a, b) => a.offset - b.offset), candidates: tried.size, failed };
}
/** A sealed blob at `e`'s location that opens and verifies under its recorded name. */
function verifySealed(bytes, e, cipher) {
    if (e.offset < PACK_MAGIC.length || e.length === 0 || e.offset + e.length > bytes.length || e.type > BLOB_CHUNKLIST)
        return undefined;
    return isIntactBlob(bytes.subarray(e.offset, e.offset + e.length), e, cipher) ? { ...e } : undefined;
}
function bytesDiffering(a, b) {
    let n = 0;
    for (let i = 0; i < a.length; i++)
        if (a[i] !== b[i])
            n++;
    return n;
}
//# sourceMappingURL=salvage.js.map