// Pack files: immutable containers of blobs with a self-describing trailer, so
// the index can always be rebuilt from the packs alone. Layout (docs/format.md):
//   "STRPACK\x01" | blob bytes ... | entries (48 B each) | count u32 | BLAKE3(entries) | "STRTRL\x00\x01"
// A pack is named by the BLAKE3 hash of its whole content. In an encrypted
// repository (format.md §3.1) the magic ends in \x02, blobs are sealed and the
// table is one sealed object followed by its length:
//   "STRPACK\x02" | sealed blobs ... | seal(table) | L u32 | "STRTRL\x00\x02"
import { SEAL_OVERHEAD } from '../crypto/aead.js';
import { StrataError } from '../errors.js';
import { HASH_LEN, hashBytes } from '../hash.js';
export const PACK_MAGIC = Buffer.from('STRPACK\x01', 'latin1');
export const TRAILER_MAGIC = Buffer.from('STRTRL\x00\x01', 'latin1');
export const ENTRY_LEN = 48;
export const FOOTER_LEN = 4 + HASH_LEN + 8;
export const SEALED_PACK_MAGIC = Buffer.from('STRPACK\x02', 'latin1');
export const SEALED_TRAILER_MAGIC = Buffer.from('STRTRL\x00\x02', 'latin1');
/** the sealed table's length u32 and the trailer magic */
export const SEALED_FOOTER_LEN = 4 + 8;
/** The associated-data name of every sealed pack table (the pack's name is the BLAKE3 of the whole file, so it cannot be inside). */
export const PACK_TABLE_NAME = 'pack';
/** The first bytes of a new pack of this repository. */
export const packMagicFor = (cipher) => (cipher.encryption === 'none' ? PACK_MAGIC : SEALED_PACK_MAGIC);
/** Where a pack's blob bytes end (its table starts), from its size and entry count. */
export function packDataEnd(size, count, cipher) {
    return cipher.encryption === 'none' ? size - count * ENTRY_LEN - FOOTER_LEN : size - count * ENTRY_LEN - SEAL_OVERHEAD - SEALED_FOOTER_LEN;
}
/** The trailer of a new pack: format 1's, or the sealed table and its length. */
export function encodeTrailerFor(entries, cipher) {
    if (cipher.encryption === 'none')
        return encodeTrailer(entries);
    const sealed = cipher.sealObject('pack-table', PACK_TABLE_NAME, encodeEntries(entries));
    const foot = Buffer.alloc(SEALED_FOOTER_LEN);
    foot.writeUInt32LE(sealed.length, 0);
    SEALED_TRAILER_MAGIC.copy(foot, 4);
    return Buffer.concat([sealed, foot]);
}
export const BLOB_DATA = 0;
export const BLOB_TREE = 1;
export const BLOB_CHUNKLIST = 2;
export function encodeEntries(entries) {
    const out = Buffer.alloc(entries.length * ENTRY_LEN);
    entries.forEach((e, i) => {
        const o = i * ENTRY_LEN;
        e.hash.copy(out, o);
        out[o + 32] = e.type;
        out[o + 33] = e.comp;
        out.writeUInt32LE(e.offset, o + 36);
        out.writeUInt32LE(e.length, o + 40);
        out.writeUInt32LE(e.rawLength, o + 44);
    });
    return out;
}
export function encodeTrailer(entries) {
    const body = encodeEntries(entries);
    const footer = Buffer.alloc(FOOTER_LEN);
    footer.writeUInt32LE(entries.length, 0);
    hashBytes(body).copy(footer, 4);
    TRAILER_MAGIC.copy(footer, 4 + HASH_LEN);
    return Buffer.concat([body, footer]);
}
/** Parse the footer: number of entries, and the expected hash of the entry table. */
export function parseFooter(footer, packName) {
    if (footer.length !== FOOTER_LEN || !footer.subarray(4 + HASH_LEN).equals(TRAILER_MAGIC)) {
        throw new StrataError('E_CORRUPT', `pack ${packName}: bad trailer magic (truncated or not a pack)`);
    }
    return { count: footer.readUInt32LE(0), entriesHash: footer.subarray(4, 4 + HASH_LEN) };
}
export function parseEntries(body, expectedHash, packName, packSize) {
    if (!hashBytes(body).equals(expectedHash))
        throw new StrataError('E_CORRUPT', `pack ${packName}: trailer checksum mismatch`);
    return decodeEntries(body, packName, packSize - body.length - FOOTER_LEN, PACK_MAGIC.length, 0);
}
function decodeEntries(body, packName, dataEnd, dataStart, minLength) {
    if (body.length % ENTRY_LEN !== 0)
        throw new StrataError('E_CORRUPT', `pack ${packName}: entry table of ${body.length} bytes`);
    const out = [];
    for (let o = 0; o < body.length; o += ENTRY_LEN) {
        const e = {
            hash: Buffer.from(body.subarray(o, o + 32)),
            type: body[o + 32],
            comp: body[o + 33],
            offset: body.readUInt32LE(o + 36),
            length: body.readUInt32LE(o + 40),
            rawLength: body.readUInt32LE(o + 44),
        };
        if (e.offset < dataStart || e.offset + e.length > dataEnd || e.length < minLength) {
            throw new StrataError('E_CORRUPT', `pack ${packName}: entry points outside the pack`);
        }
        out.push(e);
    }
    return out;
}
export function packObjectName(id) {
    const hex = typeof id === 'string' ? id : id.toString('hex');
    return `packs/${hex.slice(0, 2)}/${hex}`;
}
/** Reads the entry table of a pack through any ranged reader. */
export async function readPackEntries(name, size, read, cipher) {
    if (cipher && cipher.encryption !== 'none')
        return readSealedEntries(name, size, read, cipher);
    if (size < PACK_MAGIC.length + FOOTER_LEN)
        throw new StrataError('E_CORRUPT', `pack ${name}: too short (${size} bytes)`);
    const { count, entriesHash } = parseFooter(await read(size - FOOTER_LEN, FOOTER_LEN), name);
    const bodyLen = count * ENTRY_LEN;
    if (bodyLen + FOOTER_LEN + PACK_MAGIC.length > size)
        throw new StrataError('E_CORRUPT', `pack ${name}: entry count ${count} exceeds the file`);
    return parseEntries(await read(size - FOOTER_LEN - bodyLen, bodyLen), entriesHash, name, size);
}
/** The entries of an encrypted pack: open its sealed table (format.md §3.1). */
async function readSealedEntries(name, size, read, cipher) {
    const min = SEALED_PACK_MAGIC.length + SEAL_OVERHEAD + SEALED_FOOTER_LEN;
    if (size < min)
        throw new StrataError('E_CORRUPT', `pack ${name}: too short (${size} bytes)`);
    const foot = await read(size - SEALED_FOOTER_LEN, SEALED_FOOTER_LEN);
    if (!foot.subarray(4).equals(SEALED_TRAILER_MAGIC))
        throw new StrataError('E_CORRUPT', `pack ${name}: bad trailer magic (truncated, not a pack, or a pack of an unencrypted repository)`);
    const L = foot.readUInt32LE(0);
    if (L < SEAL_OVERHEAD || (L - SEAL_OVERHEAD) % ENTRY_LEN !== 0 || SEALED_PACK_MAGIC.length + L + SEALED_FOOTER_LEN > size)
        throw new StrataError('E_CORRUPT', `pack ${name}: sealed table length ${L} does not fit the file`);
    const tableAt = size - SEALED_FOOTER_LEN - L;
    let body;
    try {
        body = cipher.openObject('pack-table', PACK_TABLE_NAME, await read(tableAt, L));
    }
    catch (e) {
        throw new StrataError('E_CORRUPT', `pack ${name}: its entry table fails authentication (damaged or tampered)`, { cause: e });
    }
    return decodeEntries(body, name, tableAt, SEALED_PACK_MAGIC.length, SEAL_OVERHEAD);
}
//# sourceMappingURL=pack.js.map