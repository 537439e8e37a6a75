// History benchmark: `strata diff` of two snapshots of a 1M-entry tree that
// differ in 10 files (against a full walk of the same tree), and `strata log`
// of one path over 10,000 snapshots. The repositories are built through the
// API (tree codec + putBlob + saveManifest): real, restorable trees, made in
// seconds instead of hours; then the CLI commands themselves are timed.
// Run: node --import=tsx bench/diff-log.ts   (BENCH_SCALE=small|tiny to scale down,
// BENCH_REPS=N runs per command, BENCH_KEEP=1 keeps the repositories)
import './history-setup.js'; // before the sources: sets STRATA_COMPRESS_WORKERS
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { hashBytes } from '../src/hash.js';
import { saveManifest, type Manifest, type Snapshot } from '../src/snapshot/manifest.js';
import { BLOB_DATA } from '../src/store/pack.js';
import { Repository } from '../src/store/repository.js';
import type { TreeEntry } from '../src/tree/codec.js';
import { diffEntries } from '../src/tree/diff.js';
import { loadTree, repoTreeSink } from '../src/tree/trees.js';
import { benchDir, benchScale } from './lib/corpus.js';
import { machineInfo, measure, type Measured } from './lib/proc.js';
import { ROOT, fmt, mdTable, shouldUpdateDocs, updateDocSection, writeResult } from './lib/report.js';

const CLI = path.join(ROOT, 'dist/cli/main.js');
const log = (s: string) => process.stderr.write(s + '\n');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const REPS = Math.max(1, Number(process.env.BENCH_REPS ?? 5));

// --- building trees through the API ---------------------------------------------------------

class Builder {
  readonly sink;
  private readonly contents: { hash: Buffer; size: number }[] = [];
  private mtime = 1_700_000_000_000_000_000n;

  constructor(readonly repo: Repository) {
    this.sink = repoTreeSink(repo);
  }

  /** A real data blob; returns the content reference of a one-chunk file. */
  async content(text: string): Promise<{ hash: Buffer; size: number }> {
    const data = Buffer.from(text);
    const hash = hashBytes(data);
    await this.repo.putBlob(BLOB_DATA, hash, data);
    return { hash, size: data.length };
  }

  /** `n` shared contents; files reuse them, so the bench does not measure data writing. */
  async pool(n: number): Promise<void> {
    for (let i = 0; i < n; i++) this.contents.push(await this.content(`shared content ${i}\n`.repeat(1 + (i % 7))));
  }

  file(name: string, c: { hash: Buffer; size: number } | number): TreeEntry {
    const { hash, size } = typeof c === 'number' ? this.contents[c % this.contents.length]! : c;
    // distinct mtimes keep every directory distinct, so no subtree is shared by accident
    return { name: Buffer.from(name), kind: 'file', mode: 0o644, uid: 1000, gid: 1000, mtimeNs: this.mtime++, size, content: { hash, chunks: [hash] } };
  }

  async dir(name: string, entries: TreeEntry[]): Promise<TreeEntry> {
    entries.sort((a, b) => Buffer.compare(a.name, b.name));
    const { hash } = await this.sink.saveTree(entries);
    let files = 0;
    let dirs = 0;
    let size = 0;
    for (const e of entries) {
      size += e.size;
      if (e.kind === 'file') files++;
      if (e.kind === 'dir') {
        files += e.files!;
        dirs += e.dirs! + 1;
      }
    }
    return { name: Buffer.from(name), kind: 'dir', mode: 0o755, uid: 1000, gid: 1000, mtimeNs: 1_700_000_000_000_000_000n, size, subtree: hash, files, dirs };
  }
}

function manifest(root: TreeEntry, time: Date, source: string, parent: string | null): Manifest {
  return {
    version: 1,
    time: time.toISOString(),
    host: 'bench',
    source,
    root: root.subtree!.toString('hex'),
    rootMeta: { mode: 0o755, uid: 1000, gid: 1000, mtimeNs: '0' },
    parent,
    unchanged: false,
    stats: { files: root.files!, dirs: root.dirs!, bytes: root.size, bytesRead: 0, filesRead: 0, bytesAdded: 0, blobsAdded: 0, dirsScanned: 0, durationMs: 0 } as Manifest['stats'],
    skipped: [],
    skippedCount: 0,
    warnings: [],
    warningCount: 0,
  };
}

