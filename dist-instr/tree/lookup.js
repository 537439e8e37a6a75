import { KINDS, TREE_MAGIC, TREE_VERSION, decodeTree } from './codec.js';
import { findEntry } from './trees.js';
const HEAD = 4 + 1 + 4;
const FIXED = 1 + 4 + 4 + 4 + 8 + 8; // kind, mode, uid, gid, mtime, size
/**
 * Find `name` in an encoded tree. A directory comes back with its subtree
 * hash (a view into `raw`); anything else, or anything when `wantEntry`,
 * with its fully decoded entry. Unknown layouts fall back to decodeTree,
 * which reports damage properly.
 */
export function lookupEncoded(raw, name, wantEntry = false) {
    if (raw.length < HEAD || raw[4] !== TREE_VERSION || !raw.subarray(0, 4).equals(TREE_MAGIC))
        return slow(raw, name);
    const count = raw.readUInt32LE(5);
    let o = HEAD;
    for (let i = 0; i < count; i++) {
        if (o + 2 > raw.length)
            return slow(raw, name);
        const nameLen = raw.readUInt16LE(o);
        const nameStart = o + 2;
        const p = nameStart + nameLen;
        if (p + FIXED > raw.length)
            return slow(raw, name);
        const kind = KINDS[raw[p]];
        const body = p + FIXED;
        let next;
        switch (kind) {
            case 'file': {
                const ref = raw[body + 32];
                if (ref === 1)
                    next = body + 33 + 32;
                else if (ref === 0 && body + 37 <= raw.length)
                    next = body + 37 + 32 * raw.readUInt32LE(body + 33);
                else
                    return slow(raw, name);
                break;
            }
            case 'dir':
                next = body + 32 + 16;
                break;
            case 'symlink':
                if (body + 4 > raw.length)
                    return slow(raw, name);
                next = body + 4 + raw.readUInt32LE(body);
                break;
            case 'chardev':
            case 'blockdev':
                next = body + 8;
                break;
            case 'fifo':
            case 'socket':
                next = body;
                break;
            default:
                return slow(raw, name);
        }
        if (next > raw.length)
            return slow(raw, name);
        const c = raw.compare(name, 0, name.length, nameStart, p); // entry name vs wanted
        if (c === 0) {
            if (kind === 'dir' && !wantEntry)
                return { found: true, kind, subtree: raw.subarray(body, body + 32) };
            return slow(raw, name); // the entry itself is wanted: decode properly (once per changed tree)
        }
        if (c > 0)
            return { found: false }; // sorted: it is not further on
        o = next;
    }
    return { found: false };
}
function slow(raw, name) {
    const e = findEntry(decodeTree(raw), name);
    if (!e)
        return { found: false };
    return e.kind === 'dir' ? { found: true, kind: e.kind, subtree: e.subtree, entry: e } : { found: true, kind: e.kind, entry: e };
}
/** Look `name` up in the tree stored under `hash` (read and verified through the repository). */
export async function lookupName(repo, hash, name, wantEntry = false) {
    return lookupEncoded(await repo.getBlob(hash), name, wantEntry);
}
//# sourceMappingURL=lookup.js.map