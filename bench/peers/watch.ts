// Drives a `strata watch DIR --json` daemon for the watch scenarios: waits
// until it is ready and idle, applies a change, and times change → committed
// snapshot (the daemon prints one JSON line per snapshot). RSS from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { STRATA_CLI } from './tools.js';

export interface WatchEvent {
  at: number; // ms, performance.now() of arrival
  data: { type?: string; id?: string; bytesRead?: number; bytesAdded?: number; durationMs?: number; dirsScanned?: number; trigger?: string; [k: string]: unknown };
}

export class WatchDaemon {
  readonly events: WatchEvent[] = [];
  private stderr = '';
  private exited: Promise<number>;
  private waiters: (() => void)[] = [];
  readonly startedAt = performance.now();
  readyAt: number | undefined;
  /** when the watcher itself delivers events: at ready, or (the daemon polled meanwhile, e.g. while watchman crawled a huge tree) when it says so */
  liveAt: number | undefined;

  private constructor(private readonly child: ChildProcess) {
    let buf = '';
    child.stdout!.on('data', (b: Buffer) => {
      buf += b.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line.startsWith('{')) continue;
        try {
          this.events.push({ at: performance.now(), data: JSON.parse(line) });
        } catch {
          continue;
        }
        this.wake();
      }
    });
    child.stderr!.on('data', (b: Buffer) => {
      this.stderr = (this.stderr + b.toString()).slice(-20000);
      if (this.readyAt === undefined && /\bready\b/.test(this.stderr)) this.readyAt = performance.now();
      if (this.liveAt === undefined && this.readyAt !== undefined && (!/cannot watch/.test(this.stderr) || /watching with \w+ again/.test(this.stderr))) this.liveAt = performance.now();
      this.wake();
    });
    this.exited = new Promise((resolve) => child.on('exit', (code) => (this.wake(), resolve(code ?? -1))));
  }

  static start(repo: string, dir: string, quietMs: number, extra: string[] = []): WatchDaemon {
    const child = spawn(process.execPath, [STRATA_CLI, 'watch', dir, '--repo', repo, '--json', '--quiet-ms', String(quietMs), ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    return new WatchDaemon(child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!cond()) {
      if (this.child.exitCode !== null) throw new Error(`strata watch exited (${this.child.exitCode}) while waiting for ${what}: ${this.stderr.slice(-1500)}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; stderr: ${this.stderr.slice(-1500)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => (clearTimeout(t), resolve()));
      });
    }
  }

  snapshots(): WatchEvent[] {
    return this.events.filter((e) => e.data.type === 'snapshot' || (e.data.type === undefined && e.data.id));
  }

  /** Wait for "ready" on stderr, then until no snapshot arrived for `idleMs`. Returns ms from spawn to ready. */
  async ready(timeoutMs: number, idleMs: number): Promise<number> {
    await this.until(() => this.readyAt !== undefined, timeoutMs, 'ready');
    await this.idle(idleMs, timeoutMs);
    return this.readyAt! - this.startedAt;
  }

  /** Wait until the watcher delivers events (see liveAt). Returns ms from spawn. */
  async live(timeoutMs: number): Promise<number> {
    await this.until(() => this.liveAt !== undefined, timeoutMs, 'the watcher to be live');
    return this.liveAt! - this.startedAt;
  }

  async idle(idleMs: number, timeoutMs = 600_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const last = Math.max(this.readyAt ?? 0, this.snapshots().at(-1)?.at ?? 0);
      const quietFor = performance.now() - last;
      if (quietFor >= idleMs) return;
      if (performance.now() > deadline) throw new Error('strata watch never went idle');
      await new Promise((r) => setTimeout(r, Math.min(idleMs - quietFor + 5, 250)));
    }
  }

  /** Apply `change` and time until the next committed snapshot. */
  async timeChange(change: () => void, timeoutMs: number): Promise<{ latencyS: number; event: WatchEvent['data'] }> {
    const before = this.snapshots().length;
    const t0 = performance.now();
    change();
    await this.until(() => this.snapshots().length > before, timeoutMs, 'a snapshot after the change');
    const ev = this.snapshots()[before]!;
    return { latencyS: (ev.at - t0) / 1000, event: ev.data };
  }

  /** Current and peak resident set size, and the anonymous part (the process's own memory, not mapped files) (MiB). */
  rss(): { rssMiB: number; peakMiB: number; anonMiB: number } {
    const s = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN);
    return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024, anonMiB: kb('RssAnon') / 1024 };
  }

  /** Memory of the daemon now (MiB, /proc/PID/status): anonymous and file-backed resident, total, peak total. */
  memory(): { anonMiB: number; fileMiB: number; rssMiB: number; peakMiB: number } {
    const s = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN) / 1024;
    return { anonMiB: kb('RssAnon'), fileMiB: kb('RssFile'), rssMiB: kb('VmRSS'), peakMiB: kb('VmHWM') };
  }

  /** SIGKILL now (synchronous: for a signal handler) */
  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  get running(): boolean {
    return this.child.exitCode === null;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(t);
  }
}