const pad = (i: number, w: number) => String(i).padStart(w, '0');

// --- diff: fan × fan × fan files, two snapshots differing in 10 files -----------------------------

export async function buildDiffRepo(repoDir: string, fan: number): Promise<{ a: Snapshot; b: Snapshot; entries: number; changed: string[] }> {
  const repo = await Repository.init(repoDir, { compressionLevel: 3 });
  const bld = new Builder(repo);
  await bld.pool(1000);
  const w = String(fan - 1).length;
  const leaf = (t: number, m: number, edits: Map<number, { hash: Buffer; size: number }>) =>
    Array.from({ length: fan }, (_, f) => bld.file(`file-${pad(f, w)}.txt`, edits.get(f) ?? t * fan * fan + m * fan + f));
  const tops: TreeEntry[] = [];
  for (let t = 0; t < fan; t++) {
    const mids: TreeEntry[] = [];
    for (let m = 0; m < fan; m++) {
      const entries = leaf(t, m, new Map());
      mids.push(await bld.dir(`mid-${pad(m, w)}`, entries));
    }
    tops.push(await bld.dir(`top-${pad(t, w)}`, mids));
    if (t % 10 === 9) log(`  diff tree: ${t + 1}/${fan} top-level directories`);
  }
  const rootA = await bld.dir('', [...tops]);
  // B: 10 files in 10 different directories get new contents
  const changed: string[] = [];
  const newTops = [...tops];
  for (let k = 0; k < 10; k++) {
    const t = (k * 7 + 3) % fan;
    const m = (k * 13 + 5) % fan;
    const f = (k * 31 + 11) % fan;
    const top = newTops[t]!;
    const mids = [...(await loadTree(repo, top.subtree!))];
    const entries = [...(await loadTree(repo, mids[m]!.subtree!))];
    entries[f] = bld.file(`file-${pad(f, w)}.txt`, await bld.content(`edited in B: ${k}\n`));
    mids[m] = await bld.dir(`mid-${pad(m, w)}`, entries);
    newTops[t] = await bld.dir(`top-${pad(t, w)}`, mids);
    changed.push(`top-${pad(t, w)}/mid-${pad(m, w)}/file-${pad(f, w)}.txt`);
  }
  const rootB = await bld.dir('', newTops);
  const t0 = Date.now() - 3_600_000;
  const a = await saveManifest(repo, manifest(rootA, new Date(t0), '/bench/diff', null));
  const b = await saveManifest(repo, manifest(rootB, new Date(t0 + 60_000), '/bench/diff', a.id));
  await repo.close();
  return { a, b, entries: rootA.files! + rootA.dirs!, changed: changed.sort() };
}

// --- log: snapshots of a 3-level tree, one random file edited per snapshot -----------------------

interface LogPlan {
  path: string;
  expectVersions: number;
}

