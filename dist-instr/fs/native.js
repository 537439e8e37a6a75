// The native addon (native/, built by node-gyp at install) for what Node 20
// lacks: nanosecond utimensat, SEEK_DATA/SEEK_HOLE and l*xattr, and a batch
// directory read + lstat off the main thread (scanDir). When it is
// absent everything still works in pure JS, with less fidelity: times to the
// microsecond, no xattrs, holes read as zeros; `nativeMissing()` says why.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
let addon = null;
let missing = null;
try {
    if (process.env.STRATA_NO_NATIVE)
        throw new Error('disabled by STRATA_NO_NATIVE');
    addon = createRequire(import.meta.url)('strata-native');
}
catch (e) {
    missing = e.message.split('\n')[0];
}
/**
 * Read directory `p` and lstat every entry on libuv's thread pool (off the main thread), or null
 * without the addon (then callers list with readdirSync + lstatSync). Rejects with .code (ENOENT,
 * ENOTDIR, EACCES…) when the directory itself cannot be read.
 */
export const scanDir = addon?.scanDir && !process.env.STRATA_NO_NATIVE_SCAN ? addon.scanDir.bind(addon) : null;
/** null when the addon is loaded, else the reason it is not. */
export const nativeMissing = () => missing;
/** seconds for libuv, which truncates to the microsecond: half a microsecond more so float rounding never lands 1 µs low */
const toSec = (ns) => {
    const us = ns / 1000n - (ns < 0n && ns % 1000n !== 0n ? 1n : 0n);
    return Number(us / 1000000n) + (Number(us % 1000000n) + 0.5) / 1e6;
};
/** Set atime and mtime of `p` (a symlink itself when `nofollow`), to the nanosecond when the addon is there. */
export function setTimes(p, atimeNs, mtimeNs, nofollow) {
    if (addon)
        return addon.utimens(p, atimeNs, mtimeNs, nofollow);
    // libuv truncates to microseconds; round toward the past is what it does anyway
    if (nofollow)
        fs.lutimesSync(p, toSec(atimeNs), toSec(mtimeNs));
    else
        fs.utimesSync(p, toSec(atimeNs), toSec(mtimeNs));
}
export function setTimesFd(fd, atimeNs, mtimeNs) {
    if (addon)
        return addon.futimens(fd, atimeNs, mtimeNs);
    fs.futimesSync(fd, toSec(atimeNs), toSec(mtimeNs));
}
/**
 * The data extents of the open file `fd` of `size` bytes, as [start, end) pairs,
 * or null when the addon is absent or the file system cannot say.
 */
export function dataExtents(fd, size) {
    if (!addon)
        return null;
    const out = [];
    let off = 0;
    try {
        while (off < size) {
            const d = addon.seek(fd, off, false);
            if (d < 0 || d >= size)
                break;
            let h = addon.seek(fd, d, true);
            if (h < 0 || h > size)
                h = size;
            out.push([d, h]);
            off = h;
        }
    }
    catch {
        return null;
    }
    return out;
}
/** Extended attribute names of `p` (not following symlinks); [] without the addon. */
export function listXattrs(p) {
    if (!addon)
        return [];
    const raw = addon.llistxattr(p);
    const out = [];
    let s = 0;
    for (let i = 0; i < raw.length; i++) {
        if (raw[i] === 0) {
            if (i > s)
                out.push(Buffer.from(raw.subarray(s, i)));
            s = i + 1;
        }
    }
    return out;
}
export function getXattr(p, name) {
    if (!addon)
        throw Object.assign(new Error(`xattrs need the native addon (${missing})`), { code: 'ENOTSUP' });
    return addon.lgetxattr(p, name);
}
export function setXattr(p, name, value) {
    if (!addon)
        throw Object.assign(new Error(`xattrs need the native addon (${missing})`), { code: 'ENOTSUP' });
    addon.lsetxattr(p, name, value);
}
export function removeXattr(p, name) {
    if (!addon)
        throw Object.assign(new Error(`xattrs need the native addon (${missing})`), { code: 'ENOTSUP' });
    addon.lremovexattr(p, name);
}
//# sourceMappingURL=native.js.map