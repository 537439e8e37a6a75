// The state of one watched source and how it is reported: its options, its
// persistent dirty set, its snapshot taker, its state machine (starting,
// watching, polling, missing, error, stopped) and the status it publishes.
// The scheduling on top of it is SourceWatcher (daemon.ts).
import * as os from 'node:os';
import * as path from 'node:path';
import { DirtySet } from './dirty-set.js';
import { sourceKey } from './source-lock.js';
import { SourceSnapshots } from './source-snapshots.js';
export class SourceBase {
    repo;
    opts;
    source;
    host;
    state = 'starting';
    reason;
    failing = false;
    lastError;
    missedTotal = 0;
    dirty;
    sub;
    gen = 0;
    subscribing = false;
    rootId;
    backoff = 500;
    nextSubscribeAt = Infinity;
    firstMark = 0;
    lastMark = 0;
    timer;
    tick;
    wantRewatch = false;
    /** inotify reported a batch that parcel emptied (a create+delete pair): where is unknown */
    emptyBatch = false;
    wantScan;
    lastScan = Date.now();
    lastReconcile = Date.now();
    scanMs = 0;
    loopPromise;
    loopStarted = 0;
    watchdogSaid = false;
    stopping = false;
    ready = false;
    wake;
    starting;
    abort = new AbortController();
    snaps;
    quietMs;
    maxDelayMs;
    reconcileMs;
    pollMs;
    constructor(repo, opts) {
        this.repo = repo;
        this.opts = opts;
        this.source = path.resolve(opts.source);
        this.host = opts.host ?? os.hostname();
        this.quietMs = opts.quietMs ?? 1000;
        this.maxDelayMs = opts.maxDelayMs ?? 10000;
        this.reconcileMs = opts.reconcileMs ?? 3600_000;
        this.pollMs = opts.pollMs ?? 5000;
        this.dirty = new DirtySet(repo.index, sourceKey(this.host, this.source));
        this.snaps = new SourceSnapshots(repo, {
            ...opts,
            source: this.source,
            host: this.host,
            signal: this.abort.signal,
            stopping: () => this.stopping,
            log: (level, msg) => this.log(level, `${this.source}: ${msg}`),
        });
    }
    log(level, msg) {
        this.opts.onLog?.(level, msg);
    }
    get protected() {
        return (this.state === 'watching' || this.state === 'polling') && !this.failing;
    }
    status() {
        const s = this.snaps.latest;
        return {
            path: this.source,
            state: this.failing && this.state !== 'missing' ? 'error' : this.state,
            ...(this.reason ? { reason: this.reason } : {}),
            protected: this.protected,
            ...(s?.id ? { lastSnapshot: { id: s.id, time: s.time } } : {}),
            pendingDirs: this.dirty.size,
            missedEvents: this.missedTotal,
            ...(this.lastError ? { lastError: this.lastError } : {}),
        };
    }
    setState(state, reason) {
        if (this.state === state && this.reason === reason)
            return;
        this.state = state;
        this.reason = reason;
        this.opts.onChange?.();
    }
    error(message) {
        this.lastError = { time: new Date().toISOString(), message };
    }
    sleep(ms) {
        return new Promise((resolve) => {
            const t = setTimeout(resolve, ms);
            this.wake = () => {
                clearTimeout(t);
                resolve();
            };
        });
    }
}
//# sourceMappingURL=source-base.js.map