export async function buildLogRepo(repoDir: string, snapshots: number): Promise<LogPlan & { files: number }> {
  const repo = await Repository.init(repoDir, { compressionLevel: 3 });
  const bld = new Builder(repo);
  await bld.pool(500);
  const T = 10;
  const M = 10;
  const F = 50;
  const names = { t: (i: number) => `t${pad(i, 2)}`, m: (i: number) => `m${pad(i, 2)}`, f: (i: number) => `f${pad(i, 2)}.txt` };
  // state: leaf entries per (t, m); mid and top entries rebuilt on change
  const leaf: TreeEntry[][][] = [];
  const mids: TreeEntry[][] = [];
  const tops: TreeEntry[] = [];
  for (let t = 0; t < T; t++) {
    leaf.push([]);
    mids.push([]);
    for (let m = 0; m < M; m++) {
      leaf[t]!.push(Array.from({ length: F }, (_, f) => bld.file(names.f(f), t * M * F + m * F + f)));
      mids[t]!.push(await bld.dir(names.m(m), [...leaf[t]![m]!]));
    }
    tops.push(await bld.dir(names.t(t), [...mids[t]!]));
  }
  const target = { t: 3, m: 7, f: 42 };
  const path = `${names.t(target.t)}/${names.m(target.m)}/${names.f(target.f)}`;
  let state = 'present';
  let versions = 1; // added in the first snapshot
  const t0 = Date.now() - snapshots * 60_000 - 3_600_000;
  const pending: Promise<Snapshot>[] = [];
  let parent: string | null = null;
  let x = 12345;
  const rand = (n: number) => {
    x = (x * 1103515245 + 12345) >>> 0;
    return (x >>> 8) % n;
  };
  for (let i = 0; i < snapshots; i++) {
    if (i > 0 && i % 10 !== 0) {
      // every 10th snapshot is unchanged; the others edit one file, every 100th the tracked one,
      // and now and then the tracked file is deleted and re-created
      let t = rand(T);
      let m = rand(M);
      let f = rand(F);
      if (i % 100 === 5) [t, m, f] = [target.t, target.m, target.f];
      const entries = leaf[t]![m]!;
      const isTarget = t === target.t && m === target.m && f === target.f;
      if (isTarget && i % 1000 === 505 && state === 'present') {
        leaf[t]![m] = entries.filter((e) => e.name.toString() !== names.f(f));
        state = 'removed';
        versions++;
      } else {
        const next = entries.filter((e) => e.name.toString() !== names.f(f));
        next.push(bld.file(names.f(f), await bld.content(`snapshot ${i} edits ${t}/${m}/${f}\n`)));
        if (isTarget) versions++; // modified or re-added
        if (isTarget) state = 'present';
        leaf[t]![m] = next;
      }
      mids[t]![m] = await bld.dir(names.m(m), [...leaf[t]![m]!]);
      tops[t] = await bld.dir(names.t(t), [...mids[t]!]);
    }
    const root = await bld.dir('', [...tops]);
    pending.push(saveManifest(repo, manifest(root, new Date(t0 + i * 60_000), '/bench/log', parent)));
    if (pending.length >= 200) parent = (await Promise.all(pending.splice(0))).at(-1)!.id;
    if ((i + 1) % 2000 === 0) log(`  log repo: ${i + 1}/${snapshots} snapshots`);
  }
  await Promise.all(pending);
  await repo.close();
  return { path, expectVersions: versions, files: T * M * F };
}

// --- timing -------------------------------------------------------------------------------------

interface Timed {
  median: number; // wall seconds
  cpu: number; // user + sys seconds (NaN without GNU time)
  runs: number[];
  last: Measured;
}

async function timeCli(args: string[], reps = REPS): Promise<Timed> {
  const runs: number[] = [];
  const cpus: number[] = [];
  let last: Measured | undefined;
  for (let i = 0; i < reps; i++) {
    last = await measure([process.execPath, CLI, ...args]);
    runs.push(last.wallS);
    cpus.push(last.cpuS ?? NaN);
  }
  return { median: median(runs), cpu: median(cpus), runs, last: last! };
}

async function fullWalk(repo: Repository, tree: Buffer): Promise<number> {
  let n = 0;
  for (const e of await loadTree(repo, tree)) {
    n++;
    if (e.kind === 'dir') n += await fullWalk(repo, e.subtree!);
  }
  return n;
}

