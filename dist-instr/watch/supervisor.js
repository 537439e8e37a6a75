// The watch daemon: several sources in one process, one repository, one
// watcher connection. It takes a lock per source (a second daemon on the same
// source and repository is refused), keeps the status file that `strata
// status` reads, runs the hooks, and stops everything within a few seconds.
import * as os from 'node:os';
import { chooseBackend } from './backend.js';
import { SourceWatcher } from './daemon.js';
import { hookRunner } from './hooks.js';
import { acquireSourceLock, releaseSourceLock } from './source-lock.js';
import { ensureStateDir } from './state-dir.js';
import { removeStatus, writeStatus } from './status-file.js';
import { Subscriber } from './subscriber.js';
export class WatchDaemon {
    repo;
    opts;
    host;
    sources = [];
    backend = 'inotify';
    subscriber;
    locks = [];
    stateDir = '';
    started = new Date().toISOString();
    hooks;
    wasProtected = new Map();
    chain = Promise.resolve();
    heartbeat;
    statusDirty = false;
    stopped = false;
    constructor(repo, opts) {
        this.repo = repo;
        this.opts = opts;
        this.host = opts.host ?? os.hostname();
        this.hooks = hookRunner({ timeoutMs: opts.hookTimeoutMs ?? 60_000, log: (l, m) => this.log(l, m) });
    }
    log(level, msg) {
        this.opts.onLog?.(level, msg);
    }
    /** Take the locks (or throw E_LOCKED), choose the backend, start every source. */
    async start() {
        this.stateDir = ensureStateDir(this.repo);
        const stale = [];
        try {
            for (const s of this.opts.sources) {
                const l = acquireSourceLock(this.stateDir, this.host, s);
                this.locks.push(l.file);
                if (l.stale)
                    stale.push(s);
            }
        }
        catch (e) {
            this.releaseLocks();
            throw e;
        }
        const chosen = chooseBackend(this.opts.backend ?? 'auto');
        this.backend = chosen.backend;
        if (this.backend === 'watchman')
            this.log('info', `backend: watchman (${chosen.reason})`);
        else
            this.log('warn', `backend: inotify (${chosen.reason}): inotify loses events (new nested directories, moved-in trees, overflows); ` +
                `strata re-scans created directories itself, but some changes may be picked up only by the periodic reconcile. Install watchman for lossless watching.`);
        this.subscriber = new Subscriber(this.backend, this.opts.backendTimeoutMs ?? 10_000, this.opts.faults, (m) => this.log('warn', m));
        for (const s of stale)
            this.subscriber.adopt(s); // a dead daemon's watches are ours to remove
        for (const source of this.opts.sources) {
            const w = new SourceWatcher(this.repo, {
                ...this.opts,
                source,
                subscriber: this.subscriber,
                serialize: (fn) => this.serialize(fn),
                onSnapshot: (r) => this.snapshotted(r),
                onChange: () => this.changed(w),
            });
            this.sources.push(w);
            this.wasProtected.set(w, true);
        }
        this.writeStatus();
        this.heartbeat = setInterval(() => this.statusDirty && this.writeStatus(), 500);
        await Promise.all(this.sources.map((s) => s.start()));
        this.writeStatus();
    }
    /** One snapshot at a time across sources; their quiet periods stay independent. */
    serialize(fn) {
        const p = this.chain.then(fn, fn);
        this.chain = p.catch(() => { });
        return p;
    }
    snapshotted(r) {
        this.opts.onSnapshot?.(r);
        const id = r.result.snapshot?.id;
        if (this.opts.onSnapshotCmd && id)
            this.hooks.run('--on-snapshot', this.opts.onSnapshotCmd, { STRATA_SNAPSHOT_ID: id, STRATA_SOURCE: r.source, STRATA_REPOSITORY: this.repo.location, STRATA_TRIGGER: r.trigger });
    }
    changed(w) {
        this.statusDirty = true;
        if (this.stopped || w.state === 'starting' || w.state === 'stopped')
            return;
        const was = this.wasProtected.get(w);
        const now = w.protected;
        if (was === now)
            return;
        this.wasProtected.set(w, now);
        const st = w.status(); // the source has logged the change itself
        if (this.opts.onErrorCmd)
            this.hooks.run('--on-error', this.opts.onErrorCmd, {
                STRATA_SOURCE: w.source,
                STRATA_REPOSITORY: this.repo.location,
                STRATA_STATE: now ? 'recovered' : st.state,
                STRATA_ERROR: now ? '' : (st.reason ?? st.lastError?.message ?? st.state),
            });
    }
    status() {
        const sources = this.sources.map((s) => s.status());
        const bad = sources.filter((s) => s.state !== 'watching');
        return {
            pid: process.pid,
            host: this.host,
            started: this.started,
            updated: new Date().toISOString(),
            backend: this.backend,
            backendState: bad.length === 0 ? 'watching' : bad.every((s) => s.state === 'polling') ? 'polling' : 'degraded',
            ...(bad.length ? { backendReason: bad.map((s) => `${s.path}: ${s.reason ?? s.state}`).join('; ') } : {}),
            sources,
        };
    }
    writeStatus() {
        if (this.stopped || !this.stateDir)
            return;
        this.statusDirty = false;
        try {
            writeStatus(this.stateDir, this.status());
        }
        catch (e) {
            this.log('warn', `cannot write the status file: ${e.message}`);
        }
    }
    releaseLocks() {
        for (const l of this.locks.splice(0))
            releaseSourceLock(l);
    }
    /** Synchronous last resort (a stop that overran its time): drop the status file and locks. */
    releaseNow() {
        this.stopped = true;
        this.hooks.stop();
        this.subscriber?.closeSync();
        if (this.stateDir)
            removeStatus(this.stateDir);
        this.releaseLocks();
    }
    /** Stop every source (abandoning snapshots in flight when `abandon`), remove our watches, locks and status. */
    async stop(abandon = false) {
        clearInterval(this.heartbeat);
        const sources = Promise.all(this.sources.map((s) => s.stop(abandon)));
        // removing the watches ends the subscriptions too: do it at once, not after the sources
        await Promise.race([this.subscriber?.close().catch(() => { }), new Promise((r) => setTimeout(r, 2500).unref())]);
        await sources;
        this.releaseNow();
    }
}
//# sourceMappingURL=supervisor.js.map