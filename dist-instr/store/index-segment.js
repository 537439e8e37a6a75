// Index segments: immutable repository objects `index/<ID>` listing packs and
// their entries, so a reader builds its blob index without reading packs
// (docs/format.md §8). A writer stores one after its packs and before its
// snapshot manifest; prune and repair write consolidated ones.
import { plainCipher } from '../crypto/repo-cipher.js';
import { StrataError, isStrataError } from '../errors.js';
import { ENTRY_LEN, PACK_MAGIC, encodeEntries } from './pack.js';
export const SEGMENT_MAGIC = Buffer.from('STRIDX\x00\x01', 'latin1');
const PACK_HEAD = 32 + 4 + 4;
/** Consolidated segments are split after this many entries (about 3 MiB each). */
export const SEGMENT_MAX_ENTRIES = 65536;
export const segmentName = (id) => `index/${id}`;
export const isSegmentName = (name) => /^index\/[0-9a-f]{64}$/.test(name);
/** Encode a segment; returns its bytes and its id (hex BLAKE3 of the bytes). */
export function encodeSegment(packs, cipher = plainCipher()) {
    const parts = [SEGMENT_MAGIC, Buffer.alloc(4)];
    parts[1].writeUInt32LE(packs.length, 0);
    for (const p of packs) {
        const head = Buffer.alloc(PACK_HEAD);
        p.id.copy(head, 0);
        head.writeUInt32LE(p.size, 32);
        head.writeUInt32LE(p.entries.length, 36);
        parts.push(head, encodeEntries(p.entries));
    }
    const { name, bytes } = cipher.sealNamed('index', Buffer.concat(parts));
    return { id: name, bytes };
}
/** Decode and verify a segment read from `name` (its id must be the BLAKE3 of the bytes). */
export function decodeSegment(sealed, name, cipher = plainCipher()) {
    const bad = (why) => new StrataError('E_CORRUPT', `index segment ${name} is damaged (${why}); run 'strata repair index'`);
    const id = name.slice(name.lastIndexOf('/') + 1);
    let bytes;
    try {
        bytes = cipher.openNamed('index', id, sealed);
    }
    catch (e) {
        if (isStrataError(e, 'E_CORRUPT'))
            throw bad(cipher.encryption === 'none' ? 'hash mismatch' : 'authentication failed');
        throw e;
    }
    if (bytes.length < 12 || !bytes.subarray(0, 8).equals(SEGMENT_MAGIC))
        throw bad('bad magic');
    const n = bytes.readUInt32LE(8);
    const out = [];
    let o = 12;
    for (let i = 0; i < n; i++) {
        if (o + PACK_HEAD > bytes.length)
            throw bad('truncated');
        const pack = Buffer.from(bytes.subarray(o, o + 32));
        const size = bytes.readUInt32LE(o + 32);
        const count = bytes.readUInt32LE(o + 36);
        o += PACK_HEAD;
        if (o + count * ENTRY_LEN > bytes.length)
            throw bad('truncated');
        const entries = [];
        for (let k = 0; k < count; k++, o += ENTRY_LEN) {
            const e = {
                hash: Buffer.from(bytes.subarray(o, o + 32)),
                type: bytes[o + 32],
                comp: bytes[o + 33],
                offset: bytes.readUInt32LE(o + 36),
                length: bytes.readUInt32LE(o + 40),
                rawLength: bytes.readUInt32LE(o + 44),
            };
            if (e.offset < PACK_MAGIC.length || e.offset + e.length > size)
                throw bad(`entry outside pack ${pack.toString('hex')}`);
            entries.push(e);
        }
        out.push({ id: pack, size, entries });
    }
    if (o !== bytes.length)
        throw bad('trailing bytes');
    return out;
}
/** Split packs into segments of at most SEGMENT_MAX_ENTRIES entries (a pack is never split). */
export function chunkSegments(packs) {
    const out = [];
    let cur = [];
    let n = 0;
    for (const p of packs) {
        if (cur.length > 0 && n + p.entries.length > SEGMENT_MAX_ENTRIES) {
            out.push(cur);
            cur = [];
            n = 0;
        }
        cur.push(p);
        n += p.entries.length;
    }
    if (cur.length > 0)
        out.push(cur);
    return out;
}
//# sourceMappingURL=index-segment.js.map