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
  /** fault injection for tests: drop this share (0..1) of watcher events */
  dropEvents?: number;
}
