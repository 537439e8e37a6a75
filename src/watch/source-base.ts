// The state of one watched source and how it is reported: its options, its
// persistent dirty set, its snapshot taker, its state machine (starting,
// watching, polling, missing, error, stopped) and the status it publishes.
// The scheduling on top of it is SourceWatcher (daemon.ts).
import * as os from 'node:os';
import * as path from 'node:path';
import type { Repository } from '../store/repository.js';
import { DirtySet } from './dirty-set.js';
import { sourceKey } from './source-lock.js';
import type { SourceState, SourceStatus } from './status-file.js';
import type { SourceOptions } from './source-options.js';
import { SourceSnapshots } from './source-snapshots.js';
import type { Subscription } from './subscriber.js';

export class SourceBase {
  readonly source: string;
  readonly host: string;
  state: SourceState = 'starting';
  reason: string | undefined;
  failing = false;
  lastError: { time: string; message: string } | undefined;
  missedTotal = 0;
  protected readonly dirty: DirtySet;
  protected sub: Subscription | undefined;
  protected gen = 0;
  protected subscribing = false;
  protected rootId: string | undefined;
  protected backoff = 500;
  protected nextSubscribeAt = Infinity;
  protected firstMark = 0;
  protected lastMark = 0;
  protected timer: NodeJS.Timeout | undefined;
  protected tick: NodeJS.Timeout | undefined;
  protected wantRewatch = false;
  /** inotify reported a batch that parcel emptied (a create+delete pair): where is unknown */
  protected emptyBatch = false;
  protected wantScan: 'poll' | 'reconcile' | 'resync' | undefined;
  protected lastScan = Date.now();
  protected lastReconcile = Date.now();
  protected scanMs = 0;
  protected loopPromise: Promise<void> | undefined;
  protected loopStarted = 0;
  protected watchdogSaid = false;
  protected stopping = false;
  protected ready = false;
  protected wake: (() => void) | undefined;
  protected starting: Promise<void> | undefined;
  protected readonly abort = new AbortController();
  protected readonly snaps: SourceSnapshots;
  protected readonly quietMs: number;
  protected readonly maxDelayMs: number;
  protected readonly reconcileMs: number;
  protected readonly pollMs: number;

  constructor(
    protected readonly repo: Repository,
    protected readonly opts: SourceOptions,
  ) {
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

  protected log(level: 'info' | 'warn', msg: string): void {
    this.opts.onLog?.(level, msg);
  }

  get protected(): boolean {
    return (this.state === 'watching' || this.state === 'polling') && !this.failing;
  }

  status(): SourceStatus {
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

  protected setState(state: SourceState, reason?: string): void {
    if (this.state === state && this.reason === reason) return;
    this.state = state;
    this.reason = reason;
    this.opts.onChange?.();
  }

  protected error(message: string): void {
    this.lastError = { time: new Date().toISOString(), message };
  }

  protected sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

}
