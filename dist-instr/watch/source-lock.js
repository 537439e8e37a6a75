// One daemon per source and repository: a lock file per (host, source) in the
// daemon state folder, created with O_EXCL and naming the owner's PID. A lock
// whose PID is gone is stale and taken over.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StrataError } from '../errors.js';
import { hashBytes } from '../hash.js';
import { pidAlive } from './state-dir.js';
export const sourceKey = (host, source) => hashBytes(Buffer.from(`${host}\0${source}`)).toString('hex').slice(0, 16);
export function lockPath(stateDir, host, source) {
    return path.join(stateDir, `source-${sourceKey(host, source)}.lock`);
}
function readLock(file) {
    try {
        return JSON.parse(fs.readFileSync(file, 'utf8'));
    }
    catch {
        return undefined;
    }
}
/** Take the lock for `source` or throw E_LOCKED naming the daemon that holds it; `stale` when a dead daemon's lock was taken over. */
export function acquireSourceLock(stateDir, host, source) {
    let stale = false;
    const file = lockPath(stateDir, host, source);
    const me = { pid: process.pid, host, source, started: new Date().toISOString() };
    for (let attempt = 0; attempt < 5; attempt++) {
        try {
            const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
            try {
                fs.writeSync(fd, JSON.stringify(me) + '\n');
            }
            finally {
                fs.closeSync(fd);
            }
            return { file, stale };
        }
        catch (e) {
            if (e.code !== 'EEXIST')
                throw e;
        }
        const held = readLock(file);
        if (held === undefined) {
            // being written right now, or garbage: a writer finishes within milliseconds
            const age = Date.now() - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
            if (age < 2000) {
                Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
                continue;
            }
        }
        else if (held.pid !== process.pid && pidAlive(held.pid)) {
            throw new StrataError('E_LOCKED', `${source} is already watched for this repository by strata watch (pid ${held.pid}, since ${held.started})`);
        }
        fs.rmSync(file, { force: true }); // stale: its daemon is gone
        stale = true;
    }
    throw new StrataError('E_LOCKED', `cannot take the watch lock ${file}`);
}
/** Remove our lock (only if it is still ours). */
export function releaseSourceLock(file) {
    const held = readLock(file);
    if (held && held.pid !== process.pid)
        return;
    fs.rmSync(file, { force: true });
}
//# sourceMappingURL=source-lock.js.map