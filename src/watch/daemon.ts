// The watch daemon: catch up with a stat-only snapshot, subscribe to events,
// persist what they mark dirty, and snapshot the dirty set after a quiet
// period (or a maximum delay). A periodic stat-only reconcile catches anything
// the watcher missed and counts it. Watcher trouble never loses a change: it
// marks the whole tree dirty. See docs/design.md for why this is correct.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import watcher from '@parcel/watcher';
import { isStrataError } from '../errors.js';
import { hashBytes } from '../hash.js';
import { buildDirtyTree, type DirtyMark } from '../snapshot/dirty-tree.js';
import { filterSnapshots, listSnapshots, type Snapshot } from '../snapshot/manifest.js';
import { takeSnapshot, type Notice, type SnapshotResult } from '../snapshot/snapshotter.js';
import { applyRetention, policyIsEmpty, type RetentionPolicy } from '../snapshot/retention.js';
import { withLock } from '../store/lock.js';
import type { Repository } from '../store/repository.js';
import { WATCH_LIMIT_SHARE, chooseBackend, inotifyWatchLimit, watchLimitAdvice, type Backend } from './backend.js';
import { countChanges } from './count-changes.js';
import { DirtySet } from './dirty-set.js';
import { eventsToMarks } from './event-marks.js';

export type Trigger = 'start' | 'events' | 'reconcile';

export interface WatchReport {
  trigger: Trigger;
  result: SnapshotResult;
  /** reconcile only: changed entries that no event announced */
  missed?: number;
}

export interface WatchOptions {
  source: string;
  host?: string;
  exclude?: readonly string[];
  /** labels recorded in every snapshot (`watch --tag`) */
  tags?: string[];
  backend?: 'auto' | Backend;
  quietMs?: number;
  maxDelayMs?: number;
  reconcileMs?: number;
  onSnapshot?: (r: WatchReport) => void;
  onReconcile?: (r: { missed: number; durationMs: number; snapshot: boolean }) => void;
  onLog?: (level: 'info' | 'warn', msg: string) => void;
  onNotice?: (n: Notice) => void;
  /** thin the daemon's own snapshots after each one (at most once a minute) */
  retention?: RetentionPolicy;
  /** minimum interval between retention passes (default one minute) */
  retentionEveryMs?: number;
  /** how long to wait for a lock held by prune before retrying later */
  lockWaitMs?: number;
  /** fault injection for tests: drop this share (0..1) of watcher events */
  dropEvents?: number;
  /** called after each pass of the loop (tests) */
  afterMaintain?: (repo: Repository, latest: Snapshot | null) => Promise<void>;
}

export class WatchDaemon {
  readonly source: string;
  readonly host: string;
  backend: Backend = 'inotify';
  private readonly dirty: DirtySet;
  private sub: watcher.AsyncSubscription | undefined;
  private polling = false;
  private firstMark = 0;
  private lastMark = 0;
  private timer: NodeJS.Timeout | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private wantReconcile = false;
  private wantRewatch = false;
  private loopPromise: Promise<void> | undefined;
  private stopping = false;
  private starting: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private latest: Snapshot | null = null;
  private lastRetention = 0;
  private readonly quietMs: number;
  private readonly maxDelayMs: number;
  private readonly reconcileMs: number;

  constructor(
    private readonly repo: Repository,
    private readonly opts: WatchOptions,
  ) {
    this.source = path.resolve(opts.source);
    this.host = opts.host ?? os.hostname();
    this.quietMs = opts.quietMs ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 10000;
    this.reconcileMs = opts.reconcileMs ?? 3600_000;
    this.dirty = new DirtySet(repo.index, hashBytes(Buffer.from(`${this.host}\0${this.source}`)).toString('hex').slice(0, 16));
  }

  private log(level: 'info' | 'warn', msg: string): void {
    this.opts.onLog?.(level, msg);
  }

  /** Catch up, subscribe, and start the timers. */
  start(): Promise<void> {
    this.starting = this.catchUpAndArm();
    return this.starting;
  }

  private async catchUpAndArm(): Promise<void> {
    const chosen = chooseBackend(this.opts.backend ?? 'auto');
    this.backend = chosen.backend;
    if (this.backend === 'watchman') this.log('info', `watching ${this.source} with watchman (${chosen.reason})`);
    else
      this.log(
        'warn',
        `watching ${this.source} with inotify (${chosen.reason}): inotify loses events (new nested directories, moved-in trees, overflows); ` +
          `strata re-scans created directories itself, but some changes may be picked up only by the periodic reconcile. Install watchman for lossless watching.`,
      );
    this.latest = await this.parent();
    // Subscribe first, then catch up: a change during the catch-up is either seen by it or marked.
    if (this.stopping) return;
    await this.subscribe();
    const seq = this.dirty.currentSeq;
    const r = this.stopping ? null : await this.snap('start', undefined);
    if (r) await this.dirty.clear(seq);
    // stopped meanwhile (a signal during the catch-up): no timers, they would keep the process alive
    if (this.stopping) return;
    this.reconcileTimer = setInterval(() => {
      this.wantReconcile = true;
      this.kick();
    }, this.pollInterval());
    this.arm();
  }

