// `make bench-peers`: strata side by side with restic, borg and rsync on a
// corpus of real system files, every scenario for every tool in one run;
// writes bench/results/peers-*.json and prints the markdown tables.
// Settings (environment): see docs/bench.md, "Side by side".
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchDir, benchScale, type Scale } from '../lib/corpus.js';
import { cpuPressure, haveGnuTime, machineInfo, sh } from '../lib/proc.js';
import { ROOT, shouldUpdateDocs, updateDocSection, writeResult } from '../lib/report.js';
import { ensurePeerCorpus, revertAll } from './corpus.js';
import { runPeers, type Rec } from './scenarios.js';
import { Results, mainTable, scaleTable, watchTable } from './table.js';
import { checkTargets, targetsTable } from './targets.js';
import { TOOL_NAMES, strataCommands, toolAvailable, toolVersion, type ToolName } from './tools.js';
import { ensureScaleTree } from './scale-tree.js';
import { runScale, runWatchScenarios } from './watch-scenarios.js';

const log = (s: string) => process.stderr.write(s + '\n');

function scaleFilesFor(scale: Scale): number[] {
  const env = process.env.BENCH_SCALE_FILES;
  if (env !== undefined) return env.split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
  return scale === 'full' ? [10_000, 100_000, 1_000_000] : scale === 'small' ? [10_000, 100_000] : [500];
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const scale = benchScale();
  const reps = Math.max(1, Number(process.env.BENCH_REPS ?? 2));
  const skipMissing = process.argv.includes('--skip-missing') || process.env.BENCH_SKIP_MISSING === '1';
  const wanted = (process.env.BENCH_TOOLS ?? TOOL_NAMES.join(',')).split(',').map((s) => s.trim()) as ToolName[];
  for (const t of wanted) if (!TOOL_NAMES.includes(t)) throw new Error(`unknown tool ${t} in BENCH_TOOLS`);
  const tools: ToolName[] = [];
  const skipped: ToolName[] = [];
  for (const t of wanted) {
    if (toolAvailable(t)) tools.push(t);
    else if (skipMissing) skipped.push(t);
    else throw new Error(`${t} is not installed (bench/peers/run.sh installs it; --skip-missing leaves it out)`);
  }
  if (skipped.length) log(`skipping tools that are not installed: ${skipped.join(', ')}`);
  const commands = tools.includes('strata') ? strataCommands() : new Set<string>();
  const hasWatch = commands.has('watch') && process.env.BENCH_WATCH !== '0';
  // 1 ms (the least `strata watch --quiet-ms` accepts; it refuses 0): the daemon snapshots as soon as a
  // batch arrives; watchman already coalesces a burst (its 20 ms settle)
  const quietMs = Math.max(1, Number(process.env.BENCH_WATCH_QUIET_MS ?? 1));
  const scaleFiles = tools.includes('strata') ? scaleFilesFor(scale) : [];
  const versions = Object.fromEntries(tools.map((t) => [t, toolVersion(t)]));
  const build = strataBuild();
  log(`tools: ${Object.values(versions).join('; ')}`);
  log(`strata commands: ${[...commands].join(', ')}; watch ${hasWatch ? 'yes' : 'not built'}, diff ${commands.has('diff') ? 'yes' : 'not built'}`);

  const base = benchDir();
  const corpus = ensurePeerCorpus(base, scale, log);
  if (process.argv.includes('--prepare-only')) {
    // build the corpus and the scale trees now, measure later
    for (const n of scaleFiles) ensureScaleTree(base, n, log);
    return;
  }
  const workDir = path.join(base, `peers-${scale}`, 'work');
  fs.rmSync(workDir, { recursive: true, force: true });
  const recs: Rec[] = [];
  const pressure: (number | null)[] = [cpuPressure()];
  const pressureTimer = setInterval(() => pressure.push(cpuPressure()), 60_000).unref();
  const interrupted = () => {
    revertAll(corpus);
    process.exit(130);
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  try {
    await runPeers({ corpus, tools, reps, workDir, strataCommands: commands, log }, recs);
    if (tools.includes('strata')) {
      const wcfg = { corpus, reps, workDir, benchBase: base, hasWatch, quietMs, scaleFiles, log };
      await runWatchScenarios(wcfg, recs);
      await runScale(wcfg, recs);
    }
  } finally {
    clearInterval(pressureTimer);
    revertAll(corpus);
    fs.rmSync(workDir, { recursive: true, force: true });
  }

  const r = new Results(recs);
  const targets = tools.includes('strata') && tools.includes('restic') ? checkTargets(r, scaleFiles) : [];
  const machine = machineInfo();
  const command = `${scale === 'full' ? '' : `BENCH_SCALE=${scale} `}make bench-peers`;
  const md = render({ scale, reps, machine, versions, build, corpus, r, tools, targets, scaleFiles, quietMs, command, pressure, minutes: (Date.now() - t0) / 60000 });
  const result = {
    bench: 'peers',
    scale,
    time: new Date().toISOString(),
    command,
    machine,
    cache: 'warm: the corpus is read once before each first snapshot; `sync` before every timed step',
    gnuTime: haveGnuTime,
    cpuPressureAvg60: pressure,
    reps,
    tools: versions,
    strataBuild: build,
    skippedTools: skipped,
    strataCommands: [...commands],
    watch: { built: hasWatch, quietMs },
    corpus,
    scaleFiles,
    records: recs,
    targets,
    markdown: md,
  };
  const file = process.env.BENCH_OUT ?? writeResult(`peers-${scale}`, result);
  if (process.env.BENCH_OUT) fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(md + '\n');
  log(`results: ${file}`);
  if (shouldUpdateDocs(scale)) {
    updateDocSection('peers', md);
    log('docs/bench.md: side-by-side section updated');
  }
}

function pressureSummary(ps: (number | null)[]): string {
  const xs = ps.filter((p): p is number => p !== null).sort((x, y) => x - y);
  if (xs.length === 0) return 'n/a';
  return `${xs[xs.length >> 1]!.toFixed(0)}% (range ${xs[0]!.toFixed(0)}-${xs.at(-1)!.toFixed(0)}%)`;
}

/** Which strata was measured: the commit of the checkout, and whether its tree had local changes. */
function strataBuild(): string {
  const git = (args: string[]) => sh(['git', '-C', ROOT, ...args], { allowFail: true }).trim();
  const commit = git(['rev-parse', '--short', 'HEAD']) || 'unknown';
  const dirty = git(['status', '--porcelain', '--untracked-files=no', '--', 'src']) !== '';
  return `${commit}${dirty ? ' + uncommitted changes' : ''}${process.env.STRATA_CLI ? ` (${process.env.STRATA_CLI})` : ''}`;
}

function render(a: {
  scale: Scale;
  reps: number;
  machine: ReturnType<typeof machineInfo>;
  versions: Record<string, string>;
  build: string;
  corpus: ReturnType<typeof ensurePeerCorpus>;
  r: Results;
  tools: ToolName[];
  targets: ReturnType<typeof checkTargets>;
  scaleFiles: number[];
  quietMs: number;
  command: string;
  pressure: (number | null)[];
  minutes: number;
}): string {
  const m = a.machine;
  const c = a.corpus;
  const out = [
    '## Side by side: restic, borg, rsync',
    '',
    `Command: \`${a.command}\` (\`bench/peers/run.sh\` → \`bench/peers/main.ts\`); ${a.reps} repetitions, tools alternating (order rotated each repetition), medians shown; ` +
      `warm page cache (corpus read before each first snapshot, \`sync\` before every timed step); the whole run took ${a.minutes.toFixed(0)} min. ` +
      `CPU pressure from other processes (PSI some, avg60, sampled each minute): median ${pressureSummary(a.pressure)}.`,
    '',
    `Machine: ${m.nproc} vCPU ${m.cpu}, ${m.memGiB} GiB RAM, ${m.os}, kernel ${m.kernel}. Tools: ${Object.values(a.versions).join('; ')}; strata build ${a.build}. ` +
      `Each tool in its normal mode: restic (repository v2, default compression auto), borg \`init -e none\` (default lz4), rsync \`-a --delete\` as a mirror, strata (zstd 3).`,
    '',
    `Corpus (scale ${a.scale}): ${c.sources.length ? `copies of ${c.sources.join(', ')}` : 'a generated stand-in tree'} plus three ${(c.bigFileBytes / 2 ** 20).toFixed(0)} MiB semi-compressible files: ` +
      `${c.entries.toLocaleString('en-US')} entries, ${c.files.toLocaleString('en-US')} files, ${(c.bytes / 2 ** 30).toFixed(2)} GiB; \`quarter/\` holds ${c.quarterEntries.toLocaleString('en-US')} entries ` +
      `(${((100 * c.quarterEntries) / c.entries).toFixed(0)}%). Change 3 appends a line to \`${c.appendFile}\`; 4 rewrites 1 MiB in the middle of \`${c.rewriteFile}\`; 5 renames \`quarter/\`. ` +
      `Repository bytes by \`du -sb\` (strata's includes its LMDB index; restic's and borg's caches live outside). Ratio strata/peer: below 1 means strata used less time, memory or bytes; for MB/s above 1 means strata is faster.`,
    '',
    mainTable(a.r, a.tools, c.bytes),
  ];
  if (a.tools.includes('strata')) {
    out.push('', `### Under \`strata watch\` (scenario 8; debounce \`--quiet-ms ${a.quietMs}\`, included in the latency)`, '', watchTable(a.r));
    if (a.scaleFiles.length) out.push('', '### Snapshot cost at scale (generated deep/wide trees, 100 files per directory)', '', scaleTable(a.r, a.scaleFiles));
  }
  if (a.targets.length) out.push('', '### Targets', '', targetsTable(a.targets));
  return out.join('\n');
}

main().catch((e) => {
  process.stderr.write(`bench-peers: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
