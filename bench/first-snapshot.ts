// Core-engine benchmark (`make bench`): a first `strata snapshot` and a full
// `strata restore` of a generated ~1 GiB tree through the built CLI, and each
// pipeline stage timed in-process on the same files. BENCH_SCALE=small|tiny.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchDir, benchScale, coreCorpus, ensureTree, listFiles, warmCache } from './lib/corpus.js';
import { cpuPressure, duBytes, machineInfo, measure, sh, type Measured } from './lib/proc.js';
import { ROOT, fmt, mbps, mdTable, shouldUpdateDocs, updateDocSection, writeResult } from './lib/report.js';
import { timeStages } from './lib/stages.js';

// STRATA_CLI: another build to measure (e.g. a baseline checkout's dist/cli/main.js)
const CLI = process.env.STRATA_CLI ?? path.join(ROOT, 'dist/cli/main.js');
const log = (s: string) => process.stderr.write(s + '\n');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

async function main(): Promise<void> {
  const scale = benchScale();
  const reps = Math.max(1, Number(process.env.BENCH_REPS ?? 2));
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p .)`);
  const base = benchDir();
  const corpus = ensureTree(path.join(base, `core-${scale}`), coreCorpus(scale), `core-${scale}`, log);
  const files = listFiles(corpus.dir);
  log(`corpus ${corpus.dir}: ${files.length} files, ${(corpus.bytes / 2 ** 20).toFixed(0)} MiB; warming the page cache`);
  warmCache(corpus.dir);

  const pressure: (number | null)[] = [cpuPressure()];
  log('timing stages in-process');
  const stages = timeStages(files);

  const work = path.join(base, 'work-core');
  const strata = (args: string[]) => measure([process.execPath, CLI, ...args]);
  const runs: { snapshot: Measured; restore: Measured; repoBytes: number; bytesAdded: number }[] = [];
  for (let i = 0; i < reps; i++) {
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(work, { recursive: true });
    const repo = path.join(work, 'repo');
    sh([process.execPath, CLI, 'init', '--repo', repo]);
    log(`rep ${i + 1}/${reps}: strata snapshot`);
    const snapshot = await strata(['snapshot', corpus.dir, '--repo', repo, '--json', '--quiet']);
    const snap = JSON.parse(snapshot.stdout) as { bytes: number; bytesAdded: number; files: number };
    if (snap.bytes !== corpus.bytes || snap.files !== files.length) throw new Error(`snapshot saw ${snap.files} files / ${snap.bytes} bytes, expected ${files.length} / ${corpus.bytes}`);
    const repoBytes = duBytes(repo);
    log(`rep ${i + 1}/${reps}: strata restore`);
    const target = path.join(work, 'restore');
    const restore = await strata(['restore', 'latest', '--target', target, '--repo', repo, '--json', '--quiet']);
    const diff = sh(['diff', '-rq', corpus.dir, target], { allowFail: true });
    if (diff.trim()) throw new Error(`restored tree differs from the corpus:\n${diff.slice(0, 2000)}`);
    runs.push({ snapshot, restore, repoBytes, bytesAdded: snap.bytesAdded });
  }
  fs.rmSync(work, { recursive: true, force: true });
  pressure.push(cpuPressure());

  const pick = (f: (r: (typeof runs)[0]) => number) => median(runs.map(f));
  const summary = {
    snapshotS: pick((r) => r.snapshot.wallS),
    snapshotMBps: mbps(corpus.bytes, pick((r) => r.snapshot.wallS)),
    snapshotCpuS: pick((r) => r.snapshot.cpuS ?? NaN),
    snapshotRssMiB: pick((r) => r.snapshot.maxRssMiB ?? NaN),
    restoreS: pick((r) => r.restore.wallS),
    restoreMBps: mbps(corpus.bytes, pick((r) => r.restore.wallS)),
    restoreCpuS: pick((r) => r.restore.cpuS ?? NaN),
    restoreRssMiB: pick((r) => r.restore.maxRssMiB ?? NaN),
    repoBytes: pick((r) => r.repoBytes),
  };
  const machine = machineInfo();
  const command = `${scale === 'full' ? '' : `BENCH_SCALE=${scale} `}make bench`;
  const result = {
    bench: 'first-snapshot',
    scale,
    time: new Date().toISOString(),
    machine,
    command,
    cache: 'warm (corpus read once before timing)',
    cpuPressureAvg60: pressure,
    corpus: { dir: corpus.dir, files: files.length, bytes: corpus.bytes },
    summary,
    stages,
    runs: runs.map((r) => ({ ...r, snapshot: { ...r.snapshot, stdout: undefined }, restore: { ...r.restore, stdout: undefined } })),
  };
  const file = writeResult(`first-snapshot-${scale}`, result);
  const md = renderMarkdown(result);
  process.stdout.write(md + '\n');
  log(`results: ${file}`);
  if (shouldUpdateDocs(scale)) {
    updateDocSection('core-engine', md);
    log('docs/bench.md: Core engine section updated');
  }
}

function renderMarkdown(r: {
  machine: ReturnType<typeof machineInfo>;
  command: string;
  corpus: { files: number; bytes: number };
  summary: Record<string, number>;
  stages: ReturnType<typeof timeStages>;
  time: string;
  scale: string;
  cpuPressureAvg60: (number | null)[];
}): string {
  const s = r.summary;
  const m = r.machine;
  return [
    '## Core engine',
    '',
    `First snapshot and full restore of a generated tree through the CLI, and each pipeline stage timed in-process on the same files (one core). ` +
      `Command: \`${r.command}\` (source: \`bench/first-snapshot.ts\`). Warm page cache; repository and corpus on the same disk.`,
    '',
    `Machine: ${m.nproc} vCPU ${m.cpu}, ${m.memGiB} GiB RAM, ${m.os}, Node ${m.node}. Run ${r.time.slice(0, 16)}Z, scale ${r.scale}: ` +
      `${r.corpus.files.toLocaleString('en-US')} files, ${(r.corpus.bytes / 2 ** 20).toFixed(0)} MiB (small text-like files, MB-size semi-compressible and random files, three large files). ` +
      `CPU pressure from other processes (PSI some, avg60) at start / end: ${r.cpuPressureAvg60.map((p) => (p === null ? 'n/a' : `${p.toFixed(0)}%`)).join(' / ')} (the machine is shared: compare runs only at similar pressure).`,
    '',
    mdTable(
      ['end to end', 'wall s', 'MB/s', 'CPU s', 'peak RSS MiB'],
      [
        ['`strata snapshot` (first)', fmt(s.snapshotS), fmt(s.snapshotMBps, 0), fmt(s.snapshotCpuS, 1), fmt(s.snapshotRssMiB, 0)],
        ['`strata restore` (everything)', fmt(s.restoreS), fmt(s.restoreMBps, 0), fmt(s.restoreCpuS, 1), fmt(s.restoreRssMiB, 0)],
      ],
    ),
    '',
    `Repository size after the first snapshot: ${(s.repoBytes! / 2 ** 20).toFixed(0)} MiB (${fmt(s.repoBytes! / r.corpus.bytes, 3)} of the input).`,
    '',
    mdTable(
      ['stage (one core)', 'MB/s', 'output ratio'],
      r.stages.map((x) => [x.stage, fmt(x.mbps, 0), x.ratio !== undefined ? fmt(x.ratio, 3) : '']),
    ),
  ].join('\n');
}

main().catch((e) => {
  process.stderr.write(`first-snapshot: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