  private pollInterval(): number {
    return this.polling ? Math.min(this.reconcileMs, 60_000) : this.reconcileMs;
  }

  private async parent(): Promise<Snapshot | null> {
    return filterSnapshots(await listSnapshots(this.repo), { source: this.source, host: this.host }).at(-1) ?? null;
  }

  private tooManyDirs(): boolean {
    const limit = inotifyWatchLimit();
    const dirs = (this.latest?.stats.dirs ?? 0) + 1;
    if (limit && dirs > limit * WATCH_LIMIT_SHARE) {
      this.log('warn', watchLimitAdvice(dirs, limit));
      return true;
    }
    return false;
  }

  private async subscribe(): Promise<void> {
    if (this.tooManyDirs()) {
      this.setPolling(true);
      return;
    }
    const ignore = [path.resolve(this.repo.location)].filter((p) => p.startsWith(this.source + path.sep));
    try {
      this.sub = await watcher.subscribe(this.source, (err, events) => void this.onEvents(err, events), { backend: this.backend, ignore });
      this.setPolling(false);
    } catch (e) {
      this.log('warn', `cannot watch ${this.source}: ${(e as Error).message}; falling back to periodic stat scans`);
      this.setPolling(true);
    }
  }

  private setPolling(on: boolean): void {
    if (this.polling === on) return;
    this.polling = on;
    if (this.reconcileTimer) {
      clearInterval(this.reconcileTimer);
      this.reconcileTimer = setInterval(() => {
        this.wantReconcile = true;
        this.kick();
      }, this.pollInterval());
    }
  }

