// `make bench-10m` (issue #18): strata on a generated tree of 10,000,000
// files of a few bytes each (100 per directory, 100,000 leaf directories),
// and on the same shape at 10,000 files in the same run for comparison:
// first snapshot, the `strata watch` daemon's start-up (catch-up scan) and
// memory, change → committed snapshot for one append and one 1,000-file
// directory rename, then a one-shot snapshot of the unchanged tree. Writes
// bench/results/scale-10m-*.json and the docs/bench.md section `scale-10m`.
// Settings (environment): BENCH_DIR (required at 1M files and more: the tree,
// repositories and caches live there), BENCH_10M_FILES (default 10,000,000;
// e.g. 100000 for a quick run), BENCH_REPS (changes per kind, default 3),
// BENCH_WATCH_QUIET_MS (default 1, the least `strata watch` takes), BENCH_DEADLINE (ISO time: phases not
// started by then are skipped and reported missing), BENCH_DOCS (0/1), BENCH_10M_REUSE (a results JSON:
// keep the repository and cache left in BENCH_DIR by that run and its first-snapshot figures).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchDir } from '../lib/corpus.js';
import { cpuPressure, duBytes, hasCommand, machineInfo, measure, sh } from '../lib/proc.js';
import { ROOT, updateDocSection, writeResult } from '../lib/report.js';
import { ensureTinyTree, type ScaleTree } from './scale-tree.js';
import { tenMReport, type TenMRun } from './table.js';
import { STRATA_CLI } from './tools.js';
import { WatchDaemon } from './watch.js';

