// S3 benchmark (issue #14): strata against restic's S3 backend (Debian restic)
// on the same Ceph gateway (test/helpers/ceph.sh, started here and stopped at
// the end), same corpus (the peer corpus, BENCH_SCALE=small by default), same
// run: first snapshot, one-change snapshot (one-shot, and under `watch`),
// full restore and single-file restore; requests per snapshot for strata.
// Not wired into make. Run: node --import=tsx bench/s3.ts
// BENCH_ONLY=restore: first snapshot, then the restores only (no one-change or
// watch steps); BENCH_CLI=path/to/dist/cli/main.js: another build of strata;
// BENCH_CLI_BEFORE=path/to/dist/cli/main.js: also restore with that build,
// alternating with BENCH_CLI and restic (BENCH_RUNS rounds, default 3), so a
// before/after comparison shares the same minutes. Times are wall (CPU user+sys
// of the command in brackets, from /usr/bin/time when present).
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startCeph, type Ceph } from '../test/helpers/ceph.js';
import { benchDir, type Scale } from './lib/corpus.js';
import { ROOT } from './lib/report.js';
import { ensurePeerCorpus } from './peers/corpus.js';

const CLI = process.env.BENCH_CLI ?? path.join(ROOT, 'dist/cli/main.js');
const BEFORE = process.env.BENCH_CLI_BEFORE;
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const onlyRestore = process.env.BENCH_ONLY === 'restore';
const log = (s: string) => process.stderr.write(s + '\n');
const scale = (process.env.BENCH_SCALE ?? 'small') as Scale;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): { ms: number; cpu: number; stdout: string } {
  const cpuFile = path.join(benchDir(), `s3-cpu-${process.pid}`);
  const [c, a] = TIME ? [TIME, ['-o', cpuFile, '-f', '%U %S', cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c, a, { env: { ...process.env, ...env }, maxBuffer: 1 << 30, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  let cpu = NaN;
  if (TIME) {
    const [u, s] = fs.readFileSync(cpuFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
    cpu = u! + s!;
    fs.rmSync(cpuFile, { force: true });
  }
  return { ms, cpu, stdout: r.stdout };
}

const fmt = (r: { ms: number; cpu: number }, mb?: number) => `${r.ms.toFixed(0)} ms${mb ? ` (${(mb / (r.ms / 1000)).toFixed(1)} MB/s)` : ''}${Number.isNaN(r.cpu) ? '' : ` [cpu ${r.cpu.toFixed(2)} s]`}`;

async function main(): Promise<void> {
  const base = path.join(benchDir(), 's3');
  fs.rmSync(base, { recursive: true, force: true });
  fs.mkdirSync(base, { recursive: true });
  const corpus = ensurePeerCorpus(benchDir(), scale, log);
  const work = path.join(base, 'src');
  run('cp', ['-a', corpus.dir, work], {});
  const mb = corpus.bytes / 1e6;
  log(`corpus: ${corpus.files} files, ${mb.toFixed(1)} MB`);
  const ceph: Ceph = await startCeph();
  const rows: [string, string, string][] = [];
  const push = (r: [string, string, string]) => {
    rows.push(r);
    log(`| ${r.join(' | ')} |`);
  };
  try {
    const env = { ...ceph.env(), STRATA_CACHE_DIR: path.join(base, 'cache'), STRATA_PASSWORD: 'bench', RESTIC_PASSWORD: 'bench', RESTIC_CACHE_DIR: path.join(base, 'restic-cache') };
    const sRepo = `s3:${ceph.endpoint}/bench-strata/repo`;
    const rRepo = `s3:${ceph.endpoint}/bench-restic`;
    const strataWith = (cli: string, args: string[]) => run(process.execPath, [cli, ...args, '--repo', sRepo], env);
    const strata = (args: string[]) => strataWith(CLI, args);
    const restic = (args: string[]) => run('restic', ['-r', rRepo, '--no-lock', ...args], env);
    strata(['init']);
    run('restic', ['-r', rRepo, 'init'], env);
    const appendTo = path.join(work, corpus.appendFile);

    const s1 = strata(['snapshot', work, '--json']);
    const r1 = restic(['backup', '--quiet', work]);
    push(['first snapshot', `${s1.ms.toFixed(0)} ms (${(mb / (s1.ms / 1000)).toFixed(1)} MB/s)`, `${r1.ms.toFixed(0)} ms (${(mb / (r1.ms / 1000)).toFixed(1)} MB/s)`]);
    push(['  requests (strata)', JSON.stringify(JSON.parse(s1.stdout).requests), '']);

    if (!onlyRestore) {
    fs.appendFileSync(appendTo, 'one change\n');
    const s2 = strata(['snapshot', work, '--json']);
    const r2 = restic(['backup', '--quiet', work]);
    push(['one-change snapshot, one-shot', `${s2.ms.toFixed(0)} ms`, `${r2.ms.toFixed(0)} ms`]);
    push(['  requests (strata)', JSON.stringify(JSON.parse(s2.stdout).requests), '']);

    // under watch: from the change to the snapshot line (includes the 300 ms quiet period), and the snapshot itself
    const w = spawn(process.execPath, [CLI, 'watch', work, '--json', '--quiet-ms', '300', '--repo', sRepo], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: any[] = [];
    let errText = '';
    w.stderr.on('data', (d: Buffer) => (errText += d));
    let buf = '';
    w.stdout.on('data', (d: Buffer) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
    });
    const waitFor = async (done: () => boolean, what: string) => {
      const end = Date.now() + 300_000;
      while (!done()) {
        if (Date.now() > end) throw new Error(`watch: no ${what}: ${errText}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      await waitFor(() => /ready/.test(errText), 'ready line'); // after the catch-up (no line when nothing changed)
      const wl: number[] = [];
      for (let k = 0; k < 3; k++) {
        await new Promise((r) => setTimeout(r, 1500));
        const n = lines.length;
        const t0 = Date.now();
        fs.appendFileSync(appendTo, `watch change ${k}\n`);
        await waitFor(() => lines.length > n, 'snapshot');
        wl.push(Date.now() - t0);
        const l = lines.at(-1);
        push([`one-change snapshot under watch #${k + 1}`, `${l.durationMs} ms snapshot, ${wl.at(-1)} ms change→line; ${JSON.stringify(l.requests)}`, '']);
      }
    } finally {
      w.kill('SIGINT');
      await new Promise((r) => w.on('close', r));
    }
    fs.appendFileSync(appendTo, 'restic change\n');
    const r3 = restic(['backup', '--quiet', work]);
    push(['restic incremental after one change (again)', '', `${r3.ms.toFixed(0)} ms`]);
    }

    const sOut = path.join(base, 'out-strata');
    const rOut = path.join(base, 'out-restic');
    for (let k = 0; k < RUNS; k++) {
      for (const o of [sOut, rOut, `${sOut}-before`]) fs.rmSync(o, { recursive: true, force: true });
      if (BEFORE) {
        const b = strataWith(BEFORE, ['restore', 'latest', '--target', `${sOut}-before`]);
        push([`full restore #${k + 1}, before (${BEFORE})`, fmt(b, mb), '']);
      }
      const s4 = strata(['restore', 'latest', '--target', sOut]);
      const r4 = restic(['restore', 'latest', '--target', rOut]);
      push([`full restore #${k + 1}`, fmt(s4, mb), fmt(r4, mb)]);
    }
    for (const o of [sOut, rOut, `${sOut}-before`]) fs.rmSync(o, { recursive: true, force: true });
    const s4j = strata(['restore', 'latest', '--target', `${sOut}-json`, '--json']);
    push(['  requests (strata full restore)', JSON.stringify(JSON.parse(s4j.stdout).requests ?? null), '']);
    const one = corpus.appendFile;
    const s5 = strata(['restore', `latest:${one}`, '--target', path.join(base, 'one-strata')]);
    const r5 = restic(['restore', 'latest', '--target', path.join(base, 'one-restic'), '--include', path.join(work, one)]);
    push(['single-file restore', fmt(s5), fmt(r5)]);
    const big = corpus.rewriteFile;
    if (big) {
      const s6 = strata(['restore', `latest:${big}`, '--target', path.join(base, 'big-strata')]);
      const r6 = restic(['restore', 'latest', '--target', path.join(base, 'big-restic'), '--include', path.join(work, big)]);
      push([`single large file restore (${big})`, fmt(s6), fmt(r6)]);
    }
  } finally {
    ceph.stop();
  }
  console.log(`| ${scale} peer corpus, ${mb.toFixed(1)} MB | strata | restic ${spawnSync('restic', ['version'], { encoding: 'utf8' }).stdout.split(' ')[1]} |\n|---|---|---|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
