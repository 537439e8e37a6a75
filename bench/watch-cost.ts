// Issue 3 benchmarks: what one snapshot costs under `strata watch` as the
// tree grows (10k / 100k / 1M files, time and directories scanned must not
// grow with N), a flat directory of 100k entries, renaming a directory that
// holds 30% of the tree, change-to-snapshot latency under 1,000 file
// operations/s, and the daemon's RSS. Run: node --import=tsx bench/watch-cost.ts
// (BENCH_SCALE=small: 10k/100k only, no 1M). Writes bench/results/watch-cost.json
// and the "Continuous snapshots" section of docs/bench.md.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchDir, benchScale } from './lib/corpus.js';
import { ROOT, mdTable, shouldUpdateDocs, updateDocSection, writeResult } from './lib/report.js';
import { ensureScaleTree } from './peers/scale-tree.js';
import { listSnapshots } from '../src/snapshot/manifest.js';
import { rootEntry } from '../src/snapshot/manifest.js';
import { Repository } from '../src/store/repository.js';
import { resolvePath } from '../src/tree/trees.js';

const CLI = path.join(ROOT, 'dist/cli/main.js');
const log = (s: string) => process.stderr.write(`[watch-cost] ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const pct = (a: number[], p: number) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(a.length * p))]!;

function cli(args: string[], repo: string): any {
  const r = spawnSync(process.execPath, [CLI, ...args, '--json', '--quiet'], { env: { ...process.env, STRATA_REPO: repo }, maxBuffer: 1 << 28 });
  if (r.status !== 0 && r.status !== 3) throw new Error(`strata ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout.toString());
}

