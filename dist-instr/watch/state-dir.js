// Where a daemon keeps its local state (per-source locks, status files): the
// repository's local cache. Every path the watch daemon and `strata status`
// use goes through daemonStateDir, so moving the cache moves them all.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
export function daemonStateDir(repo) {
    // the cache folder of this repository (its scratch folder's parent); an in-memory cache has none
    const scratch = repo.scratchDir;
    if (scratch)
        return path.join(path.dirname(scratch), 'daemons');
    return path.join(os.tmpdir(), `strata-daemons-${repo.config.id}`);
}
export function ensureStateDir(repo) {
    const d = daemonStateDir(repo);
    fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    return d;
}
/** Write JSON atomically: a temporary file in the same folder, then rename. */
export function writeJsonAtomic(file, value) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(value, null, 1) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, file);
}
/** Whether a process with this PID exists (on this host). */
export function pidAlive(pid) {
    if (!Number.isInteger(pid) || pid <= 0)
        return false;
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (e) {
        return e.code === 'EPERM';
    }
}
//# sourceMappingURL=state-dir.js.map