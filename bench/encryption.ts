// Cost of encryption (issue #12, docs/format.md §11), one run: a generated
// ~400 MB tree (2,000 small files, 20 files of 8–32 MiB; text, semi-compressible
// and random) is snapshotted into a `--no-encryption` and an encrypted
// repository, then restored in full and one 32 MiB file alone, through the built
// CLI as child processes. Each step runs BENCH_REPS times (default 3), modes
// alternating, and the median is reported: wall seconds and CPU seconds
// (user + sys of the child, GNU time), and encrypted / plain. Key derivation:
// `calibrateScrypt` and one derivation at the N it picks, timed in-process.
// BENCH_CLIS="before=/path/main.js,after=dist/cli/main.js,js=dist/cli/main.js@STRATA_NO_NATIVE=1"
// runs several builds (each with optional @VAR=value environment) in the same
// alternation (before/after comparisons on a shared machine).
// Prints a markdown table and the JSON rows; BENCH_ENC_SCALE=small: 1/8 size;
// BENCH_ENC_TARGET: where restores go (default beside the repositories).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { calibrateScrypt, deriveKey } from '../src/crypto/kdf.js';
import { benchDir, ensureTree, MiB, warmCache, type FileSpec } from './lib/corpus.js';
import { Rng, type ContentKind } from './lib/content.js';
import { cpuPressure, machineInfo, measure, sh, type Measured } from './lib/proc.js';
import { mdTable, ROOT, writeResult } from './lib/report.js';

const log = (s: string) => process.stderr.write(s + '\n');
type Mode = 'none' | 'aes-256-gcm';
const MODES: Mode[] = ['none', 'aes-256-gcm'];
const STEPS = ['open', 'snapshot', 'restore', 'restore-one'] as const;
type Step = (typeof STEPS)[number];

