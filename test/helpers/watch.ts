// Drives `strata watch` as a child process: collects its JSON lines, waits
// for convergence with a fresh full snapshot, stops it, and releases the
// watchman watch so watches do not pile up across tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { ExecutionContext } from 'ava';
import { CLI, strata } from './cli.js';

export const hasWatchman = spawnSync('watchman', ['version'], { stdio: 'ignore', timeout: 15000 }).status === 0;

export interface Daemon {
  proc: ChildProcess;
  lines: any[];
  stderr: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export function startWatch(t: ExecutionContext, repo: string, dir: string | string[], args: string[] = [], env: NodeJS.ProcessEnv = {}): Daemon {
  const dirs = typeof dir === 'string' ? [dir] : dir;
  const proc = spawn(process.execPath, [CLI, 'watch', ...dirs, '--json', '--quiet-ms', '300', ...args], {
    env: { ...process.env, STRATA_REPO: repo, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: any[] = [];
  let buf = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) lines.push(JSON.parse(line));
    }
  });
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const d: Daemon = {
    proc,
    lines,
    stderr: () => err,
    exited,
    async stop(signal = 'SIGINT') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
  t.teardown(async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
    if (hasWatchman) for (const d of dirs) releaseWatch(d);
  });
  return d;
}

/** Remove a watchman watch on `dir` if one exists (tests clean up even when the daemon could not). */
export function releaseWatch(dir: string): void {
  if (watchedRoots().some((r) => r === dir || r.startsWith(dir + '/'))) spawnSync('watchman', ['watch-del', dir], { stdio: 'ignore', timeout: 10000 });
}

/** The roots watchman watches now (empty without watchman). */
export function watchedRoots(): string[] {
  if (!hasWatchman) return [];
  const r = spawnSync('watchman', ['--no-pretty', 'watch-list'], { timeout: 10000 });
  try {
    return JSON.parse(r.stdout.toString()).roots ?? [];
  } catch {
    return [];
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Root hash of a fresh full snapshot of `dir`, computed without storing anything. */
export function fullRoot(repo: string, dir: string): string {
  const r = strata(['snapshot', dir, '--dry-run', '--full', '--json', '--quiet'], { repo });
  if (r.code !== 0 && r.code !== 3) throw new Error(`dry run failed: ${r.stderr}`);
  return JSON.parse(r.stdout).root;
}

export const snapshotsOf = (d: Daemon, source?: string) => d.lines.filter((l) => l.type === 'snapshot' && (!source || l.source === source));

/** Wait until the daemon's latest snapshot equals a fresh full snapshot of the tree. */
export async function converge(d: Daemon, repo: string, dir: string, timeoutMs = 30000, source?: string): Promise<string> {
  const end = Date.now() + timeoutMs;
  let want = '';
  for (;;) {
    await waitFor(() => snapshotsOf(d, source).length > 0, Math.max(1, end - Date.now()), 'a first snapshot');
    want = fullRoot(repo, dir);
    const got = snapshotsOf(d, source).at(-1).root;
    if (got === want) return want;
    if (Date.now() > end) throw new Error(`watch did not converge: latest ${got}, full ${want}\n${d.stderr()}`);
    await sleep(400);
  }
}

/** Send `signal` and measure how long the daemon takes to exit. */
export async function stopTimed(d: Daemon, signal: NodeJS.Signals = 'SIGTERM', limitMs = 15000): Promise<{ code: number | null | 'hung'; ms: number }> {
  const t0 = Date.now();
  const code = await Promise.race([d.stop(signal), sleep(limitMs).then(() => 'hung' as const)]);
  return { code, ms: Date.now() - t0 };
}

/** `strata status --json`: its exit code and the report. */
export function status(repo: string): { code: number; report: any } {
  const r = strata(['status', '--json'], { repo });
  return { code: r.code, report: r.stdout.trim() ? JSON.parse(r.stdout) : undefined };
}

/** The state of one source in `strata status --json` (undefined when no daemon reports it). */
export function sourceState(repo: string, dir: string): string | undefined {
  const { report } = status(repo);
  for (const d of report?.daemons ?? []) for (const s of d.sources) if (s.path === dir) return s.state;
  return undefined;
}

/** Wait until `strata status --json` reports `state` for `dir`; returns that very report. */
export async function waitStatus(repo: string, dir: string, state: string, timeoutMs = 15000): Promise<{ code: number; report: any }> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = status(repo);
    for (const d of s.report?.daemons ?? []) for (const x of d.sources) if (x.path === dir && x.state === state) return s;
    if (Date.now() > end) throw new Error(`timed out waiting for state ${state} of ${dir}: ${JSON.stringify(s.report)}`);
    await sleep(100);
  }
}

export const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
