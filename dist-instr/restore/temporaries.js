// Temporary names of a restore (`.strata-restore-<pid36>-<random>-<n>` beside
// their destination). Live ones are tracked so a SIGINT/SIGTERM handler can
// remove them; leftovers of a killed restore (its pid gone, or older than a
// day) are swept from each existing directory the next restore walks.
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { joinPath } from '../fs/paths.js';
export const TMP_PREFIX = '.strata-restore-';
const PREFIX_BUF = Buffer.from(TMP_PREFIX);
const TAG = `${TMP_PREFIX}${process.pid.toString(36)}-${randomBytes(3).toString('hex')}-`;
const STALE_MS = 24 * 3600 * 1000;
let counter = 0;
const live = new Map();
/** A fresh temporary name in the directory of `dest`, tracked until `untrack`. */
export function tmpName(dest) {
    const slash = dest.lastIndexOf(0x2f);
    const dir = slash >= 0 ? dest.subarray(0, slash) : Buffer.from('.');
    const p = joinPath(dir, Buffer.from(`${TAG}${(counter++).toString(36)}`));
    live.set(p.toString('latin1'), p);
    return p;
}
export function untrack(p) {
    live.delete(p.toString('latin1'));
}
/** Remove every live temporary (on a signal); returns how many were there. */
export function removeLive() {
    let n = 0;
    for (const p of live.values()) {
        try {
            fs.rmSync(p, { recursive: true, force: true });
            n++;
        }
        catch { }
    }
    live.clear();
    return n;
}
function ownerGone(name) {
    const rest = name.subarray(PREFIX_BUF.length).toString('latin1');
    const pid = parseInt(rest.slice(0, rest.indexOf('-')), 36);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid > 0x7fffffff)
        return true;
    if (pid === process.pid)
        return true; // ours but no longer live (the caller skips live ones)
    try {
        process.kill(pid, 0);
        return false;
    }
    catch (e) {
        return e.code === 'ESRCH';
    }
}
/** Remove leftover temporaries in `dir` (names from `names`, already read): their restore is gone or a day old. */
export function sweep(dir, names) {
    let n = 0;
    for (const name of names) {
        if (name.length <= PREFIX_BUF.length || !name.subarray(0, PREFIX_BUF.length).equals(PREFIX_BUF))
            continue;
        const p = joinPath(dir, name);
        if (live.has(p.toString('latin1')))
            continue;
        try {
            const st = fs.lstatSync(p);
            if (!ownerGone(name) && Date.now() - st.mtimeMs < STALE_MS)
                continue;
            fs.rmSync(p, { recursive: true, force: true });
            n++;
        }
        catch { }
    }
    return n;
}
//# sourceMappingURL=temporaries.js.map