// Rename → committed snapshot under `strata watch`, against restic's
// incremental backup after the same rename (issue #18, T2.5). A generated tree
// (default 4 × 10 × 50 directories of 10 small files: 2,045 directories,
// 20,000 files); the directory t0/ (a quarter of it) is renamed back and forth,
// each rename one measurement. strata: time from rename() to the JSON line of
// the first snapshot whose root equals a fresh full dry run of the renamed tree
// (so a snapshot that is not yet complete does not count). restic: wall time of
// `restic backup` after the same rename (its parent found by path).
// Usage: node --import=tsx bench/watch-rename.ts [reps=3]
//   STRATA_CLI=dist/cli/main.js  build to measure (a baseline checkout's dist for "before")
//   BENCH_BACKEND=watchman|inotify  (default watchman)   BENCH_TREE=a,b,c,f  (default 4,10,50,10)
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const reps = Number(process.argv[2] ?? 3);
const cli = path.resolve(process.env.STRATA_CLI ?? 'dist/cli/main.js');
const backend = process.env.BENCH_BACKEND ?? 'watchman';
const [A, B, C, F] = (process.env.BENCH_TREE ?? '4,10,50,10').split(',').map(Number) as [number, number, number, number];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-rename-'));
const tree = path.join(work, 'tree');
const env = { ...process.env, STRATA_REPO: path.join(work, 'repo'), STRATA_PASSWORD_FILE: path.join(work, 'pw'), STRATA_CACHE_DIR: path.join(work, 'cache') };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function run(cmd: string, args: string[], extra: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { env: { ...env, ...extra }, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
}

const fullRoot = () => JSON.parse(run(process.execPath, [cli, 'snapshot', tree, '--dry-run', '--full', '--json', '--quiet'])).root as string;

async function main(): Promise<void> {
  fs.writeFileSync(path.join(work, 'pw'), 'bench\n');
  for (let a = 0; a < A; a++)
    for (let b = 0; b < B; b++)
      for (let c = 0; c < C; c++) {
        const d = path.join(tree, `t${a}`, `m${b}`, `l${c}`);
        fs.mkdirSync(d, { recursive: true });
        for (let f = 0; f < F; f++) fs.writeFileSync(path.join(d, `f${f}.txt`), `file ${a} ${b} ${c} ${f}\n`);
      }
  run(process.execPath, [cli, 'init']);
  const hasRestic = spawnSync('sh', ['-c', 'command -v restic'], { stdio: 'ignore' }).status === 0;
  const renv = { RESTIC_REPOSITORY: path.join(work, 'restic'), RESTIC_PASSWORD: 'bench', RESTIC_CACHE_DIR: path.join(work, 'restic-cache') };
  if (hasRestic) {
    run('restic', ['init', '-q'], renv);
    run('restic', ['backup', '-q', tree], renv);
  }
  const d = spawn(process.execPath, [cli, 'watch', tree, '--json', '--quiet-ms', '1', '--backend', backend], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: { at: number; l: any }[] = [];
  let err = '';
  let buf = '';
  d.stderr.on('data', (x) => (err += x));
  d.stdout.on('data', (x) => {
    buf += x;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push({ at: performance.now(), l: JSON.parse(buf.slice(0, i)) });
      buf = buf.slice(i + 1);
    }
  });
  try {
    while (!/ready/.test(err) || !lines.length) {
      if (d.exitCode !== null) throw new Error(err);
      await sleep(100);
    }
    const rows: any[] = [];
    let [from, to] = ['t0', 't0-renamed'];
    for (let i = 0; i < reps; i++) {
      await sleep(Number(process.env.BENCH_IDLE_MS ?? 8000)); // idle: the previous rename's events are in and snapshotted (watchman re-announces the moved tree after its crawl; that snapshot prints no line when nothing changed)
      const n = lines.length;
      const t0 = performance.now();
      fs.renameSync(path.join(tree, from), path.join(tree, to));
      await sleep(1000);
      // wait until no snapshot line came for 3 s
      let last = lines.length;
      for (let quiet = 0; quiet < 30; quiet++) {
        await sleep(100);
        if (lines.length !== last) (last = lines.length), (quiet = 0);
      }
      const want = fullRoot();
      const got = lines.slice(n).find((x) => x.l.root === want);
      const first = lines[n];
      const row: any = {
        rep: i + 1,
        renameToCompleteMs: got ? Math.round(got.at - t0) : null,
        snapshots: lines.length - n,
        first: first && { atMs: Math.round(first.at - t0), durationMs: first.l.durationMs, dirsListed: first.l.dirsListed, dirsMoved: first.l.dirsMoved, dirsScanned: first.l.dirsScanned },
        later: lines.slice(n + 1).map((x) => ({ atMs: Math.round(x.at - t0), durationMs: x.l.durationMs, dirsListed: x.l.dirsListed, dirsScanned: x.l.dirsScanned, trigger: x.l.trigger })),
      };
      if (hasRestic) {
        const r0 = performance.now();
        run('restic', ['backup', '-q', tree], renv);
        row.resticMs = Math.round(performance.now() - r0);
      }
      rows.push(row);
      console.error(JSON.stringify(row));
      [from, to] = [to, from];
    }
    // the floor: one small file appended (what any change costs the daemon: lock, snapshot, pack, manifest, fsyncs)
    const appendMs: number[] = [];
    for (let i = 0; i < reps; i++) {
      await sleep(2000);
      const n = lines.length;
      const t0 = performance.now();
      fs.appendFileSync(path.join(tree, 't1/m0/l0/f0.txt'), `append ${i}\n`);
      while (lines.length === n && performance.now() - t0 < 30000) await sleep(2);
      if (lines.length > n) appendMs.push(Math.round(lines[n]!.at - t0));
    }
    const s = rows.map((r) => r.renameToCompleteMs).filter((x) => x !== null);
    const r = rows.map((x) => x.resticMs).filter(Boolean);
    const out = {
      cli,
      backend,
      tree: { dirs: A * B * C + A * B + A + 1, files: A * B * C * F, renamed: `t0 (${B * C + B + 1} dirs, ${B * C * F} files)` },
      load: os.loadavg().map((x) => x.toFixed(1)).join(' '),
      strataMedianMs: s.length ? median(s) : null,
      resticMedianMs: r.length ? median(r) : null,
      ratio: s.length && r.length ? +(median(r) / median(s)).toFixed(1) : null,
      appendMedianMs: appendMs.length ? median(appendMs) : null,
      appendMs,
      rows,
    };
    console.log(JSON.stringify(out, null, 1));
  } finally {
    d.kill('SIGINT');
    await new Promise((r) => (d.exitCode !== null ? r(null) : d.on('exit', r)));
    if (backend === 'watchman') spawnSync('watchman', ['watch-del', tree], { stdio: 'ignore' });
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
