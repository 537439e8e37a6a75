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

export function startWatch(t: ExecutionContext, repo: string, dir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Daemon {
  const proc = spawn(process.execPath, [CLI, 'watch', dir, '--json', '--quiet-ms', '300', ...args], {
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
    if (hasWatchman) spawnSync('watchman', ['watch-del', dir], { stdio: 'ignore', timeout: 10000 });
  });
  return d;
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

export const snapshotsOf = (d: Daemon) => d.lines.filter((l) => l.type === 'snapshot');

/** Wait until the daemon's latest snapshot equals a fresh full snapshot of the tree. */
export async function converge(d: Daemon, repo: string, dir: string, timeoutMs = 30000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let want = '';
  for (;;) {
    await waitFor(() => snapshotsOf(d).length > 0, Math.max(1, end - Date.now()), 'a first snapshot');
    want = fullRoot(repo, dir);
    const got = snapshotsOf(d).at(-1).root;
    if (got === want) return want;
    if (Date.now() > end) throw new Error(`watch did not converge: latest ${got}, full ${want}\n${d.stderr()}`);
    await sleep(400);
  }
}
