// Which @parcel/watcher backend to use, and whether watching can be trusted
// at all: watchman reports everything, parcel's inotify backend silently loses
// events (see docs/design.md), and both need one inotify watch per directory,
// so the tree's directory count is checked against the kernel limit.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
export function watchmanAvailable() {
    try {
        const r = spawnSync('watchman', ['version'], { timeout: 15000, stdio: ['ignore', 'pipe', 'pipe'] });
        return r.status === 0;
    }
    catch {
        return false;
    }
}
export function chooseBackend(wanted) {
    if (wanted === 'inotify')
        return { backend: 'inotify', reason: 'requested' };
    if (watchmanAvailable())
        return { backend: 'watchman', reason: wanted === 'watchman' ? 'requested' : 'watchman is installed' };
    return { backend: 'inotify', reason: 'watchman is not installed or not responding' };
}
/** fs.inotify.max_user_watches, or undefined when unknown (not Linux). */
export function inotifyWatchLimit() {
    const forced = Number(process.env.STRATA_TEST_WATCH_LIMIT); // tests: pretend a small limit
    if (forced > 0)
        return forced;
    try {
        const n = Number(fs.readFileSync('/proc/sys/fs/inotify/max_user_watches', 'utf8').trim());
        return Number.isFinite(n) && n > 0 ? n : undefined;
    }
    catch {
        return undefined;
    }
}
/** Share of the watch limit strata allows itself; the rest is for other programs. */
export const WATCH_LIMIT_SHARE = 0.8;
export function watchLimitAdvice(dirs, limit) {
    const want = Math.max(524288, 2 ** Math.ceil(Math.log2(dirs * 2)));
    return (`the tree has ${dirs} directories; fs.inotify.max_user_watches is ${limit} (strata uses at most ${Math.floor(limit * WATCH_LIMIT_SHARE)}). ` +
        `Raise it with: sudo sysctl fs.inotify.max_user_watches=${want} (persist in /etc/sysctl.d/90-strata.conf). ` +
        `Until then strata falls back to periodic stat scans.`);
}
//# sourceMappingURL=backend.js.map