// Exclusion rules: `--exclude` patterns (gitignore syntax, relative to the
// source root) and `.strataignore` files (gitignore syntax, relative to the
// directory holding them), plus absolute paths that are always excluded (the
// repository itself when it lies inside the source).
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore from 'ignore';
import { errnoCode } from '../errors.js';
import { joinPath } from '../fs/paths.js';
import { readFileQuietly } from '../fs/read-quietly.js';
import { hashBytes } from '../hash.js';
export const IGNORE_FILE = '.strataignore';
export const IGNORE_FILE_BUF = Buffer.from(IGNORE_FILE);
const CACHEDIR_SIGNATURE = Buffer.from('Signature: 8a477f597d28d172789f06886806bc55');
/** A directory marked as a cache: its CACHEDIR.TAG starts with the standard signature. */
function isCacheDir(abs) {
    let fd;
    try {
        fd = fs.openSync(path.join(abs, 'CACHEDIR.TAG'), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    }
    catch {
        return false;
    }
    try {
        const b = Buffer.alloc(CACHEDIR_SIGNATURE.length);
        return fs.readSync(fd, b, 0, b.length, 0) === b.length && b.equals(CACHEDIR_SIGNATURE);
    }
    catch {
        return false;
    }
    finally {
        fs.closeSync(fd);
    }
}
export class IgnoreRules {
    levels;
    excludedAbs;
    excludedParents;
    fingerprint;
    excludeCaches;
    opts;
    constructor(levels, excludedAbs, excludedParents, 
    /**
     * 16 bytes naming everything these rules depend on (patterns, every .strataignore text on the
     * way down, the always-excluded paths): equal fingerprints exclude exactly the same entries.
     */
    fingerprint, 
    /** exclude directories holding a CACHEDIR.TAG (https://bford.info/cachedir/) */
    excludeCaches = false, opts = {}) {
        this.levels = levels;
        this.excludedAbs = excludedAbs;
        this.excludedParents = excludedParents;
        this.fingerprint = fingerprint;
        this.excludeCaches = excludeCaches;
        this.opts = opts;
    }
    static root(excludes, excludedAbs, opts = {}) {
        const levels = excludes.length ? [{ base: '', ig: ignore().add([...excludes]) }] : [];
        const key = ['strata-rules-1', excludes, [...new Set(excludedAbs)].sort()];
        if (opts.excludeCaches)
            key.push('exclude-caches');
        if (opts.maxFileSize !== undefined)
            key.push(`larger-than:${opts.maxFileSize}`);
        if (opts.device !== undefined)
            key.push(`device:${opts.device}`);
        const fp = hashBytes(Buffer.from(JSON.stringify(key))).subarray(0, 16);
        const limits = { maxFileSize: opts.maxFileSize, device: opts.device };
        return new IgnoreRules(levels, new Set(excludedAbs), new Set(excludedAbs.map((p) => path.dirname(p))), fp, !!opts.excludeCaches, limits);
    }
    /** Rules for the directory `abs` (relative path `rel`), adding its .strataignore if any. */
    enter(abs, rel) {
        let text;
        try {
            text = readFileQuietly(joinPath(abs, IGNORE_FILE_BUF)).toString('utf8'); // its atime is recorded
        }
        catch (e) {
            const c = errnoCode(e);
            if (c === 'ENOENT' || c === 'ENOTDIR' || c === 'EACCES' || c === 'EISDIR')
                return this;
            throw e;
        }
        const fp = hashBytes(Buffer.concat([this.fingerprint, Buffer.from(JSON.stringify([rel, text]))])).subarray(0, 16);
        return new IgnoreRules([...this.levels, { base: rel, ig: ignore().add(text) }], this.excludedAbs, this.excludedParents, fp, this.excludeCaches, this.opts);
    }
    /** True when nothing in the directory `dirAbs` can be excluded (no patterns, no excluded path in it). */
    excludesNothingIn(dirAbs) {
        return this.levels.length === 0 && !this.excludeCaches && this.opts.maxFileSize === undefined && this.opts.device === undefined && !this.excludedParents.has(dirAbs);
    }
    /**
     * True when the exclusions inside `dirAbs` do not depend on where that directory is: no patterns
     * in force (they match paths), and no always-excluded path inside it. A subtree moved between two
     * such places excludes the same entries at both (size, device and CACHEDIR.TAG go by the entries).
     */
    pathIndependent(dirAbs) {
        if (this.levels.length > 0)
            return false;
        const inside = dirAbs + '/';
        for (const p of this.excludedAbs)
            if (p === dirAbs || p.startsWith(inside))
                return false;
        return true;
    }
    /**
     * Whether the entry at `rel` (relative to the root; `abs` absolute) is excluded. `st` (its
     * lstat) lets --exclude-larger-than and --one-file-system decide.
     */
    excludes(abs, rel, isDir, st) {
        if (this.excludedAbs.has(abs))
            return true;
        if (st && this.opts.maxFileSize !== undefined && st.isFile() && Number(st.size) > this.opts.maxFileSize)
            return true;
        if (st && this.opts.device !== undefined && BigInt(st.dev) !== BigInt(this.opts.device))
            return true;
        if (isDir && this.excludeCaches && isCacheDir(abs))
            return true;
        for (const l of this.levels) {
            const sub = l.base === '' ? rel : rel.startsWith(l.base + '/') ? rel.slice(l.base.length + 1) : undefined;
            if (!sub)
                continue;
            try {
                if (l.ig.ignores(isDir ? sub + '/' : sub))
                    return true;
            }
            catch {
                // names the ignore package cannot express as a relative path are never excluded
            }
        }
        return false;
    }
}
//# sourceMappingURL=ignore-rules.js.map