// A real S3 gateway for tests: test/helpers/ceph.sh brings up one mon, one
// OSD (memstore) and radosgw on loopback in a temporary folder. `useCeph(test)`
// starts one cluster per test file (test.before) and stops it after
// (test.after.always); every cluster is also in a process-wide registry whose
// daemons are killed by PID when the process exits, and ceph.sh's watchdog
// takes the cluster down if this process is killed outright. Fault helpers
// pause (SIGSTOP/SIGCONT) or stop/restart the gateway.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestFn } from 'ava';
import { ROOT } from './cli.js';

export const CEPH_SH = path.join(ROOT, 'test/helpers/ceph.sh');
const BINARIES = ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'ceph', 'monmaptool', 'ceph-authtool', 'curl'];

export interface Ceph {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  dir: string;
  /** AWS_* variables for a child process (the CLI) */
  env(): Record<string, string>;
  rgwPid(): number;
  pauseRgw(): void;
  resumeRgw(): void;
  stopRgw(): void;
  startRgw(): Promise<void>;
  stop(): void;
}

const running = new Map<string, number[]>(); // dir → daemon PIDs

process.on('exit', () => {
  for (const [dir, pids] of running) {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Why the gateway cannot run here (missing packages), or undefined. */
export function cephMissing(): string | undefined {
  const missing = BINARIES.filter((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status !== 0);
  return missing.length ? `missing ${missing.join(', ')}: apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common curl` : undefined;
}

function run(args: string[]): string {
  const r = spawnSync('bash', [CEPH_SH, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ceph.sh ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function parseEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** ceph.sh without blocking the event loop (requests in flight keep running meanwhile). */
function runAsync(args: string[]): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn('bash', [CEPH_SH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`ceph.sh ${args.join(' ')} failed (${code}):\n${stderr}`))));
  });
}

/** Bring up a cluster (about 3 s). */
export async function startCeph(): Promise<Ceph> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-ceph-'));
  const out = await runAsync(['start', dir, String(process.pid)]);
  const env = parseEnv(out);
  const pids = () => ['MON_PID', 'OSD_PID', 'RGW_PID', 'WATCHDOG_PID'].map((k) => Number(env[k])).filter((n) => n > 0);
  running.set(dir, pids());
  const ceph: Ceph = {
    endpoint: env.ENDPOINT!,
    accessKey: env.ACCESS_KEY!,
    secretKey: env.SECRET_KEY!,
    dir,
    env: () => ({ AWS_ACCESS_KEY_ID: env.ACCESS_KEY!, AWS_SECRET_ACCESS_KEY: env.SECRET_KEY!, AWS_DEFAULT_REGION: 'us-east-1' }),
    rgwPid: () => Number(env.RGW_PID),
    pauseRgw: () => process.kill(Number(env.RGW_PID), 'SIGSTOP'),
    resumeRgw: () => process.kill(Number(env.RGW_PID), 'SIGCONT'),
    stopRgw: () => void run(['rgw-stop', dir]),
    startRgw: async () => {
      Object.assign(env, parseEnv(await runAsync(['rgw-start', dir])));
      running.set(dir, pids());
    },
    stop: () => {
      if (!running.has(dir)) return;
      run(['stop', dir]);
      running.delete(dir);
    },
  };
  return ceph;
}

/**
 * One cluster for a test file. Returns `it` and `serial` (use them instead of
 * `test` and `test.serial`; plain calls only) and a getter of the cluster valid inside tests. Where the
 * packages are missing, `it` skips, with a loud message — except under CI or
 * STRATA_REQUIRE_CEPH=1, where that is a failure.
 */
export function useCeph(test: TestFn): { it: TestFn['skip']; serial: TestFn['skip']; ceph: () => Ceph } {
  let ceph: Ceph | undefined;
  const missing = cephMissing();
  if (missing && !process.env.CI && process.env.STRATA_REQUIRE_CEPH !== '1') {
    console.error(`\n*** SKIPPING S3 TESTS: no Ceph gateway on this machine (${missing}) ***\n`);
    return {
      it: test.skip,
      serial: test.skip,
      ceph: () => {
        throw new Error(`no Ceph: ${missing}`);
      },
    };
  }
  test.before(async () => {
    if (missing) throw new Error(`the S3 tests need a Ceph gateway: ${missing}`);
    ceph = await startCeph();
  });
  test.after.always(() => ceph?.stop());
  return {
    it: test as TestFn['skip'],
    serial: test.serial as TestFn['skip'],
    ceph: () => {
      if (!ceph) throw new Error('the Ceph gateway did not start');
      return ceph;
    },
  };
}