/** The corpus: small files of every kind, and large ones (one of each kind is 32 MiB, so restore-one has a fixed target). */
export function encCorpus(div: number): FileSpec[] {
  const r = new Rng('enc-corpus');
  const out: FileSpec[] = [];
  const kinds: ContentKind[] = ['text', 'semi', 'random'];
  for (let i = 0; i < Math.round(2000 / div); i++) {
    out.push({ rel: `small/d${i % 20}/f${i}.${i % 5 === 4 ? 'bin' : 'txt'}`, size: r.logUniform(200, 64 * 1024), kind: i % 5 === 4 ? 'random' : 'text' });
  }
  const nBig = Math.max(3, Math.round(20 / div));
  for (let i = 0; i < nBig; i++) {
    const size = i < 3 ? 32 * MiB : r.logUniform(8 * MiB, 32 * MiB);
    out.push({ rel: `big/b${String(i).padStart(2, '0')}.${kinds[i % 3]}`, size: Math.round(size / div), kind: kinds[i % 3]! });
  }
  return out;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Row {
  rep: number;
  build: string;
  mode: Mode;
  step: Step;
  wallS: number;
  cpuS: number;
  userS: number;
  sysS: number;
  maxRssMiB: number;
  keyN: number | null;
}

async function timed(argv: string[], env: NodeJS.ProcessEnv): Promise<Measured> {
  const m = await measure(argv, { env });
  if (m.cpuS === null) throw new Error('GNU time (/usr/bin/time) is needed for CPU seconds');
  return m;
}

async function main(): Promise<void> {
  const div = process.env.BENCH_ENC_SCALE === 'small' ? 8 : 1;
  const reps = Math.max(1, Number(process.env.BENCH_REPS ?? 3));
  const builds = (process.env.BENCH_CLIS ?? `current=${path.join(ROOT, 'dist/cli/main.js')}`).split(',').map((s) => {
    const [label, rest] = [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)];
    const [cli, ...envs] = rest.split('@') as [string, ...string[]];
    return { label, cli: path.resolve(cli), env: Object.fromEntries(envs.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])) };
  });
  const base = benchDir();
  // where restores go: BENCH_ENC_TARGET (e.g. /dev/shm, so that the target disk's write-back under other load is not measured), else beside the repositories
  const targetBase = process.env.BENCH_ENC_TARGET ?? base;
  const specs = encCorpus(div);
  const corpus = ensureTree(path.join(base, `enc-corpus-${div}`), specs, `enc-corpus-${div}`, log);
  const mib = corpus.bytes / MiB;
  const one = specs.find((f) => f.rel.startsWith('big/'))!;
  log(`corpus ${corpus.dir}: ${corpus.files} files, ${mib.toFixed(0)} MiB; restore-one: ${one.rel} (${(one.size / MiB).toFixed(0)} MiB)`);
  warmCache(corpus.dir);

  // key derivation as `strata init` does it: calibrate, then one derivation at the chosen N
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const params = calibrateScrypt();
  const calibrateMs = performance.now() - t0;
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  await deriveKey('a password', params);
  const deriveMs = performance.now() - t1;
  const cpuMs = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => (b.user - a.user + b.system - a.system) / 1000;
  const kdf = { N: params.N, r: params.r, p: params.p, calibrateMs: Math.round(calibrateMs), calibrateCpuMs: Math.round(cpuMs(c0, c1)), deriveMs: Math.round(deriveMs), deriveCpuMs: Math.round(cpuMs(c1, process.cpuUsage())) };
  log(`kdf: ${JSON.stringify(kdf)}`);

  const rows: Row[] = [];
  const pressure: (number | null)[] = [cpuPressure()];
  const load: number[][] = [];
  for (let rep = 1; rep <= reps; rep++) {
    for (const b of builds) {
      // rotate the order each repetition so neither mode always runs first
      for (const mode of rep % 2 ? MODES : [...MODES].reverse()) {
        const work = path.join(base, `enc-work-${mode}`);
        fs.rmSync(work, { recursive: true, force: true });
        fs.mkdirSync(work, { recursive: true });
        const repo = path.join(work, 'repo');
        const out = path.join(targetBase, `enc-out-${mode}`);
        fs.rmSync(out, { recursive: true, force: true });
        const cli = [process.execPath, b.cli];
        sh([...cli, 'init', '--repo', repo, ...(mode === 'none' ? ['--no-encryption'] : [])], { env: b.env });
        sh(['sync']);
        // the scrypt N `init` calibrated for this repository: every command pays one derivation at it
        const keyN = mode === 'none' ? null : (JSON.parse(fs.readFileSync(path.join(repo, 'keys', fs.readdirSync(path.join(repo, 'keys'))[0]!), 'utf8')) as { kdf: { N: number } }).kdf.N;
        const add = (step: Step, m: Measured) => {
          rows.push({ rep, build: b.label, mode, step, wallS: m.wallS, cpuS: m.cpuS!, userS: m.userS!, sysS: m.sysS!, maxRssMiB: m.maxRssMiB!, keyN });
          log(`rep ${rep} ${b.label} ${mode} ${step}: wall ${m.wallS.toFixed(2)} s, cpu ${m.cpuS!.toFixed(2)} s`);
        };
        // the fixed cost of every command: process start and opening the repository (scrypt, in an encrypted one)
        add('open', await timed([...cli, 'snapshots', '--repo', repo, '--quiet'], b.env));
        add('snapshot', await timed([...cli, 'snapshot', corpus.dir, '--repo', repo, '--quiet'], b.env));
        sh(['sync']);
        add('restore', await timed([...cli, 'restore', 'latest', '--repo', repo, '--target', path.join(out, 'out'), '--quiet'], b.env));
        sh(['sync']);
        add('restore-one', await timed([...cli, 'restore', `latest:${one.rel}`, '--repo', repo, '--target', path.join(out, 'one'), '--quiet'], b.env));
        for (const got of [path.join(out, 'out', one.rel), path.join(out, 'one', path.basename(one.rel))]) {
          if (fs.statSync(got).size !== one.size) throw new Error(`restored ${got} has ${fs.statSync(got).size} bytes, expected ${one.size}`);
        }
        fs.rmSync(work, { recursive: true, force: true });
        fs.rmSync(out, { recursive: true, force: true });
        load.push([...(await import('node:os')).loadavg()]);
      }
    }
  }
  pressure.push(cpuPressure());

  const table: (string | number)[][] = [];
  const summary: Record<string, unknown>[] = [];
  for (const b of builds) {
    for (const step of STEPS) {
      const med = (mode: Mode, k: 'wallS' | 'cpuS' | 'userS', st: Step = step) => median(rows.filter((r) => r.build === b.label && r.step === st && r.mode === mode).map((r) => r[k]));
      const [pw, ew, pc, ec] = [med('none', 'wallS'), med('aes-256-gcm', 'wallS'), med('none', 'cpuS'), med('aes-256-gcm', 'cpuS')];
      const pct = (e: number, p: number) => `${e >= p ? '+' : ''}${(((e - p) / p) * 100).toFixed(0)} %`;
      const thr = step === 'restore-one' ? one.size / MiB : mib;
      const rate = step === 'open' ? '' : `${(thr / pw).toFixed(0)} / ${(thr / ew).toFixed(0)}`;
      // the work itself: CPU beyond what opening the repository costs in the same mode
      const [po, eo] = step === 'open' ? [0, 0] : [med('none', 'cpuS', 'open'), med('aes-256-gcm', 'cpuS', 'open')];
      const net = step === 'open' ? '' : `${(pc - po).toFixed(2)} / ${(ec - eo).toFixed(2)} (${pct(ec - eo, pc - po)})`;
      // user CPU alone: the system time of writing the restored files swings with the other sessions' I/O
      const [pu, eu] = [med('none', 'userS'), med('aes-256-gcm', 'userS')];
      const [pou, eou] = step === 'open' ? [0, 0] : [med('none', 'userS', 'open'), med('aes-256-gcm', 'userS', 'open')];
      const netUser = step === 'open' ? '' : `${(pu - pou).toFixed(2)} / ${(eu - eou).toFixed(2)} (${pct(eu - eou, pu - pou)})`;
      table.push([...(builds.length > 1 ? [b.label] : []), step, `${pw.toFixed(2)} / ${ew.toFixed(2)}`, rate, pct(ew, pw), `${pc.toFixed(2)} / ${ec.toFixed(2)}`, pct(ec, pc), net, `${pu.toFixed(2)} / ${eu.toFixed(2)} (${pct(eu, pu)})`, netUser]);
      summary.push({ build: b.label, step, plainWallS: pw, encWallS: ew, plainCpuS: pc, encCpuS: ec, cpuRatio: +(ec / pc).toFixed(3), plainUserS: pu, encUserS: eu });
    }
  }
  const head = [...(builds.length > 1 ? ['build'] : []), 'step', 'wall s, plain / enc', 'MiB/s, plain / enc', 'wall', 'CPU s, plain / enc', 'CPU', 'CPU s beyond open', 'user s', 'user s beyond open'];
  const md = mdTable(head, table);
  const result = { machine: machineInfo(), when: new Date().toISOString(), corpus: { files: corpus.files, MiB: +mib.toFixed(0), restoreOne: one.rel }, reps, kdf, cpuPressure: pressure, loadavg: load, summary, rows };
  const file = writeResult('encryption', result);
  console.log(md);
  console.log(`\nkdf: scrypt N=2^${Math.log2(kdf.N)} r=${kdf.r} p=${kdf.p}: calibrate ${kdf.calibrateMs} ms (${kdf.calibrateCpuMs} ms CPU), derive ${kdf.deriveMs} ms (${kdf.deriveCpuMs} ms CPU)`);
  console.log(`cpu pressure avg60 % before/after: ${pressure.join(' / ')}; results: ${file}`);
}

await main();
