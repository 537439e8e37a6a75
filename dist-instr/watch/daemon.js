// One watched source: catch up with a stat-only snapshot, subscribe to
// events, persist what they mark dirty, and snapshot the dirty set after a
// quiet period (or a maximum delay). Trouble never loses a change: a watcher
// error, a restart, a subscribe that times out or a recrawl marks the whole
// tree dirty, and until a new subscription is in place the source is polled
// with stat scans. A root that vanishes is reported and waited for. A
// periodic reconcile catches what the watcher missed and counts it.
// See docs/design.md ("Continuous snapshots") for why this is correct.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isStrataError } from '../errors.js';
import { buildDirtyTree } from '../snapshot/dirty-tree.js';
import { WATCH_LIMIT_SHARE, inotifyWatchLimit, watchLimitAdvice } from './backend.js';
import { countChanges } from './count-changes.js';
import { MoveHints } from './move-hints.js';
import { eventsToMarks } from './event-marks.js';
import { SourceBase } from './source-base.js';
import { createdNestedDirs } from './source-snapshots.js';
const MAX_BACKOFF = 30_000;
export class SourceWatcher extends SourceBase {
    hints;
    /** Watch the parents of big directories for renames (watchman only); after a start, a scan or a snapshot that moved directories. */
    refreshHints(r, trigger) {
        const want = this.opts.moveHints ?? true;
        if (want === false || this.opts.subscriber.backend !== 'watchman' || this.state !== 'watching' || this.stopping)
            return this.closeHints();
        if (this.hints && trigger === 'events' && r.dirsMoved === 0)
            return;
        this.hints ??= new MoveHints(this.source, (marks) => {
            if (!this.stopping && this.state === 'watching')
                void this.mark(marks);
        }, typeof want === 'number' ? { minEntries: want } : {});
        void this.hints.refresh(this.repo, Buffer.from(r.root, 'hex')).catch(() => { });
    }
    closeHints() {
        this.hints?.close();
        this.hints = undefined;
    }
    /** Catch up, subscribe, and start the timers. */
    start() {
        this.starting = this.catchUpAndArm();
        return this.starting;
    }
    async catchUpAndArm() {
        await this.snaps.init();
        const st = this.rootStat();
        if (this.stopping)
            return;
        this.tick = setInterval(() => this.onTick(), this.opts.tickMs ?? 1000);
        if (!st) {
            this.ready = true;
            this.goMissing('does not exist');
            return;
        }
        this.rootId = st;
        // Subscribe first, then catch up: a change during the catch-up is either seen by it or marked.
        await this.trySubscribe();
        if (this.stopping)
            return;
        const seq = this.dirty.currentSeq;
        const r = await this.snap('start', undefined);
        if (r)
            await this.dirty.clear(seq);
        this.lastScan = this.lastReconcile = Date.now();
        this.ready = true;
        this.arm();
    }
    rootStat() {
        try {
            const st = fs.statSync(this.source);
            return st.isDirectory() ? `${st.dev}:${st.ino}` : undefined;
        }
        catch {
            return undefined;
        }
    }
    tooManyDirs() {
        const limit = inotifyWatchLimit();
        const dirs = (this.snaps.latest?.stats.dirs ?? 0) + 1;
        if (limit && dirs > limit * WATCH_LIMIT_SHARE) {
            this.log('warn', `${this.source}: ${watchLimitAdvice(dirs, limit)}`);
            return true;
        }
        return false;
    }
    /** Subscribe; on failure poll and retry later with backoff. True when events are trusted. */
    async trySubscribe() {
        this.nextSubscribeAt = Infinity;
        if (this.tooManyDirs()) {
            this.setState('polling', 'too many directories for the inotify watch limit');
            this.nextSubscribeAt = Date.now() + 10 * 60_000; // the tree may shrink
            return false;
        }
        const ignore = [path.resolve(this.repo.location)].filter((p) => p.startsWith(this.source + path.sep));
        const gen = ++this.gen;
        this.subscribing = true;
        try {
            const sub = await this.opts.subscriber.subscribe(this.source, ignore, (err, events, notice) => this.onEvents(gen, err, events, notice));
            if (this.stopping || gen !== this.gen || this.state === 'missing') {
                await sub.unsubscribe().catch(() => { });
                return false;
            }
            this.sub = sub;
            this.backoff = 500;
            if (this.state !== 'watching')
                this.log('info', `${this.source}: watching with ${this.opts.subscriber.backend}${this.state === 'starting' ? '' : ' again: events are trusted'}`);
            this.setState('watching');
            return true;
        }
        catch (e) {
            const msg = e.message;
            this.error(msg);
            this.nextSubscribeAt = Date.now() + this.backoff;
            this.log('warn', `${this.source}: cannot watch (${msg}); polling with stat scans every ${this.pollMs / 1000} s, retrying in ${this.backoff / 1000} s`);
            this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF);
            this.setState('polling', `cannot watch: ${msg}`);
            return false;
        }
        finally {
            this.subscribing = false;
        }
    }
    async unsubscribe() {
        this.closeHints();
        const s = this.sub;
        this.sub = undefined;
        this.gen++;
        if (!s)
            return;
        try {
            await s.unsubscribe();
        }
        catch (e) {
            if (!this.stopping)
                this.log('warn', `${this.source}: unsubscribe failed (${e.message}); continuing without it`);
        }
    }
    onEvents(gen, err, events, notice) {
        if (this.stopping || gen !== this.gen || this.state === 'missing')
            return;
        if (err || notice === 'canceled') {
            const why = err ? `watcher error (${err.message})` : 'the watch was cancelled (root deleted?)';
            this.sub = undefined; // dead: unsubscribing it could hang
            this.closeHints();
            this.gen++;
            this.error(why);
            this.nextSubscribeAt = Date.now() + this.backoff;
            if (this.rootStat() === this.rootId) {
                this.log('warn', `${this.source}: ${why}: marking the whole tree dirty, polling until re-subscribed`);
                this.setState('polling', why);
            }
            void this.mark([{ dir: '', recursive: true }]);
            setImmediate(() => this.onTick());
            return;
        }
        if (notice)
            this.log('warn', `${this.source}: watchman ${notice === 'fresh' ? 'lost its state (fresh instance)' : 'recrawled'}: marking the whole tree dirty`);
        if (events.length === 0 && !notice) {
            // parcel drops a create+delete pair but still delivers the (now empty) batch: some directory
            // changed; a stat scan finds which (rate-limited, see onTick)
            this.emptyBatch = true;
            return;
        }
        const drop = this.opts.dropEvents ?? 0;
        const marks = notice ? [{ dir: '', recursive: true }] : [];
        marks.push(...eventsToMarks(this.source, drop > 0 ? events.filter(() => Math.random() >= drop) : events));
        if (marks.length)
            void this.mark(marks);
    }
    async mark(marks) {
        await this.dirty.add(marks);
        const now = Date.now();
        if (!this.firstMark)
            this.firstMark = now;
        this.lastMark = now;
        this.arm();
    }
    goMissing(why) {
        this.log('warn', `${this.source}: the source ${why}; not protected until a directory appears there again`);
        this.error(`source ${why}`);
        this.rootId = undefined;
        clearTimeout(this.timer);
        this.setState('missing', `source ${why}`);
        void this.unsubscribe();
    }
    /** Once a second: the root is still the same directory; re-subscribe, poll, reconcile, watchdog. */
    onTick() {
        if (this.stopping || !this.ready)
            return;
        const id = this.rootStat();
        const now = Date.now();
        if (this.state === 'missing') {
            if (!id)
                return;
            this.rootId = id;
            this.log('info', `${this.source}: a directory is there again: watching it and taking a full snapshot`);
            this.setState('starting', 'reappeared');
            this.wantRewatch = true;
            this.wantScan = 'resync';
            return this.kick();
        }
        if (this.state === 'starting')
            return;
        if (id !== this.rootId)
            return this.goMissing(id ? 'was replaced by another directory (moved away?)' : 'was moved away or deleted');
        if (!this.sub && !this.subscribing && now >= this.nextSubscribeAt)
            this.wantRewatch = true;
        if (this.state === 'polling' && now - this.lastScan >= Math.max(this.pollMs, 5 * this.scanMs))
            this.wantScan ??= 'poll';
        if (this.emptyBatch && now - this.lastScan >= Math.max(this.quietMs, 10 * this.scanMs)) {
            this.emptyBatch = false;
            this.wantScan ??= 'poll';
        }
        if (now - this.lastReconcile >= this.reconcileMs)
            this.wantScan = 'reconcile';
        // watchdog: dirty directories waiting far past their deadline, or a pass that does not end
        if (this.loopPromise && now - this.loopStarted > Math.max(10 * 60_000, 20 * this.scanMs)) {
            if (!this.watchdogSaid)
                this.log('warn', `${this.source}: watchdog: a snapshot has been running for ${Math.round((now - this.loopStarted) / 1000)} s`);
            this.watchdogSaid = true;
        }
        else if (!this.loopPromise && this.dirty.size > 0 && this.firstMark && now - this.firstMark > this.maxDelayMs + 5000) {
            this.log('warn', `${this.source}: watchdog: ${this.dirty.size} dirty directories waited ${Math.round((now - this.firstMark) / 1000)} s; snapshotting now`);
            this.firstMark = 1;
        }
        if (this.wantRewatch || this.wantScan || (this.dirty.size > 0 && this.due()))
            this.kick();
    }
    due() {
        if (!this.firstMark)
            this.firstMark = this.lastMark = Date.now();
        return Date.now() >= Math.min(this.lastMark + this.quietMs, this.firstMark + this.maxDelayMs);
    }
    arm() {
        clearTimeout(this.timer);
        if (this.stopping || this.loopPromise || this.state === 'missing')
            return;
        if (this.wantScan || this.wantRewatch)
            return this.kick();
        if (this.dirty.size === 0)
            return;
        if (!this.firstMark)
            this.firstMark = this.lastMark = Date.now();
        const due = Math.min(this.lastMark + this.quietMs, this.firstMark + this.maxDelayMs);
        this.timer = setTimeout(() => this.kick(), Math.max(0, due - Date.now()));
    }
    kick() {
        if (this.loopPromise || this.stopping)
            return;
        this.loopStarted = Date.now();
        this.watchdogSaid = false;
        this.loopPromise = this.loop().finally(() => {
            this.loopPromise = undefined;
            this.arm();
        });
    }
    async loop() {
        let kind = 'events';
        try {
            while (!this.stopping) {
                if (this.wantRewatch) {
                    this.wantRewatch = false;
                    await this.unsubscribe();
                    if (await this.trySubscribe())
                        this.wantScan = this.wantScan === 'reconcile' ? 'reconcile' : 'resync';
                }
                else if (this.state === 'missing' || this.state === 'starting') {
                    break;
                }
                else if (this.wantScan) {
                    kind = this.wantScan;
                    this.wantScan = undefined;
                    await this.scan(kind);
                }
                else if (this.dirty.size > 0 && this.due()) {
                    kind = 'events';
                    await this.eventSnapshot();
                }
                else
                    break;
                if (this.failing) {
                    this.failing = false;
                    this.log('info', `${this.source}: snapshots work again`);
                    this.opts.onChange?.();
                }
            }
        }
        catch (e) {
            if (isStrataError(e, 'E_ABORTED') || this.stopping)
                return;
            if (this.rootStat() !== this.rootId)
                return this.goMissing('was moved away or deleted');
            const msg = e.message;
            this.error(msg);
            if (kind !== 'events')
                this.wantScan ??= kind;
            const wait = Math.min(MAX_BACKOFF, Math.max(this.quietMs, 1000));
            this.log('warn', `${this.source}: snapshot failed: ${msg}; retrying in ${wait / 1000} s`);
            if (!this.failing) {
                this.failing = true;
                this.opts.onChange?.();
            }
            await this.sleep(wait);
        }
    }
    async eventSnapshot() {
        const { marks, seq } = this.dirty.take();
        this.firstMark = 0;
        const r = await this.snap('events', buildDirtyTree(marks));
        await this.dirty.clear(seq);
        if (r?.retry.length)
            await this.dirty.add(r.retry);
        if (this.opts.subscriber.backend === 'inotify' && this.sub && createdNestedDirs(this.source, marks)) {
            // parcel's inotify backend never watches directories created inside a new one
            this.log('info', `${this.source}: new nested directories: re-subscribing so inotify watches them`);
            this.wantRewatch = true;
        }
    }
    /** A full stat-only scan: poll (events not trusted), reconcile (counts what events missed), resync (after re-subscribing). */
    async scan(kind) {
        if (this.dirty.size > 0 && kind === 'reconcile')
            await this.eventSnapshot();
        const t0 = Date.now();
        const before = this.snaps.latest?.root;
        const seq = this.dirty.currentSeq;
        const count = kind === 'reconcile' && this.state === 'watching';
        const r = await this.snap(kind === 'reconcile' ? 'reconcile' : kind, undefined, async (res) => {
            if (!count || !before || !res.snapshot)
                return undefined;
            return countChanges(this.repo, Buffer.from(before, 'hex'), Buffer.from(res.root, 'hex'));
        });
        this.scanMs = Date.now() - t0;
        this.lastScan = Date.now();
        if (kind === 'reconcile')
            this.lastReconcile = Date.now();
        if (r)
            await this.dirty.clear(seq);
        if (this.dirty.size === 0)
            this.firstMark = 0;
    }
    /** One snapshot (see SourceSnapshots.take), then reporting; null when abandoned. */
    async snap(trigger, dirty, missedOf) {
        const t0 = Date.now();
        const result = await this.snaps.take(dirty);
        if (!result)
            return null;
        const missed = missedOf ? await missedOf(result) : undefined;
        if (missed)
            this.missedTotal += missed;
        if (result.snapshot)
            this.opts.onSnapshot?.({ source: this.source, trigger, result, missed });
        this.refreshHints(result, trigger);
        if (trigger === 'reconcile')
            this.opts.onReconcile?.({ source: this.source, missed: missed ?? 0, durationMs: Date.now() - t0, snapshot: !!result.snapshot });
        this.opts.onChange?.();
        if (this.sub && this.tooManyDirs()) {
            await this.unsubscribe();
            this.setState('polling', 'too many directories for the inotify watch limit');
            this.nextSubscribeAt = Date.now() + 10 * 60_000;
        }
        return result;
    }
    /** Abandon the snapshot in flight (when `abandon`) or let it finish, then stop watching. Bounded in time. */
    async stop(abandon = false) {
        this.stopping = true;
        this.closeHints();
        if (abandon)
            this.abort.abort();
        this.wake?.();
        clearTimeout(this.timer);
        clearInterval(this.tick);
        const within = (p, ms) => Promise.race([p?.catch(() => { }), new Promise((r) => setTimeout(r, ms).unref())]);
        await within(this.starting, 2000); // its error is start()'s caller's to report
        await within(this.unsubscribe(), 2000);
        await within(this.loopPromise, abandon ? 2000 : 60_000);
        this.setState('stopped');
    }
}
//# sourceMappingURL=daemon.js.map