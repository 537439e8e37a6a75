// The options of one watched source, and what it reports after a snapshot.
import type { Notice, SnapshotResult } from '../snapshot/snapshotter.js';
import type { RetentionPolicy } from '../snapshot/retention.js';
import type { Subscriber } from './subscriber.js';

export type Trigger = 'start' | 'events' | 'reconcile' | 'poll' | 'resync';

export interface WatchReport {
  source: string;
  trigger: Trigger;
  result: SnapshotResult;
  /** reconcile only: changed entries that no event announced */
  missed?: number;
}

export interface SourceOptions {
  source: string;
  host?: string;
  exclude?: readonly string[];
  /** labels recorded in every snapshot (`watch --tag`) */
  tags?: string[];
  subscriber: Subscriber;
  /** runs snapshots one at a time across the daemon's sources */
  serialize?: <T>(fn: () => Promise<T>) => Promise<T>;
  quietMs?: number;
  maxDelayMs?: number;
  reconcileMs?: number;
  /** stat-scan interval while events are not trusted (default 5 s) */
  pollMs?: number;
  /** root check / timers tick (default 1 s) */
  tickMs?: number;
  onSnapshot?: (r: WatchReport) => void;
  onReconcile?: (r: { source: string; missed: number; durationMs: number; snapshot: boolean }) => void;
  onLog?: (level: 'info' | 'warn', msg: string) => void;
  onNotice?: (n: Notice) => void;
  /** called on every change of state (and of protection) */
  onChange?: () => void;
  /** thin this source's snapshots after each one */
  retention?: RetentionPolicy;
  lockWaitMs?: number;
  /**
   * early word of big directory renames (watch/move-hints.ts; watchman only, whose report of a
   * moved tree waits for its re-crawl): false turns it off (STRATA_MOVE_HINTS=0); a number sets
   * the entries below a directory that make it big (default 2000)
   */
  moveHints?: boolean | number;
  /** fault injection for tests: drop this share (0..1) of watcher events */
  dropEvents?: number;
}
