// Canonical binary encoding of a directory (a tree object). Entries are sorted
// by raw name bytes and every field has one fixed encoding, so equal
// directories encode to equal bytes and get equal BLAKE3 names: an unchanged
// subtree is stored once and reused by every snapshot. See docs/format.md.
import { StrataError } from '../errors.js';
import { KINDS } from '../fs/dir-entry.js';
export { KINDS };
export const TREE_MAGIC = Buffer.from('STRT', 'latin1');
export const TREE_VERSION = 1;
/** trees with entry extensions (docs/format.md §6.1a) */
export const TREE_VERSION_EXT = 2;
/** values larger than this go to a data blob */
export const XATTR_INLINE_MAX = 4096;
const EXT_ATIME = 1;
const EXT_LINK = 2;
const EXT_XATTRS = 3;
const EXT_SPARSE = 4;
const EXT_CHANGED = 5;
const hasExt = (e) => e.atimeNs !== undefined || !!e.link || !!e.xattrs?.length || !!e.sparse || !!e.changed;
function encodeExt(e) {
    const parts = [];
    const rec = (tag, value) => {
        const h = Buffer.alloc(5);
        h[0] = tag;
        h.writeUInt32LE(value.length, 1);
        parts.push(h, value);
    };
    if (e.atimeNs !== undefined) {
        const v = Buffer.alloc(8);
        v.writeBigInt64LE(e.atimeNs);
        rec(EXT_ATIME, v);
    }
    if (e.link) {
        const v = Buffer.alloc(20);
        v.writeBigUInt64LE(e.link.dev, 0);
        v.writeBigUInt64LE(e.link.ino, 8);
        v.writeUInt32LE(e.link.nlink, 16);
        rec(EXT_LINK, v);
    }
    if (e.xattrs?.length) {
        const xs = [Buffer.alloc(4)];
        xs[0].writeUInt32LE(e.xattrs.length);
        let prev;
        for (const x of e.xattrs) {
            if (prev && Buffer.compare(prev, x.name) >= 0)
                throw new Error(`encodeTree: xattrs not sorted/unique at ${x.name.toString()}`);
            prev = x.name;
            const h = Buffer.alloc(2 + x.name.length + 1 + 4);
            h.writeUInt16LE(x.name.length, 0);
            x.name.copy(h, 2);
            h[2 + x.name.length] = x.blob ? 1 : 0;
            h.writeUInt32LE(x.size, 3 + x.name.length);
            xs.push(h, x.blob ?? x.value);
        }
        rec(EXT_XATTRS, Buffer.concat(xs));
    }
    if (e.sparse)
        rec(EXT_SPARSE, Buffer.alloc(0));
    if (e.changed)
        rec(EXT_CHANGED, Buffer.alloc(0));
    const body = Buffer.concat(parts);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(body.length);
    return Buffer.concat([len, body]);
}
function decodeExt(e, b) {
    let o = 0;
    let lastTag = 0;
    const need = (n) => {
        if (o + n > b.length)
            fail('truncated extension');
    };
    while (o < b.length) {
        need(5);
        const tag = b[o];
        const len = b.readUInt32LE(o + 1);
        o += 5;
        need(len);
        if (tag <= lastTag)
            fail('extension records not sorted');
        lastTag = tag;
        const v = b.subarray(o, o + len);
        o += len;
        switch (tag) {
            case EXT_ATIME:
                if (len !== 8)
                    fail('bad atime record');
                e.atimeNs = v.readBigInt64LE(0);
                break;
            case EXT_LINK:
                if (len !== 20)
                    fail('bad hardlink record');
                e.link = { dev: v.readBigUInt64LE(0), ino: v.readBigUInt64LE(8), nlink: v.readUInt32LE(16) };
                break;
            case EXT_XATTRS: {
                if (len < 4)
                    fail('bad xattrs record');
                const n = v.readUInt32LE(0);
                let p = 4;
                const xs = [];
                for (let i = 0; i < n; i++) {
                    if (p + 2 > len)
                        fail('truncated xattr');
                    const nl = v.readUInt16LE(p);
                    if (p + 2 + nl + 5 > len)
                        fail('truncated xattr');
                    const name = Buffer.from(v.subarray(p + 2, p + 2 + nl));
                    const form = v[p + 2 + nl];
                    const size = v.readUInt32LE(p + 3 + nl);
                    p += 7 + nl;
                    if (xs.length && Buffer.compare(xs[xs.length - 1].name, name) >= 0)
                        fail('xattrs not sorted');
                    if (form === 0) {
                        if (p + size > len)
                            fail('truncated xattr value');
                        xs.push({ name, value: Buffer.from(v.subarray(p, p + size)), size });
                        p += size;
                    }
                    else if (form === 1) {
                        if (p + 32 > len)
                            fail('truncated xattr blob');
                        xs.push({ name, blob: Buffer.from(v.subarray(p, p + 32)), size });
                        p += 32;
                    }
                    else
                        fail(`unknown xattr form ${form}`);
                }
                if (p !== len)
                    fail('trailing bytes in xattrs');
                e.xattrs = xs;
                break;
            }
            case EXT_SPARSE:
                e.sparse = true;
                break;
            case EXT_CHANGED:
                e.changed = true;
                break;
            default:
                break; // unknown: additive, skipped
        }
    }
}
export const MAX_INLINE_CHUNKS = 8;
function fail(msg) {
    throw new StrataError('E_CORRUPT', `tree object: ${msg}`);
}
export function compareNames(a, b) {
    return Buffer.compare(a, b);
}
export function sortEntries(entries) {
    return entries.sort((x, y) => compareNames(x.name, y.name));
}
function entrySize(e) {
    let n = 2 + e.name.length + 1 + 4 + 4 + 4 + 8 + 8;
    switch (e.kind) {
        case 'file':
            n += 32 + 1 + (e.content.chunkList ? 32 : 4 + 32 * e.content.chunks.length);
            break;
        case 'dir':
            n += 32 + 8 + 8;
            break;
        case 'symlink':
            n += 4 + e.target.length;
            break;
        case 'chardev':
        case 'blockdev':
            n += 8;
            break;
    }
    return n;
}
/** Encode entries, which must already be sorted with unique names. */
export function encodeTree(entries) {
    let size = TREE_MAGIC.length + 1 + 4;
    for (const e of entries)
        size += entrySize(e);
    const ext = entries.some(hasExt) ? entries.map(encodeExt) : undefined;
    if (ext)
        for (const x of ext)
            size += x.length;
    const b = Buffer.alloc(size);
    TREE_MAGIC.copy(b, 0);
    b[4] = ext ? TREE_VERSION_EXT : TREE_VERSION;
    let idx = 0;
    b.writeUInt32LE(entries.length, 5);
    let o = 9;
    let prev;
    for (const e of entries) {
        if (prev && compareNames(prev, e.name) >= 0)
            throw new Error(`encodeTree: entries not sorted/unique at ${e.name.toString()}`);
        prev = e.name;
        o = b.writeUInt16LE(e.name.length, o);
        o += e.name.copy(b, o);
        b[o++] = KINDS.indexOf(e.kind);
        o = b.writeUInt32LE(e.mode, o);
        o = b.writeUInt32LE(e.uid, o);
        o = b.writeUInt32LE(e.gid, o);
        o = b.writeBigInt64LE(e.mtimeNs, o);
        o = b.writeBigUInt64LE(BigInt(e.size), o);
        switch (e.kind) {
            case 'file': {
                const c = e.content;
                o += c.hash.copy(b, o);
                if (c.chunkList) {
                    b[o++] = 1;
                    o += c.chunkList.copy(b, o);
                }
                else {
                    b[o++] = 0;
                    o = b.writeUInt32LE(c.chunks.length, o);
                    for (const h of c.chunks)
                        o += h.copy(b, o);
                }
                break;
            }
            case 'dir':
                o += e.subtree.copy(b, o);
                o = b.writeBigUInt64LE(BigInt(e.files ?? 0), o);
                o = b.writeBigUInt64LE(BigInt(e.dirs ?? 0), o);
                break;
            case 'symlink':
                o = b.writeUInt32LE(e.target.length, o);
                o += e.target.copy(b, o);
                break;
            case 'chardev':
            case 'blockdev':
                o = b.writeBigUInt64LE(BigInt(e.rdev ?? 0), o);
                break;
        }
        if (ext)
            o += ext[idx].copy(b, o);
        idx++;
    }
    return b;
}
export function decodeTree(b) {
    if (b.length < 9 || !b.subarray(0, 4).equals(TREE_MAGIC))
        fail('bad magic');
    if (b[4] !== TREE_VERSION && b[4] !== TREE_VERSION_EXT)
        fail(`unknown version ${b[4]}`);
    const withExt = b[4] === TREE_VERSION_EXT;
    const count = b.readUInt32LE(5);
    const out = [];
    let o = 9;
    const need = (n) => {
        if (o + n > b.length)
            fail('truncated');
    };
    const take = (n) => {
        need(n);
        const s = Buffer.from(b.subarray(o, o + n));
        o += n;
        return s;
    };
    for (let i = 0; i < count; i++) {
        need(2);
        const nameLen = b.readUInt16LE(o);
        o += 2;
        const name = take(nameLen);
        // a damaged or hostile tree must not make a restore write outside its target
        if (nameLen === 0 || name.includes(0x2f) || name.includes(0) || (nameLen <= 2 && (name.toString('latin1') === '.' || name.toString('latin1') === '..')))
            fail('bad entry name');
        need(1 + 4 + 4 + 4 + 8 + 8);
        const kind = KINDS[b[o++]];
        if (!kind)
            fail(`unknown kind ${b[o - 1]}`);
        const e = {
            name,
            kind,
            mode: b.readUInt32LE(o),
            uid: b.readUInt32LE(o + 4),
            gid: b.readUInt32LE(o + 8),
            mtimeNs: b.readBigInt64LE(o + 12),
            size: Number(b.readBigUInt64LE(o + 20)),
        };
        o += 28;
        switch (kind) {
            case 'file': {
                const hash = take(32);
                need(1);
                const ref = b[o++];
                if (ref === 1)
                    e.content = { hash, chunkList: take(32) };
                else if (ref === 0) {
                    need(4);
                    const n = b.readUInt32LE(o);
                    o += 4;
                    const chunks = [];
                    for (let k = 0; k < n; k++)
                        chunks.push(take(32));
                    e.content = { hash, chunks };
                }
                else
                    fail(`unknown content ref ${ref}`);
                break;
            }
            case 'dir':
                e.subtree = take(32);
                need(16);
                e.files = Number(b.readBigUInt64LE(o));
                e.dirs = Number(b.readBigUInt64LE(o + 8));
                o += 16;
                break;
            case 'symlink': {
                need(4);
                const n = b.readUInt32LE(o);
                o += 4;
                e.target = take(n);
                break;
            }
            case 'chardev':
            case 'blockdev':
                need(8);
                e.rdev = Number(b.readBigUInt64LE(o));
                o += 8;
                break;
        }
        if (withExt) {
            need(4);
            const n = b.readUInt32LE(o);
            o += 4;
            decodeExt(e, take(n));
        }
        if (out.length && compareNames(out[out.length - 1].name, name) >= 0)
            fail('entries not sorted');
        out.push(e);
    }
    if (o !== b.length)
        fail('trailing bytes');
    return out;
}
/** Chunk-list blob: concatenated 32-byte chunk hashes. */
export const encodeChunkList = (chunks) => Buffer.concat(chunks);
export function decodeChunkList(b) {
    if (b.length % 32 !== 0)
        fail('chunk list length not a multiple of 32');
    const out = [];
    for (let o = 0; o < b.length; o += 32)
        out.push(Buffer.from(b.subarray(o, o + 32)));
    return out;
}
//# sourceMappingURL=codec.js.map