// The daemon's status, for `strata status`: one JSON file per running daemon
// in the daemon state folder, rewritten atomically on every change of state
// and after each snapshot. Files of daemons that are gone are ignored (and
// removed) by the reader.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pidAlive, writeJsonAtomic } from './state-dir.js';
export const statusPath = (stateDir, pid = process.pid) => path.join(stateDir, `daemon-${pid}.json`);
export function writeStatus(stateDir, s) {
    writeJsonAtomic(statusPath(stateDir, s.pid), s);
}
export function removeStatus(stateDir) {
    fs.rmSync(statusPath(stateDir), { force: true });
}
/** Status of every live daemon of this repository on this host. */
export function readStatuses(stateDir) {
    let names;
    try {
        names = fs.readdirSync(stateDir);
    }
    catch {
        return [];
    }
    const out = [];
    for (const n of names) {
        const m = /^daemon-(\d+)\.json$/.exec(n);
        if (!m)
            continue;
        const file = path.join(stateDir, n);
        if (!pidAlive(Number(m[1]))) {
            fs.rmSync(file, { force: true });
            continue;
        }
        try {
            out.push(JSON.parse(fs.readFileSync(file, 'utf8')));
        }
        catch {
            continue; // replaced while we read it (rename is atomic, so this is rare): skip
        }
    }
    return out.sort((a, b) => a.pid - b.pid);
}
//# sourceMappingURL=status-file.js.map