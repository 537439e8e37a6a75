// What a tree entry records beyond lstat's basics (docs/format.md §6.1a):
// the atime of a regular file (STRATA_RECORD_ATIME=1), the hard-link group of a non-directory with
// several names, whether a file has holes, and its extended attributes
// (names sorted by raw bytes; ACLs are the system.posix_acl_* ones).
import { errnoCode } from '../errors.js';
import { RECORD_ATIME } from './dir-entry.js';
import { getXattr, listXattrs } from './native.js';
/** Read the extras of `abs`; `problem` hears about attributes that could not be read (the entry is kept). */
export function readExtras(abs, kind, st, problem) {
    const x = {};
    // atime of regular files only, when asked: our own readdir/readlink moves the atime of directories and
    // symlinks (relatime), so recording theirs would make every unchanged tree new at each snapshot
    if (RECORD_ATIME && kind === 'file' && st.atimeNs !== undefined)
        x.atimeNs = st.atimeNs;
    if (kind !== 'dir' && st.nlink !== undefined && st.nlink > 1n)
        x.link = { dev: BigInt.asUintN(64, st.dev), ino: BigInt.asUintN(64, st.ino), nlink: Number(st.nlink) };
    if (kind === 'file' && st.blocks !== undefined && st.blocks * 512n < st.size)
        x.sparse = true;
    let names;
    try {
        names = listXattrs(abs);
    }
    catch (err) {
        const code = errnoCode(err);
        if (code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOENT')
            problem(`extended attributes not read: ${err.message}`);
        return x;
    }
    if (names.length === 0)
        return x;
    const xs = [];
    for (const name of names.sort(Buffer.compare)) {
        try {
            xs.push({ name, value: getXattr(abs, name) });
        }
        catch (err) {
            if (errnoCode(err) !== 'ENODATA')
                problem(`extended attribute ${name.toString()} not read: ${err.message}`);
        }
    }
    if (xs.length)
        x.xattrs = xs;
    return x;
}
//# sourceMappingURL=entry-extras.js.map