const log = (s: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const FILES = Number(process.env.BENCH_10M_FILES ?? 10_000_000);
const REPS = Math.max(1, Number(process.env.BENCH_REPS ?? 3));
const QUIET_MS = Math.max(1, Number(process.env.BENCH_WATCH_QUIET_MS ?? 1));
const DEADLINE = process.env.BENCH_DEADLINE ? Date.parse(process.env.BENCH_DEADLINE) : Infinity;
const BLOCK = 4096;
const REUSE = process.env.BENCH_10M_REUSE ? (JSON.parse(fs.readFileSync(process.env.BENCH_10M_REUSE, 'utf8')) as TenMRun) : undefined;

const strata = (args: string[]) => measure([process.execPath, STRATA_CLI, ...args], { check: 3 });
/** allocated bytes (du -s -B1), next to du -sb's apparent size: LMDB files can be sparse */
const diskBytes = (p: string) => Number(sh(['du', '-s', '-B1', p]).split('\t')[0]);
const load = () => os.loadavg().map((x) => Number(x.toFixed(2)));
const pastDeadline = () => Date.now() > DEADLINE;
/** the daemon running now and the tree it watches, for a clean stop on SIGTERM */
const active: { daemon?: WatchDaemon; dir?: string } = {};

/** Refuse to start a tree that would not fit: one block per file and per directory, plus 10 GiB for repository and cache. */
function checkDisk(base: string, files: number): void {
  const meta = path.join(base, `tiny-${files}`, 'meta.json');
  if (fs.existsSync(meta)) return;
  const st = fs.statfsSync(base);
  const free = st.bavail * st.bsize;
  const dirs = Math.ceil(files / 100) * 1.12;
  const need = (files + dirs) * BLOCK + 10 * 2 ** 30;
  log(`disk: ${(free / 2 ** 30).toFixed(1)} GiB and ${st.ffree.toLocaleString('en-US')} inodes free at ${base}; the tree needs ~${(((files + dirs) * BLOCK) / 2 ** 30).toFixed(1)} GiB (one 4 KiB block per file) + 10 GiB for repository and cache`);
  if (free < need) throw new Error(`not enough disk at ${base}: ${(free / 2 ** 30).toFixed(1)} GiB free, ${(need / 2 ** 30).toFixed(1)} GiB needed`);
  if (st.ffree < (files + dirs) * 1.1) throw new Error(`not enough inodes at ${base}: ${st.ffree} free, ${Math.ceil(files + dirs)} needed`);
}

/** inotify watches in use by every process of this machine (the limit is per user; we count all). */
function watchesInUse(): number {
  let n = 0;
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fdinfo`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const t = fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
        if (t.includes('inotify wd:')) n += t.split('inotify wd:').length - 1;
      } catch {}
    }
  }
  return n;
}

/** Raise fs.inotify.max_user_watches when one watch per directory of the tree, plus those in use, would not fit. */
function ensureWatchLimit(dirs: number): string {
  const file = '/proc/sys/fs/inotify/max_user_watches';
  const cur = Number(fs.readFileSync(file, 'utf8'));
  const inUse = watchesInUse();
  const need = Math.ceil((dirs + inUse) * 1.25);
  if (cur >= need) return `fs.inotify.max_user_watches ${cur.toLocaleString('en-US')} is enough (${dirs.toLocaleString('en-US')} directories + ${inUse.toLocaleString('en-US')} watches in use, +25%)`;
  const target = 2 ** Math.ceil(Math.log2(need));
  try {
    fs.writeFileSync(file, String(target));
  } catch (e) {
    throw new Error(`fs.inotify.max_user_watches is ${cur}, ${need} needed, and raising it failed (${(e as Error).message}): run sysctl -w fs.inotify.max_user_watches=${target} as root`);
  }
  const msg = `raised fs.inotify.max_user_watches from ${cur.toLocaleString('en-US')} to ${target.toLocaleString('en-US')} (sysctl; ${dirs.toLocaleString('en-US')} directories + ${inUse.toLocaleString('en-US')} watches in use, +25%); it stays raised until reboot`;
  log(msg);
  return msg;
}

function watchmanRssMiB(): number | undefined {
  try {
    const pid = JSON.parse(sh(['watchman', 'get-pid'], { allowFail: true }) || '{}').pid as number | undefined;
    if (!pid) return undefined;
    return Number(/^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
  } catch {
    return undefined;
  }
}

/** Measure one tree: everything of the issue's list, phase by phase; a failed or skipped phase is recorded and the rest goes on. */
async function runTree(base: string, files: number, tree: ScaleTree, run: TenMRun): Promise<void> {
  const work = path.join(base, `run-${files}`);
  const repo = path.join(work, 'repo');
  const cache = path.join(work, 'cache');
  const r = (run.trees[String(files)] = { files, dirs: tree.dirs, phases: {}, notes: [] as string[] } as TenMRun['trees'][string]);
  process.env.STRATA_CACHE_DIR = cache;
  const phase = async (name: string, f: () => Promise<Record<string, unknown> | void>) => {
    if (pastDeadline()) {
      r.phases[name] = { error: 'not run: past BENCH_DEADLINE' };
      log(`${files}: ${name} skipped (past the deadline)`);
      return;
    }
    const t0 = Date.now();
    log(`${files}: ${name} ...`);
    try {
      const out = (await f()) ?? {};
      r.phases[name] = { ...out, phaseS: (Date.now() - t0) / 1000, load: load(), cpuPressure: cpuPressure() };
      log(`${files}: ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(out)} (load ${load().join(' ')})`);
    } catch (e) {
      r.phases[name] = { error: (e as Error).message.slice(0, 600), phaseS: (Date.now() - t0) / 1000 };
      log(`${files}: ${name} FAILED: ${(e as Error).message.slice(0, 600)}`);
    }
  };
  // BENCH_10M_REUSE=results.json: keep this tree's repository and cache from that run, and its first snapshot's figures
  const previous = REUSE?.trees[String(files)];
  if (previous?.phases.first && !previous.phases.first.error && fs.existsSync(path.join(repo, 'config'))) {
    r.phases.first = previous.phases.first;
    r.notes.push(`first snapshot: figures of the run of ${REUSE!.time} (its repository and cache were reused)`);
    log(`${files}: first snapshot reused from ${REUSE!.time}`);
  } else {
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(work, { recursive: true });
    await strata(['init', '--repo', repo]);
    sh(['sync']);
    await phase('first', async () => {
      const m = await strata(['snapshot', tree.dir, '--repo', repo, '--json', '--quiet']);
      const j = JSON.parse(m.stdout) as { id: string };
      return { wallS: m.wallS, cpuS: m.cpuS, rssMiB: m.maxRssMiB, id: j.id, cacheBytes: duBytes(cache), cacheDiskBytes: diskBytes(cache), repoBytes: duBytes(repo) };
    });
  }
  if (r.phases.first?.error) return;

  const probe = path.join(tree.dir, tree.probe);
  const probeSize = fs.statSync(probe).size;
  const renameRel = path.dirname(path.dirname(tree.probe)); // a leaf's parent: 10 leaves of 100 files
  const renameFrom = path.join(tree.dir, renameRel);
  const renameTo = `${renameFrom}-moved`;
  const renameFiles = fs.readdirSync(renameFrom).reduce((n, d) => n + fs.readdirSync(path.join(renameFrom, d)).length, 0);
  const backend = hasCommand('watchman') ? 'watchman' : 'inotify';
  const wmBefore = backend === 'watchman' ? watchmanRssMiB() : undefined;
  let d: WatchDaemon | undefined;
  let peakAnon = 0;
  let sampler: NodeJS.Timeout | undefined;
  try {
    await phase('daemon-start', async () => {
      d = WatchDaemon.start(repo, tree.dir, QUIET_MS, ['--backend', backend]);
      active.daemon = d;
      active.dir = tree.dir;
      sampler = setInterval(() => {
        try {
          if (d?.running) peakAnon = Math.max(peakAnon, d.memory().anonMiB);
        } catch {}
      }, 500);
      const left = Math.max(60_000, Math.min(4 * 3600_000, DEADLINE - Date.now()));
      const readyS = (await d.ready(left, QUIET_MS + 700)) / 1000;
      // changes are timed once the watcher delivers events: until then the daemon protects the tree by
      // polling stat scans (a full scan each at this size), which is start-up, not change latency
      const liveS = (await d.live(left)) / 1000;
      await d.idle(QUIET_MS + 700);
      const mem = d.memory();
      peakAnon = Math.max(peakAnon, mem.anonMiB);
      return { readyS, liveS, snapshotsBeforeLive: d.snapshots().length, backend, snapshotsDuringStart: d.snapshots().length, ...mem, peakAnonMiB: peakAnon, watchmanRssMiB: watchmanRssMiB(), watchmanRssBeforeMiB: wmBefore };
    });
    if (d && !r.phases['daemon-start']!.error) {
      const timed = async (name: string, change: (i: number) => void) =>
        phase(name, async () => {
          const lat: number[] = [];
          const read: number[] = [];
          for (let i = 0; i < REPS * (name === 'rename' ? 2 : 1); i++) {
            const { latencyS, event } = await d!.timeChange(() => change(i), 600_000);
            lat.push(latencyS);
            read.push(event.bytesRead ?? NaN);
            await d!.idle(QUIET_MS + 700);
          }
          return { latencyS: lat, bytesRead: read };
        });
      await timed('append', (i) => fs.appendFileSync(probe, `one more line ${i}\n`));
      await timed('rename', (i) => (i % 2 === 0 ? fs.renameSync(renameFrom, renameTo) : fs.renameSync(renameTo, renameFrom)));
      // put the probe back while the daemon runs (untimed), so the one-shot snapshot below finds nothing changed
      await d.timeChange(() => fs.truncateSync(probe, probeSize), 600_000);
      await d.idle(QUIET_MS + 700);
      const mem = d.memory();
      peakAnon = Math.max(peakAnon, mem.anonMiB);
      r.phases.daemonEnd = { ...mem, peakAnonMiB: peakAnon, watchmanRssMiB: watchmanRssMiB(), cacheBytes: duBytes(cache), load: load() };
    }
  } finally {
    if (sampler) clearInterval(sampler);
    if (d) await d.stop();
    if (backend === 'watchman') sh(['watchman', 'watch-del', tree.dir], { allowFail: true });
    active.daemon = active.dir = undefined;
    if (fs.existsSync(renameTo) && !fs.existsSync(renameFrom)) fs.renameSync(renameTo, renameFrom);
    if (fs.statSync(probe).size !== probeSize) fs.truncateSync(probe, probeSize);
  }
  r.notes.push(`rename: \`${renameRel}/\` (${renameFiles.toLocaleString('en-US')} files) renamed and back, ${REPS} times each way`);
  // the tree is back to its first-snapshot state: a one-shot snapshot with nothing changed
  await phase('nochange', async () => {
    sh(['sync']);
    const m = await strata(['snapshot', tree.dir, '--repo', repo, '--json', '--quiet']);
    const j = JSON.parse(m.stdout) as { bytesRead?: number };
    return { wallS: m.wallS, cpuS: m.cpuS, rssMiB: m.maxRssMiB, bytesRead: j.bytesRead, cacheBytes: duBytes(cache), cacheDiskBytes: diskBytes(cache), repoBytes: duBytes(repo) };
  });
}