class Daemon {
  lines: { at: number; d: any }[] = [];
  err = '';
  proc: ChildProcess;
  constructor(repo: string, dir: string, extra: string[] = []) {
    this.proc = spawn(process.execPath, [CLI, 'watch', dir, '--json', '--quiet-ms', '200', ...extra], { env: { ...process.env, STRATA_REPO: repo }, stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    this.proc.stdout!.on('data', (b: Buffer) => {
      buf += b;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const l = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (l.trim()) this.lines.push({ at: Date.now(), d: JSON.parse(l) });
      }
    });
    this.proc.stderr!.on('data', (b: Buffer) => (this.err += b));
  }
  snaps() {
    return this.lines.filter((l) => l.d.type === 'snapshot');
  }
  async next(after: number, timeoutMs = 120_000): Promise<{ at: number; d: any }> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const s = this.snaps().slice(after);
      if (s.length) return s[0]!;
      if (Date.now() > end) throw new Error(`no snapshot within ${timeoutMs} ms\n${this.err.slice(-2000)}`);
      await sleep(20);
    }
  }
  rssMiB(): { rss: number; hwm: number } {
    const s = fs.readFileSync(`/proc/${this.proc.pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0) / 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  }
  async stop(dir: string) {
    this.proc.kill('SIGINT');
    await new Promise((r) => this.proc.on('exit', r));
    spawnSync('watchman', ['watch-del', dir], { stdio: 'ignore' });
  }
}

function freshRepo(name: string): string {
  const repo = path.join(benchDir(), 'watch-cost', name);
  fs.rmSync(repo, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(repo), { recursive: true });
  cli(['init', '--repo', repo], repo);
  return repo;
}

/** Append to `file` k times; each time wait for the snapshot and record its cost. */
async function oneChangeCost(d: Daemon, file: string, k = 3) {
  const out: { latencyMs: number; durationMs: number; dirsScanned: number; bytesRead: number }[] = [];
  for (let i = 0; i < k; i++) {
    await sleep(500);
    const n = d.snaps().length;
    const t0 = Date.now();
    fs.appendFileSync(file, `change ${i}\n`);
    const s = await d.next(n);
    out.push({ latencyMs: s.at - t0, durationMs: s.d.durationMs, dirsScanned: s.d.dirsScanned, bytesRead: s.d.bytesRead });
  }
  return {
    latencyMs: median(out.map((o) => o.latencyMs)),
    durationMs: median(out.map((o) => o.durationMs)),
    dirsScanned: median(out.map((o) => o.dirsScanned)),
    bytesRead: median(out.map((o) => o.bytesRead)),
  };
}

async function scaleCase(files: number) {
  const t = ensureScaleTree(benchDir(), files, log); // shared with bench/peers
  const repo = freshRepo(`scale-${files}`);
  log(`${files} files: first snapshot`);
  const t0 = Date.now();
  cli(['snapshot', t.dir], repo);
  const firstS = (Date.now() - t0) / 1000;
  fs.appendFileSync(path.join(t.dir, t.probe), 'one-shot\n');
  const t1 = Date.now();
  const oneShot = cli(['snapshot', t.dir], repo);
  const oneShotS = (Date.now() - t1) / 1000;
  const d = new Daemon(repo, t.dir);
  const ts = Date.now();
  while (!/ready/.test(d.err)) {
    if (Date.now() - ts > 600_000) throw new Error('daemon not ready');
    await sleep(50);
  }
  const readyS = (Date.now() - ts) / 1000;
  const cost = await oneChangeCost(d, path.join(t.dir, t.probe));
  const mem = d.rssMiB();
  await d.stop(t.dir);
  return { files, dirs: t.dirs, firstSnapshotS: firstS, oneShotS, oneShotDirsScanned: oneShot.dirsScanned, daemonReadyS: readyS, ...cost, rssMiB: mem.rss, peakRssMiB: mem.hwm };
}

async function flatCase(n: number) {
  const dir = path.join(benchDir(), 'watch-cost-trees', `flat-${n}`);
  if (!fs.existsSync(path.join(dir, 'done'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, 'tree'), { recursive: true });
    log(`generating a flat directory of ${n} files`);
    for (let i = 0; i < n; i++) fs.writeFileSync(path.join(dir, 'tree', `f${i}.txt`), `file ${i}\n`);
    fs.writeFileSync(path.join(dir, 'done'), '');
  }
  const tree = path.join(dir, 'tree');
  const repo = freshRepo(`flat-${n}`);
  cli(['snapshot', tree], repo);
  const d = new Daemon(repo, tree);
  while (!/ready/.test(d.err)) await sleep(50);
  const cost = await oneChangeCost(d, path.join(tree, 'f12345.txt'));
  await d.stop(tree);
  return { entries: n, ...cost };
}

async function renameCase(files: number) {
  const base = path.join(benchDir(), 'watch-cost-trees', `rename-${files}`);
  fs.rmSync(base, { recursive: true, force: true });
  const tree = path.join(base, 'tree');
  log(`generating a ${files}-file tree with one directory holding 30%`);
  for (let i = 0; i < files; i++) {
    const part = i < files * 0.3 ? 'big' : `rest${i % 7}`;
    const d = path.join(tree, part, `d${Math.floor(i / 100) % 1000}`);
    if (i % 100 === 0 || !fs.existsSync(d)) fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, `f${i}.txt`), `content of file ${i} `.repeat(20));
  }
  const repo = freshRepo(`rename-${files}`);
  cli(['snapshot', tree], repo);
  const d = new Daemon(repo, tree);
  while (!/ready/.test(d.err)) await sleep(50);
  await sleep(500);
  const n = d.snaps().length;
  const du0 = Number(spawnSync('du', ['-sb', repo]).stdout.toString().split('\t')[0]);
  const t0 = Date.now();
  fs.renameSync(path.join(tree, 'big'), path.join(tree, 'big-renamed'));
  const s = await d.next(n);
  await sleep(1500); // let any follow-up snapshot land
  const du1 = Number(spawnSync('du', ['-sb', repo]).stdout.toString().split('\t')[0]);
  const follow = d.snaps().slice(n + 1).map((x) => x.d);
  await d.stop(tree);
  return {
    files,
    movedFiles: Math.ceil(files * 0.3),
    latencyMs: s.at - t0,
    durationMs: s.d.durationMs,
    dirsScanned: s.d.dirsScanned,
    bytesRead: s.d.bytesRead + follow.reduce((a, x) => a + x.bytesRead, 0),
    repoGrowthBytes: du1 - du0,
    snapshots: 1 + follow.length,
  };
}

async function loadCase() {
  const t = ensureScaleTree(benchDir(), 10_000, log);
  const repo = freshRepo('load');
  cli(['snapshot', t.dir], repo);
  const d = new Daemon(repo, t.dir);
  while (!/ready/.test(d.err)) await sleep(50);
  const markers = path.join(t.dir, 'markers');
  fs.rmSync(markers, { recursive: true, force: true });
  fs.mkdirSync(markers);
  await sleep(1000);
  const written: { name: string; at: number }[] = [];
  const all = fs.readdirSync(t.dir, { recursive: true }).map(String).filter((p) => p.endsWith('.txt'));
  const seconds = 10;
  const start = Date.now();
  let ops = 0;
  let nextMarker = start;
  while (Date.now() - start < seconds * 1000) {
    // 1,000 operations per second, paced in 10 ms slices of 10 writes
    const slice = Date.now();
    for (let k = 0; k < 10; k++) fs.appendFileSync(path.join(t.dir, all[(ops++ * 7919) % all.length]!), 'x');
    if (Date.now() >= nextMarker) {
      const name = `m${written.length}`;
      fs.writeFileSync(path.join(markers, name), String(Date.now()));
      written.push({ name, at: Date.now() });
      nextMarker += 500;
    }
    const spent = Date.now() - slice;
    if (spent < 10) await sleep(10 - spent);
  }
  const opsPerS = ops / ((Date.now() - start) / 1000);
  await sleep(12_000);
  await d.stop(t.dir);
  const r = await Repository.open(repo);
  const snaps = (await listSnapshots(r)).filter((s) => Date.parse(s.time) >= start);
  const lat: number[] = [];
  for (const m of written) {
    for (const s of snaps) {
      try {
        await resolvePath(r, rootEntry(s), `markers/${m.name}`);
        lat.push(Date.parse(s.time) - m.at);
        break;
      } catch {
        continue;
      }
    }
  }
  await r.close();
  return { opsPerS: Math.round(opsPerS), markers: written.length, found: lat.length, snapshots: snaps.length, latencyMedianMs: median(lat), latencyP95Ms: pct(lat, 0.95), latencyMaxMs: Math.max(...lat) };
}

async function main() {
  const scale = benchScale();
  const sizes = scale === 'full' ? [10_000, 100_000, 1_000_000] : scale === 'small' ? [10_000, 100_000] : [2_000];
  const result: any = { scale, when: new Date().toISOString(), node: process.version, scaleCases: [] };
  for (const n of sizes) {
    result.scaleCases.push(await scaleCase(n));
    log(JSON.stringify(result.scaleCases.at(-1)));
  }
  result.flat = await flatCase(scale === 'tiny' ? 5_000 : 100_000);
  log(JSON.stringify(result.flat));
  result.rename = await renameCase(scale === 'tiny' ? 3_000 : 100_000);
  log(JSON.stringify(result.rename));
  if (scale !== 'tiny') {
    result.load = await loadCase();
    log(JSON.stringify(result.load));
  }
  writeResult('watch-cost', result);
  if (!shouldUpdateDocs(scale)) return;
  const rows = result.scaleCases.map((c: any) => [
    c.files.toLocaleString('en-US'),
    c.dirs.toLocaleString('en-US'),
    c.firstSnapshotS.toFixed(1),
    `${c.oneShotS.toFixed(2)} (${c.oneShotDirsScanned} dirs)`,
    c.daemonReadyS.toFixed(1),
    c.latencyMs,
    c.durationMs,
    c.dirsScanned,
    c.bytesRead,
    `${c.rssMiB.toFixed(0)} / ${c.peakRssMiB.toFixed(0)}`,
  ]);
  let md = `## Continuous snapshots (\`strata watch\`, watchman)\n\nCommand: \`node --import=tsx bench/watch-cost.ts\` (scale ${scale}, ${result.when.slice(0, 16)}Z, ${process.version}). One file appended, 3 repetitions, median; latency = write → JSON line of the committed snapshot (quiet period 200 ms included).\n\n`;
  md += mdTable(['files', 'dirs', 'first snapshot s', 'one-shot snapshot s', 'daemon ready s', 'change→snapshot ms', 'snapshot ms', 'dirs scanned', 'bytes read', 'daemon RSS / peak MiB'], rows);
  md += `\n\nFlat directory of ${result.flat.entries.toLocaleString('en-US')} entries, one file appended: change→snapshot ${result.flat.latencyMs} ms, snapshot ${result.flat.durationMs} ms, ${result.flat.dirsScanned} dirs scanned, ${result.flat.bytesRead} bytes read (the entry is patched into the old tree, the 100k-entry tree object re-encoded).\n\n`;
  md += `Renaming a directory holding 30% of a ${result.rename.files.toLocaleString('en-US')}-file tree (${result.rename.movedFiles.toLocaleString('en-US')} files): change→snapshot ${result.rename.latencyMs} ms, snapshot ${result.rename.durationMs} ms, ${result.rename.dirsScanned} dirs scanned, **${result.rename.bytesRead} content bytes re-read**, repository growth ${result.rename.repoGrowthBytes} bytes (${result.rename.snapshots} snapshot(s)).\n`;
  if (result.load)
    md += `\nUnder load (${result.load.opsPerS} appends/s to random files of a 10k-file tree for 10 s, a marker file every 500 ms): ${result.load.snapshots} snapshots; marker → committed snapshot median ${result.load.latencyMedianMs} ms, p95 ${result.load.latencyP95Ms} ms, max ${result.load.latencyMaxMs} ms (${result.load.found}/${result.load.markers} markers found).\n`;
  updateDocSection('watch-cost', md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
