// Metadata of a restored entry, applied after its content: owner (root only),
// xattrs and POSIX ACLs (system.posix_acl_*, before the mode: setting an
// access ACL rewrites the group bits), mode, then atime/mtime to the
// nanosecond (utimensat through the native addon; microseconds without it).
// A target file system without xattr support gives one warning per restore.
import * as fs from 'node:fs';
import { errnoCode } from '../errors.js';
import { listXattrs, nativeMissing, removeXattr, setTimes, setTimesFd, setXattr } from '../fs/native.js';
import { displayName } from '../fs/paths.js';
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
export class MetaWriter {
    repo;
    opts;
    xattrsUnsupported = false;
    nativeWarned = false;
    xattrErrors = 0;
    constructor(repo, opts) {
        this.repo = repo;
        this.opts = opts;
    }
    /** Warn once when ns times and xattrs are not available. */
    checkNative(entryHasXattrs) {
        if (this.nativeWarned || !nativeMissing())
            return;
        this.nativeWarned = true;
        this.opts.warn('', 'W_NATIVE', `native addon not loaded (${nativeMissing()}): times restored to the microsecond${entryHasXattrs ? ', xattrs not restored' : ''}`);
    }
    /** Everything but times, on a path (or an open file: owner and mode through `fd`). */
    async applyOwnerXattrsMode(p, e, existed, fd) {
        if (isRoot) {
            if (fd !== undefined)
                fs.fchownSync(fd, e.uid, e.gid);
            else
                fs.lchownSync(p, e.uid, e.gid);
        }
        if (this.opts.xattrs && (e.xattrs?.length || existed))
            await this.applyXattrs(p, e.xattrs ?? [], existed);
        if (e.kind !== 'symlink') {
            if (fd !== undefined)
                fs.fchmodSync(fd, e.mode);
            else
                fs.chmodSync(p, e.mode);
        }
    }
    applyTimes(p, e, fd) {
        const atime = e.atimeNs ?? e.mtimeNs;
        if (fd !== undefined)
            setTimesFd(fd, atime, e.mtimeNs);
        else
            setTimes(p, atime, e.mtimeNs, true);
    }
    async apply(p, e, existed) {
        await this.applyOwnerXattrsMode(p, e, existed);
        this.applyTimes(p, e);
    }
    async applyXattrs(p, xs, existed) {
        if (this.xattrsUnsupported)
            return;
        if (xs.length)
            this.checkNative(true);
        if (nativeMissing())
            return;
        if (existed) {
            // make the set exactly the snapshot's: drop the ones it lacks
            const keep = new Set(xs.map((x) => x.name.toString('latin1')));
            let have = [];
            try {
                have = listXattrs(p);
            }
            catch { }
            for (const name of have)
                if (!keep.has(name.toString('latin1')) && !name.toString('latin1').startsWith('security.'))
                    this.tryXattr(p, name, () => removeXattr(p, name));
        }
        for (const x of xs) {
            const value = x.value ?? (await this.repo.getBlob(x.blob)); // verified by its hash
            if (value.length !== x.size)
                throw Object.assign(new Error(`xattr ${x.name.toString()}: value is ${value.length} bytes, expected ${x.size}`), { code: 'E_CORRUPT' });
            if (!this.tryXattr(p, x.name, () => setXattr(p, x.name, Buffer.from(value))))
                return;
        }
    }
    /** false: stop setting xattrs on this entry */
    tryXattr(p, name, f) {
        try {
            f();
            return true;
        }
        catch (err) {
            const code = errnoCode(err) ?? 'E_IO';
            if (code === 'ENOTSUP' || code === 'EOPNOTSUPP') {
                this.xattrsUnsupported = true;
                this.opts.warn(displayName(p), 'W_XATTR', 'the target file system does not support extended attributes: none restored');
                return false;
            }
            this.xattrErrors++;
            this.opts.warn(displayName(p), 'W_XATTR', `xattr ${name.toString()} not restored: ${err.message}`);
            return true;
        }
    }
}
//# sourceMappingURL=metadata.js.map