  /** Drop the subscription; a dead backend may never answer, so give up after a few seconds. */
  private async unsubscribe(): Promise<void> {
    const s = this.sub;
    this.sub = undefined;
    if (!s) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 3000)));
    try {
      const r = await Promise.race([s.unsubscribe().then(() => 'done' as const), timeout]);
      if (r === 'timeout') this.log('warn', 'unsubscribe did not answer within 3 s; continuing without it');
    } catch (e) {
      this.log('warn', `unsubscribe failed: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private async onEvents(err: Error | null, events: watcher.Event[]): Promise<void> {
    if (this.stopping) return;
    let marks: DirtyMark[];
    if (err) {
      this.log('warn', `watcher error (${err.message}): marking the whole tree dirty and re-subscribing`);
      marks = [{ dir: '', recursive: true }];
      this.sub = undefined; // the backend reported it dead: unsubscribing it can hang
      this.wantRewatch = true;
    } else {
      const drop = this.opts.dropEvents ?? 0;
      marks = eventsToMarks(this.source, drop > 0 ? events.filter(() => Math.random() >= drop) : events);
    }
    if (marks.length === 0) return;
    await this.dirty.add(marks);
    const now = Date.now();
    if (!this.firstMark) this.firstMark = now;
    this.lastMark = now;
    this.arm();
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (this.stopping || this.loopPromise) return;
    if (this.wantReconcile || this.wantRewatch) return this.kick();
    if (this.dirty.size === 0) return;
    if (!this.firstMark) this.firstMark = this.lastMark = Date.now();
    const due = Math.min(this.lastMark + this.quietMs, this.firstMark + this.maxDelayMs);
    this.timer = setTimeout(() => this.kick(), Math.max(0, due - Date.now()));
  }

  private kick(): void {
    if (this.loopPromise || this.stopping) return;
    this.loopPromise = this.loop().finally(() => {
      this.loopPromise = undefined;
      this.arm();
    });
  }

  private async loop(): Promise<void> {
    try {
      while (!this.stopping) {
        if (this.wantRewatch) {
          this.wantRewatch = false;
          await this.unsubscribe();
          await this.subscribe();
          this.wantReconcile = true;
        } else if (this.wantReconcile) {
          this.wantReconcile = false;
          await this.reconcile();
        } else if (this.dirty.size > 0 && Date.now() >= Math.min(this.lastMark + this.quietMs, this.firstMark + this.maxDelayMs)) {
          await this.eventSnapshot();
        } else break;
      }
    } catch (e) {
      if (isStrataError(e, 'E_ABORTED')) return;
      this.log('warn', `snapshot failed: ${(e as Error).message}; will retry`);
      await new Promise((r) => setTimeout(r, Math.max(this.quietMs, 1000)));
    }
  }

  private async eventSnapshot(): Promise<void> {
    const { marks, seq } = this.dirty.take();
    this.firstMark = 0;
    const r = await this.snap('events', buildDirtyTree(marks));
    await this.dirty.clear(seq);
    if (r?.retry.length) await this.dirty.add(r.retry);
    if (this.backend === 'inotify' && this.sub && createdNestedDirs(this.source, marks)) {
      // parcel's inotify backend never watches directories created inside a new one
      this.log('info', 'new nested directories: re-subscribing so inotify watches them');
      this.wantRewatch = true;
    }
  }

  private async reconcile(): Promise<void> {
    if (this.dirty.size > 0) await this.eventSnapshot();
    const before = this.latest?.root;
    const seq = this.dirty.currentSeq;
    const r = await this.snap('reconcile', undefined, async (res) => {
      if (!before || !res.snapshot) return 0;
      return countChanges(this.repo, Buffer.from(before, 'hex'), Buffer.from(res.root, 'hex'));
    });
    if (r) await this.dirty.clear(seq);
  }

  /**
   * One snapshot, under a shared repository lock (prune holds an exclusive one
   * between our snapshots); null when abandoned.
   */
  private async snap(trigger: Trigger, dirty: ReturnType<typeof buildDirtyTree> | undefined, missedOf?: (r: SnapshotResult) => Promise<number>): Promise<SnapshotResult | null> {
    const t0 = Date.now();
    let result: SnapshotResult;
    try {
      result = await withLock(this.repo, { exclusive: false, command: 'watch', waitMs: this.opts.lockWaitMs ?? 10 * 60_000 }, async () => {
        // forget or prune may have run since our last snapshot: trust only a parent that is still listed
        const current = await this.parent();
        if (this.latest && current?.id !== this.latest.id) {
          this.log('info', 'the latest snapshot changed outside this daemon (forget/prune?): re-scanning the whole tree');
          dirty = undefined;
        }
        this.latest = current;
        const r = await takeSnapshot(this.repo, {
          source: this.source,
          host: this.host,
          parent: this.latest,
          dirty: this.latest ? dirty : undefined,
          skipUnchanged: this.latest !== null,
          exclude: this.opts.exclude,
          tags: this.opts.tags,
          signal: this.abort.signal,
          onNotice: this.opts.onNotice,
        });
        if (r.snapshot?.id) this.latest = r.snapshot as Snapshot;
        await this.thin();
        return r;
      });
    } catch (e) {
      if (isStrataError(e, 'E_ABORTED')) return null;
      throw e;
    }
    const missed = missedOf ? await missedOf(result) : undefined;
    if (result.snapshot) this.opts.onSnapshot?.({ trigger, result, missed });
    if (trigger === 'reconcile') this.opts.onReconcile?.({ missed: missed ?? 0, durationMs: Date.now() - t0, snapshot: !!result.snapshot });
    if (this.sub && this.tooManyDirs()) {
      await this.unsubscribe();
      this.setPolling(true);
    }
    await this.opts.afterMaintain?.(this.repo, this.latest);
    return result;
  }

  /** Apply the retention policy to this daemon's own snapshots (host + source), at most once a minute. */
  private async thin(): Promise<void> {
    const policy = this.opts.retention;
    if (!policy || policyIsEmpty(policy) || Date.now() - this.lastRetention < (this.opts.retentionEveryMs ?? 60_000)) return;
    this.lastRetention = Date.now();
    const plan = await applyRetention(this.repo, policy, { host: this.host, source: this.source });
    const removed = plan.reduce((n, g) => n + g.remove.length, 0);
    if (removed) this.log('info', `retention: forgot ${removed} snapshot(s); run 'strata prune' to free their data`);
  }

  /** Finish the snapshot in flight (or abandon it when `abandon`), then stop watching. */
  async stop(abandon = false): Promise<void> {
    this.stopping = true;
    if (abandon) this.abort.abort();
    clearTimeout(this.timer);
    clearInterval(this.reconcileTimer);
    await this.starting?.catch(() => {}); // its error is start()'s caller's to report
    await this.unsubscribe(); // after start() is done: it may have subscribed meanwhile
    await this.loopPromise;
  }
}

/** Whether any directory marked as created now holds subdirectories. */
function createdNestedDirs(root: string, marks: readonly DirtyMark[]): boolean {
  for (const m of marks) {
    if (!m.recursive || m.dir === '') continue;
    try {
      const abs = Buffer.concat([Buffer.from(root + '/'), Buffer.from(m.dir, 'latin1')]);
      if (fs.readdirSync(abs, { withFileTypes: true }).some((d) => d.isDirectory())) return true;
    } catch {
      continue;
    }
  }
  return false;
}
