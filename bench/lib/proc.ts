// Runs a benchmark command as a child process and measures it: wall time with
// a monotonic clock, CPU seconds and peak RSS through GNU time (/usr/bin/time)
// when it is installed (null otherwise), plus the captured output.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// `strata init` encrypts by default: benchmarks measure that default with a fixed password
// (children inherit it); set STRATA_PASSWORD to override.
process.env.STRATA_PASSWORD ??= 'strata-bench-password';

export interface Measured {
  cmd: string;
  code: number;
  wallS: number;
  userS: number | null;
  sysS: number | null;
  cpuS: number | null;
  maxRssMiB: number | null;
  stdout: string;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';
export const haveGnuTime = fs.existsSync(GNU_TIME);

export interface RunOpts {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** throw when the exit code is not 0 (default true); a number allows that code too */
  check?: boolean | number;
  input?: string;
}

/** Run `argv` to completion and measure it. */
export function measure(argv: string[], opts: RunOpts = {}): Promise<Measured> {
  const statFile = path.join(os.tmpdir(), `strata-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const full = haveGnuTime ? [GNU_TIME, '-f', '%U %S %M', '-o', statFile, ...argv] : argv;
  const cmd = argv.map(shellQuote).join(' ');
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(full[0]!, full.slice(1), { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.end(opts.input ?? '');
    child.on('error', reject);
    child.on('close', (code) => {
      const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
      let userS: number | null = null;
      let sysS: number | null = null;
      let maxRssMiB: number | null = null;
      if (haveGnuTime) {
        try {
          const last = fs.readFileSync(statFile, 'utf8').trim().split('\n').at(-1)!.split(' ');
          userS = Number(last[0]);
          sysS = Number(last[1]);
          maxRssMiB = Number(last[2]) / 1024;
        } catch {}
        fs.rmSync(statFile, { force: true });
      }
      const m: Measured = {
        cmd,
        code: code ?? -1,
        wallS,
        userS,
        sysS,
        cpuS: userS !== null && sysS !== null ? userS + sysS : null,
        maxRssMiB,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      };
      const check = opts.check ?? true;
      if (check !== false && m.code !== 0 && m.code !== check) {
        reject(new Error(`${cmd} exited ${m.code}: ${m.stderr.slice(-2000)}`));
      } else resolve(m);
    });
  });
}

/** Run a quick helper command synchronously; returns stdout. */
export function sh(argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; allowFail?: boolean } = {}): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: opts.cwd, env: { ...process.env, ...opts.env }, maxBuffer: 1 << 28 });
  if (r.error) {
    if (opts.allowFail) return '';
    throw r.error;
  }
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr.toString().slice(-2000)}`);
  return r.stdout.toString();
}

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${shellQuote(name)}`]).status === 0;
}

/** Apparent size in bytes of everything under `p` (du -sb). */
export function duBytes(p: string): number {
  return Number(sh(['du', '-sb', p]).split('\t')[0]);
}

export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function machineInfo(): { nproc: number; cpu: string; memGiB: number; node: string; kernel: string; os: string } {
  const cpus = os.cpus();
  let osName = os.type();
  try {
    osName = /PRETTY_NAME="([^"]+)"/.exec(fs.readFileSync('/etc/os-release', 'utf8'))?.[1] ?? osName;
  } catch {}
  let cpu = cpus[0]?.model ?? 'unknown';
  try {
    const flags = /flags\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
    const ext = ['avx2', 'avx512f', 'sha_ni', 'aes'].filter((f) => flags.split(' ').includes(f));
    if (ext.length) cpu += ` (${ext.join(', ')})`;
  } catch {}
  return { nproc: os.availableParallelism(), cpu, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, kernel: os.release(), os: osName };
}

/** Share of time other runnable work waited for a CPU (Linux PSI "some", avg over 60 s, %); null where unavailable. */
export function cpuPressure(): number | null {
  try {
    const m = /some avg10=[\d.]+ avg60=([\d.]+)/.exec(fs.readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