async function main(): Promise<void> {
  const scale = benchScale();
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p .)`);
  const fan = scale === 'full' ? 100 : scale === 'small' ? 47 : 22; // fan^3 files: 1,000,000 / ~100k / ~10k
  const nSnaps = scale === 'full' ? 10_000 : scale === 'small' ? 2_000 : 300;
  const work = path.join(benchDir(), `history-${scale}`);
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });

  log(`building the diff repository: ${fan ** 3} files`);
  let t = performance.now();
  const diffRepo = path.join(work, 'diff-repo');
  const d = await buildDiffRepo(diffRepo, fan);
  const buildDiffS = (performance.now() - t) / 1000;
  log(`  built in ${buildDiffS.toFixed(1)} s: ${d.entries} entries`);

  log('timing strata diff');
  const diffArgs = ['--repo', diffRepo, 'diff', d.a.id.slice(0, 12), d.b.id.slice(0, 12), '--json', '--stats'];
  const diff = await timeCli(diffArgs);
  const changes = JSON.parse(diff.last.stdout) as { status: string; path: string }[];
  if (changes.length !== 10 || changes.some((c, i) => c.status !== 'modified' || c.path !== d.changed[i])) throw new Error(`unexpected diff: ${diff.last.stdout.slice(0, 500)}`);
  const diffTrees = Number(/compared ([\d,]+) tree/.exec(diff.last.stderr)?.[1]?.replace(/,/g, ''));
  log('timing a full walk of one snapshot through the CLI (strata find, no match)');
  const walk = await timeCli(['--repo', diffRepo, 'find', '--snapshot', d.a.id.slice(0, 12), 'no-such-name-anywhere'], Math.min(REPS, 3));
  const floor = await timeCli(['--repo', diffRepo, 'snapshots', '--json']);

  log('in-process: diffEntries vs walking both trees');
  const repo = await Repository.open(diffRepo);
  const root = (s: Snapshot): TreeEntry => ({ name: Buffer.alloc(0), kind: 'dir', mode: 0o755, uid: 0, gid: 0, mtimeNs: 0n, size: 0, subtree: Buffer.from(s.root, 'hex') });
  t = performance.now();
  const inproc = await diffEntries(repo, root(d.a), root(d.b));
  const inDiffMs = performance.now() - t;
  t = performance.now();
  const walked = (await fullWalk(repo, Buffer.from(d.a.root, 'hex'))) + (await fullWalk(repo, Buffer.from(d.b.root, 'hex')));
  const inWalkMs = performance.now() - t;
  await repo.close();

  log(`building the log repository: ${nSnaps} snapshots`);
  t = performance.now();
  const logRepo = path.join(work, 'log-repo');
  const plan = await buildLogRepo(logRepo, nSnaps);
  const buildLogS = (performance.now() - t) / 1000;
  log(`  built in ${buildLogS.toFixed(1)} s`);
  log('timing strata log');
  const lg = await timeCli(['--repo', logRepo, 'log', plan.path, '--json', '--stats']);
  const versions = JSON.parse(lg.last.stdout) as unknown[];
  if (versions.length !== plan.expectVersions) throw new Error(`log found ${versions.length} versions, expected ${plan.expectVersions}`);
  const logTrees = Number(/looked at ([\d,]+) tree/.exec(lg.last.stderr)?.[1]?.replace(/,/g, ''));
  const lgDir = await timeCli(['--repo', logRepo, 'log', 't03', '--json', '--stats']);
  const logDirTrees = Number(/looked at ([\d,]+) tree/.exec(lgDir.last.stderr)?.[1]?.replace(/,/g, ''));
  const lgFloor = await timeCli(['--repo', logRepo, 'snapshots', '--json']);

  const result = {
    bench: 'diff-log',
    scale,
    time: new Date().toISOString(),
    machine: machineInfo(),
    command: `${scale === 'full' ? '' : `BENCH_SCALE=${scale} `}node --import=tsx bench/diff-log.ts`,
    diff: {
      entries: d.entries,
      changedFiles: 10,
      buildS: buildDiffS,
      cliDiffS: diff.median,
      cliDiffCpuS: diff.cpu,
      cliDiffRuns: diff.runs,
      treesCompared: diffTrees,
      cliFullWalkS: walk.median,
      cliFullWalkCpuS: walk.cpu,
      cliFloorS: floor.median,
      cliFloorCpuS: floor.cpu,
      inProcessDiffMs: inDiffMs,
      inProcessDiffTrees: inproc.treesLoaded,
      inProcessWalkBothMs: inWalkMs,
      inProcessWalkEntries: walked,
    },
    log: {
      snapshots: nSnaps,
      files: plan.files,
      path: plan.path,
      versions: versions.length,
      buildS: buildLogS,
      cliLogS: lg.median,
      cliLogCpuS: lg.cpu,
      cliLogRuns: lg.runs,
      treesLookedAt: logTrees,
      cliLogDirS: lgDir.median,
      cliLogDirCpuS: lgDir.cpu,
      logDirTrees,
      cliSnapshotsS: lgFloor.median,
      cliSnapshotsCpuS: lgFloor.cpu,
      loadAverage: os.loadavg(),
    },
  };
  const file = writeResult(`diff-log-${scale}`, result);
  const md = renderMarkdown(result);
  process.stdout.write(md + '\n');
  log(`results: ${file}`);
  if (shouldUpdateDocs(scale)) {
    updateDocSection('history', md);
    log('docs/bench.md updated (History section)');
  }
  if (process.env.BENCH_KEEP) log(`kept the repositories in ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
}

