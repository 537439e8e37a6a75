// Out of space on the repository's (or its cache's) disk: recognise it in the
// forms it arrives in (ENOSPC, EDQUOT, lmdb's numeric errno 28/122, EIO from a
// full tmpfs) and turn it into one E_NO_SPACE error that names the disk, what
// is free and how much the failed write needed. A full repository disk is
// never a source file's fault; callers rethrow E_NO_SPACE instead of skipping.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StrataError, errnoCode, isStrataError } from '../errors.js';
const NO_SPACE_ERRNO = new Set(['ENOSPC', 'EDQUOT', '28', '122']);
/** Free bytes for unprivileged writers on the file system holding `dir` (undefined when unknown). */
export function freeBytes(dir) {
    try {
        const s = fs.statfsSync(existingParent(dir));
        return Number(s.bavail) * Number(s.bsize);
    }
    catch {
        return undefined;
    }
}
function existingParent(p) {
    let d = path.resolve(p);
    while (!fs.existsSync(d) && path.dirname(d) !== d)
        d = path.dirname(d);
    return d;
}
/** The mount point holding `p`: the topmost ancestor on the same device. */
export function mountPointOf(p) {
    let d = existingParent(p);
    const dev = fs.statSync(d).dev;
    for (;;) {
        const up = path.dirname(d);
        if (up === d)
            return d;
        try {
            if (fs.statSync(up).dev !== dev)
                return d;
        }
        catch {
            return d;
        }
        d = up;
    }
}
/** Whether `e` (or its cause) says the disk under `dir` is full. EIO counts when that disk has (almost) nothing free. */
export function isNoSpace(e, dir) {
    for (let x = e, depth = 0; x && depth < 4; x = x.cause, depth++) {
        if (isStrataError(x, 'E_NO_SPACE'))
            return true;
        const code = errnoCode(x);
        if (code && NO_SPACE_ERRNO.has(code))
            return true;
        const msg = x instanceof Error ? x.message : '';
        if (/no space left on device|disk quota exceeded/i.test(msg))
            return true;
        if ((code === 'EIO' || code === '5' || /input\/output error/i.test(msg)) && dir !== undefined) {
            const free = freeBytes(dir);
            if (free !== undefined && free < 1 << 20)
                return true; // a full tmpfs reports some writes as EIO
        }
    }
    return false;
}
const fmt = (n) => (n >= 1 << 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : n >= 1 << 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);
/**
 * The one error a full disk becomes. `dir`: where the write went (repository
 * or cache); `what`: the write ("a pack", "the index"); `needed`: bytes the
 * failed write wanted (at least).
 */
export function noSpaceError(e, dir, what, needed) {
    if (isStrataError(e, 'E_NO_SPACE'))
        return e;
    const free = freeBytes(dir);
    let mount = dir;
    try {
        mount = mountPointOf(dir);
    }
    catch { }
    const need = needed !== undefined && needed > 0 ? `; writing ${what} needed ${fmt(needed)} more` : `; writing ${what} failed`;
    return new StrataError('E_NO_SPACE', `disk full: the file system at ${mount} (holding ${dir}) has ${free === undefined ? 'no' : fmt(free)} free${need}. Nothing was committed; free some space and run the command again`, { cause: e });
}
/** Rethrow `e` as E_NO_SPACE when it is one, else unchanged. */
export function classifyWriteError(e, dir, what, needed) {
    return isNoSpace(e, dir) ? noSpaceError(e, dir, what, needed) : e;
}
//# sourceMappingURL=space.js.map