/** At BENCH_DEADLINE: end the one-shot command still running (our own descendants, by pid); its phase is recorded as failed, later ones are skipped. */
function killChildrenAtDeadline(): void {
  const parent = new Map<number, number>();
  for (const p of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {}
  }
  const mine = (pid: number): boolean => {
    for (let q = parent.get(pid); q !== undefined && q > 1; q = parent.get(q)) if (q === process.pid) return true;
    return false;
  };
  const victims = [...parent.keys()].filter(mine);
  log(`BENCH_DEADLINE reached: ending ${victims.length ? `pids ${victims.join(', ')}` : 'nothing (no command running)'}`);
  for (const pid of victims) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {}
  }
}

async function main(): Promise<void> {
  const t0 = Date.now();
  if (FILES >= 1_000_000 && !process.env.BENCH_DIR) throw new Error('set BENCH_DIR to a directory with ~50 GB free (not /tmp): the 10M-file tree is kept there for re-runs');
  const base = benchDir();
  const run: TenMRun = {
    bench: 'scale-10m',
    time: new Date().toISOString(),
    command: `BENCH_DIR=${base} make bench-10m`,
    machine: machineInfo(),
    strataBuild: sh(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD'], { allowFail: true }).trim(),
    files: FILES,
    reps: REPS,
    quietMs: QUIET_MS,
    base,
    loadStart: load(),
    trees: {},
    build: {},
    notes: [],
  };
  const stopping = () => {
    log('interrupted: stopping the daemon, writing what was measured');
    active.daemon?.kill();
    if (active.dir) sh(['watchman', 'watch-del', active.dir], { allowFail: true });
    finish(run, t0);
    process.exit(130);
  };
  process.on('SIGINT', stopping);
  process.on('SIGTERM', stopping);
  if (Number.isFinite(DEADLINE)) setTimeout(() => killChildrenAtDeadline(), Math.max(0, DEADLINE - Date.now())).unref();
  const sizes = FILES === 10_000 ? [10_000] : [10_000, FILES];
  for (const n of sizes) {
    checkDisk(base, n);
    const tb = Date.now();
    const reused = fs.existsSync(path.join(base, `tiny-${n}`, 'meta.json'));
    const tree = ensureTinyTree(base, n, log);
    run.build[String(n)] = { seconds: (Date.now() - tb) / 1000, dir: tree.dir, dirs: tree.dirs, reused };
  }
  run.notes.push(ensureWatchLimit(Math.max(...sizes.map((n) => run.build[String(n)]!.dirs))));
  for (const n of sizes) await runTree(base, n, ensureTinyTree(base, n, log), run);
  // keep only the last repository and cache (the big tree's), for re-runs and inspection
  if (sizes.length > 1) fs.rmSync(path.join(base, 'run-10000'), { recursive: true, force: true });
  finish(run, t0);
}

function finish(run: TenMRun, t0: number): void {
  run.minutes = (Date.now() - t0) / 60_000;
  run.loadEnd = load();
  const md = tenMReport(run);
  run.markdown = md;
  const file = writeResult(`scale-10m-${run.files}`, run);
  process.stdout.write(md + '\n');
  log(`results: ${file}`);
  const docs = process.env.BENCH_DOCS === '1' || (process.env.BENCH_DOCS !== '0' && run.files >= 10_000_000);
  if (docs) {
    updateDocSection('scale-10m', md);
    log('docs/bench.md: section scale-10m updated');
  }
}

main().catch((e) => {
  process.stderr.write(`bench-10m: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