function renderMarkdown(r: any): string {
  const m = r.machine;
  const dd = r.diff;
  const l = r.log;
  const s = (x: number) => fmt(x, 3);
  return [
    '## History (diff, log)',
    '',
    `\`strata diff\` of two snapshots of a ${dd.entries.toLocaleString('en-US')}-entry tree that differ in ${dd.changedFiles} files, and \`strata log PATH\` over ${l.snapshots.toLocaleString('en-US')} snapshots. ` +
      `Command: \`${r.command}\` (source: \`bench/diff-log.ts\`). The repositories are built through the API (tree codec, \`putBlob\`, \`saveManifest\`; real trees and data blobs), then the CLI commands are timed as child processes, median of ${r.diff.cliDiffRuns.length} runs, warm cache.`,
    '',
    `Machine: ${m.nproc} vCPU ${m.cpu}, Node ${m.node}. Run ${r.time.slice(0, 16)}Z, scale ${r.scale}; load average during the log runs ${r.log.loadAverage.map((x: number) => x.toFixed(1)).join(' / ')} (wall times stretch when the machine is shared; CPU s = user + sys).`,
    '',
    mdTable(
      ['command', 'wall s', 'CPU s', 'tree objects read', 'notes'],
      [
        [`\`strata diff A B\` (${dd.entries.toLocaleString('en-US')} entries, ${dd.changedFiles} files changed)`, s(dd.cliDiffS), s(dd.cliDiffCpuS), dd.treesCompared, 'opens only directories on changed paths'],
        ['full walk of one snapshot (`strata find -s A NOMATCH`)', s(dd.cliFullWalkS), s(dd.cliFullWalkCpuS), `all (${(dd.inProcessWalkEntries / 2).toLocaleString('en-US')} entries)`, 'what a full-tree diff pays at least, twice'],
        ['`strata snapshots` on the diff repository', s(dd.cliFloorS), s(dd.cliFloorCpuS), 0, 'process start + repository open: the floor'],
        [`\`strata log ${l.path}\` (${l.snapshots.toLocaleString('en-US')} snapshots, ${l.versions} versions)`, s(l.cliLogS), s(l.cliLogCpuS), l.treesLookedAt, 'target: < 2 s'],
        ['`strata log t03` (a directory, same snapshots)', s(l.cliLogDirS), s(l.cliLogDirCpuS), l.logDirTrees, 'a version whenever anything below changes'],
        ['`strata snapshots` on the log repository', s(l.cliSnapshotsS), s(l.cliSnapshotsCpuS), 0, 'listing the manifests alone'],
      ],
    ),
    '',
    `In-process (no process start): diffing the two roots took ${fmt(dd.inProcessDiffMs, 1)} ms over ${dd.inProcessDiffTrees} tree objects; ` +
      `walking both trees completely took ${fmt(dd.inProcessWalkBothMs, 0)} ms over ${dd.inProcessWalkEntries.toLocaleString('en-US')} entries ` +
      `(${fmt(dd.inProcessWalkBothMs / dd.inProcessDiffMs, 0)}× slower). Building the repositories took ${fmt(dd.buildS, 1)} s (diff) and ${fmt(l.buildS, 1)} s (log).`,
    '',
    `The log repository: a ${l.files.toLocaleString('en-US')}-file tree three levels deep; each snapshot edits one random file, every 10th is unchanged, every 100th edits the tracked file, and the tracked file is deleted and re-created now and then. ` +
      '`log` stops descending at the first ancestor tree whose hash equals the previous snapshot\'s, so an unchanged snapshot costs nothing and one changed elsewhere costs one name lookup in its root tree (scanned in its encoded form, not decoded). ' +
      'The difference between the `log` and `strata snapshots` rows is that tree work; the rest is process start and reading the manifests of all snapshots. ' +
      `The diff reads ${dd.treesCompared} tree objects: the two roots, then a pair per directory level on the path of each changed file; the full walk reads every tree of one snapshot.`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
