// Reading the source tree before the repository is open. A one-shot snapshot
// spends its first half second or more deriving the key (scrypt, on the
// thread pool) and opening the cache, with the main thread and the other core
// idle. A PreScan uses that time: it reads directories depth first, in the
// order the walk will enter them, with the addon's scanDir (names and lstats
// in one call on the thread pool), and keeps the raw results for the walk to
// take. Bounded: at most `maxEntries` entries are held, a few reads in flight.
// It reads nothing but listings, follows no symlink, stays on the root's file
// system (a hung network mount below it must not tie up the thread pool the
// key derivation and the walk need), and knows no exclusion rules (an excluded
// directory read here is simply never taken). Once the walk
// reads file content, or the snapshot ends, it stops and drops what is left:
// a listing is never used after the walk has spent time elsewhere (the same
// rule as the walk's own read-ahead, listing.ts).
import * as fs from 'node:fs';
import { STAT_SLOTS } from '../fs/dir-entry.js';
import { canScan, startScan } from './listing.js';
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const SLASH = Buffer.from('/');
export class PreScan {
    maxEntries;
    maxInFlight;
    dev;
    results = new Map();
    /** directories still to read, the next one last (depth first, listing order) */
    stack = [];
    inFlight = 0;
    held = 0;
    stopped = false;
    /** for tests and --json: listings read ahead, and how many of them the walk took */
    stats = { read: 0, taken: 0 };
    constructor(maxEntries, maxInFlight, dev) {
        this.maxEntries = maxEntries;
        this.maxInFlight = maxInFlight;
        this.dev = dev;
    }
    /** Start reading below `root` (an absolute directory path); null without the addon. */
    static start(root, opts = {}) {
        if (!canScan())
            return null;
        let dev;
        try {
            dev = fs.lstatSync(root, { bigint: true }).dev;
        }
        catch {
            return null; // the snapshot reports it
        }
        const p = new PreScan(opts.maxEntries ?? 150_000, opts.maxInFlight ?? 4, dev);
        p.stack.push(Buffer.from(root));
        p.pump();
        return p;
    }
    /** The listing of `abs` read ahead, if there is one (each is given out once). */
    take(abs) {
        if (this.stopped)
            return undefined;
        const key = typeof abs === 'string' ? Buffer.from(abs).toString('latin1') : abs.toString('latin1');
        const p = this.results.get(key);
        if (!p)
            return undefined;
        this.results.delete(key);
        this.stats.taken++;
        return p;
    }
    /** Stop reading and drop every listing not taken (the walk read file content, or the snapshot ended). */
    stop() {
        this.stopped = true;
        this.stack.length = 0;
        this.results.clear();
    }
    pump() {
        while (!this.stopped && this.inFlight < this.maxInFlight && this.held < this.maxEntries && this.stack.length) {
            const dir = this.stack.pop();
            const p = startScan(dir);
            if (!p)
                return;
            this.inFlight++;
            this.stats.read++;
            this.results.set(dir.toString('latin1'), p);
            p.then((s) => this.listed(dir, s), () => { }).finally(() => {
                this.inFlight--;
                this.pump();
            });
        }
    }
    /** Queue the subdirectories of `dir` so that the first in listing order is read next. */
    listed(dir, s) {
        if (this.stopped)
            return;
        this.held += s.count;
        const subdirs = [];
        const prefix = Buffer.concat([dir, SLASH]);
        let o = 0;
        for (let i = 0; i < s.count; i++) {
            const len = s.names[o] | (s.names[o + 1] << 8);
            const name = s.names.subarray(o + 2, o + 2 + len);
            o += 2 + len;
            if (s.errs[i] !== 0)
                continue;
            const so = i * STAT_SLOTS;
            if ((Number(s.slots[so + 2]) & S_IFMT) !== S_IFDIR)
                continue;
            if (BigInt.asUintN(64, BigInt(s.slots[so])) !== this.dev)
                continue; // a mount point: not read ahead
            subdirs.push(Buffer.concat([prefix, name]));
        }
        for (let i = subdirs.length - 1; i >= 0; i--)
            this.stack.push(subdirs[i]);
    }
}
//# sourceMappingURL=prescan.js.map