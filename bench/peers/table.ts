// Turns the raw measurements into medians per (tool, step, metric), the
// markdown tables (each figure and the ratio strata/peer) and the list of the
// issue's targets with met / missed.
import { mdTable } from '../lib/report.js';
import type { Rec } from './scenarios.js';
import type { ToolName } from './tools.js';

type Metric = 'wallS' | 'cpuS' | 'rssMiB' | 'repoBytes' | 'growthBytes' | 'bytesRead' | 'value';

export function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1]! + s[m]!) / 2;
}

export class Results {
  constructor(readonly recs: readonly Rec[]) {}

  get(tool: ToolName, step: string, metric: Metric): number | undefined {
    const xs = this.recs.filter((r) => r.tool === tool && r.step === step && !r.error && typeof r[metric] === 'number').map((r) => r[metric] as number);
    return median(xs);
  }

  /** Why there is no figure: a note (n/a ...) or the error. */
  why(tool: ToolName, step: string): string | undefined {
    const rs = this.recs.filter((r) => r.tool === tool && r.step === step);
    if (rs.length === 0) return undefined;
    return rs.find((r) => r.note?.startsWith('n/a'))?.note ?? (rs.every((r) => r.error) ? `error: ${rs[0]!.error!.slice(0, 80)}` : undefined);
  }
}

interface Row {
  step: string;
  label: string;
  metric: Metric | 'mbps';
  unit: string;
  scale?: number;
}

const MB = 1e6;
const MiB = 2 ** 20;
const ROWS: Row[] = [
  { step: 's1', label: '1. first snapshot', metric: 'wallS', unit: 'wall s' },
  { step: 's1', label: '', metric: 'mbps', unit: 'MB/s' },
  { step: 's1', label: '', metric: 'cpuS', unit: 'CPU s' },
  { step: 's1', label: '', metric: 'rssMiB', unit: 'peak RSS MiB' },
  { step: 's1', label: '', metric: 'repoBytes', unit: 'repository MiB', scale: MiB },
  { step: 's2', label: '2. nothing changed', metric: 'wallS', unit: 'wall s' },
  { step: 's2', label: '', metric: 'cpuS', unit: 'CPU s' },
  { step: 's2', label: '', metric: 'rssMiB', unit: 'peak RSS MiB' },
  { step: 's3', label: '3. one small file appended', metric: 'wallS', unit: 'wall s' },
  { step: 's3', label: '', metric: 'rssMiB', unit: 'peak RSS MiB' },
  { step: 's3', label: '', metric: 'growthBytes', unit: 'growth KiB', scale: 1024 },
  { step: 's4', label: '4. 1 MiB rewritten mid-file', metric: 'wallS', unit: 'wall s' },
  { step: 's4', label: '', metric: 'rssMiB', unit: 'peak RSS MiB' },
  { step: 's4', label: '', metric: 'growthBytes', unit: 'growth KiB', scale: 1024 },
  { step: 's5', label: '5. dir of ~25% entries renamed', metric: 'wallS', unit: 'wall s' },
  { step: 's5', label: '', metric: 'rssMiB', unit: 'peak RSS MiB' },
  { step: 's5', label: '', metric: 'growthBytes', unit: 'growth KiB', scale: 1024 },
  { step: 'd3', label: '6. diff around 3', metric: 'wallS', unit: 'wall s' },
  { step: 'd5', label: '6. diff around 5', metric: 'wallS', unit: 'wall s' },
  { step: 'r1', label: '7. restore one file', metric: 'wallS', unit: 'wall s' },
  { step: 'r1', label: '', metric: 'rssMiB', unit: 'peak RSS MiB' },
  { step: 'ra', label: '7. restore everything', metric: 'wallS', unit: 'wall s' },
  { step: 'ra', label: '', metric: 'mbps', unit: 'MB/s' },
  { step: 'ra', label: '', metric: 'rssMiB', unit: 'peak RSS MiB' },
];

function value(r: Results, tool: ToolName, row: Row, corpusBytes: number): number | undefined {
  if (row.metric === 'mbps') {
    const w = r.get(tool, row.step, 'wallS');
    return w ? corpusBytes / MB / w : undefined;
  }
  const v = r.get(tool, row.step, row.metric);
  return v === undefined ? undefined : v / (row.scale ?? 1);
}

const cell = (x: number | undefined, why?: string) => (x === undefined ? (why ?? 'n/a') : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? '' : `${(a / b).toFixed(a / b >= 10 ? 1 : 2)}×`);

export function mainTable(r: Results, tools: ToolName[], corpusBytes: number): string {
  const peers = tools.filter((t) => t !== 'strata');
  const head = ['scenario', 'metric', ...tools, ...peers.map((p) => `strata/${p}`)];
  const rows = ROWS.map((row) => {
    const v = new Map(tools.map((t) => [t, value(r, t, row, corpusBytes)]));
    return [
      row.label,
      row.unit,
      ...tools.map((t) => cell(v.get(t), r.why(t, row.step))),
      ...peers.map((p) => (tools.includes('strata') ? ratio(v.get('strata'), v.get(p)) : '')),
    ];
  });
  return mdTable(head, rows);
}

export function watchTable(r: Results): string {
  const rows = (['2', '3', '4', '5'] as const).map((n) => {
    const w = r.get('strata', `w${n}`, 'wallS');
    const restic = r.get('restic', `s${n}`, 'wallS');
    const one = r.get('strata', `s${n}`, 'wallS');
    const label = { '2': '2. nothing changed', '3': '3. small file appended', '4': '4. 1 MiB rewritten', '5': '5. 25% dir renamed' }[n];
    return [
      label,
      cell(w, r.why('strata', `w${n}`)),
      cell(r.get('strata', `w${n}`, 'bytesRead')),
      cell(restic),
      w === undefined || restic === undefined ? '' : w === 0 ? '∞ (no work)' : `${(restic / w).toFixed(1)}×`,
      cell(one),
      ratio(one, restic),
    ];
  });
  return mdTable(['change', 'strata watch: change → committed snapshot, s', 'content bytes read', 'restic incremental, s', 'restic / watch', 'strata one-shot, s', 'one-shot / restic'], rows);
}

export function scaleTable(r: Results, sizes: number[]): string {
  const rows = sizes.map((n) => {
    const k = (s: string) => `scale${n}:${s}`;
    return [
      n.toLocaleString('en-US'),
      cell(r.get('strata', k('first'), 'wallS')),
      cell(r.get('strata', k('nochange'), 'wallS')),
      cell(r.get('strata', k('nochange'), 'rssMiB')),
      cell(r.get('strata', k('ready'), 'wallS'), r.why('strata', k('watch'))),
      cell(r.get('strata', k('watch'), 'wallS'), r.why('strata', k('watch'))),
      cell(r.get('strata', k('daemon'), 'rssMiB'), r.why('strata', k('watch'))),
    ];
  });
  return mdTable(['files', 'first snapshot s', 'unchanged snapshot s (one-shot)', 'its peak RSS MiB', 'watch ready s', 'one append → committed s', 'daemon peak RSS MiB'], rows);
}

/** One phase of the 10M-file step (bench/peers/scale-10m.ts): its figures, or why it has none. */
export type Phase = Record<string, unknown> & { error?: string; phaseS?: number; load?: number[] };

export interface TenMRun {
  bench: string;
  time: string;
  command: string;
  machine: { nproc: number; cpu: string; memGiB: number; node: string; kernel: string; os: string };
  strataBuild: string;
  files: number;
  reps: number;
  quietMs: number;
  base: string;
  loadStart: number[];
  loadEnd?: number[];
  minutes?: number;
  markdown?: string;
  trees: Record<string, { files: number; dirs: number; phases: Record<string, Phase>; notes: string[] }>;
  build: Record<string, { seconds: number; dir: string; dirs: number; reused: boolean }>;
  notes: string[];
}

const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : Array.isArray(x) ? median(x.filter((v) => Number.isFinite(v))) : undefined);

/** The markdown section `scale-10m` of docs/bench.md: figures at 10k and at N files side by side, phase times, goals met/MISSED. */
export function tenMReport(run: TenMRun): string {
  const N = run.files;
  const small = run.trees['10000'];
  const big = run.trees[String(N)];
  const fmtN = (n: number) => n.toLocaleString('en-US');
  const get = (t: typeof big, ph: string, k: string, scale = 1): number | undefined => {
    const v = num(t?.phases[ph]?.[k]);
    return v === undefined ? undefined : v / scale;
  };
  const why = (t: typeof big, ph: string) => {
    const p = t?.phases[ph];
    return p === undefined ? 'not run' : p.error ? (p.error.startsWith('not run') ? 'not run (deadline)' : 'failed (below)') : undefined;
  };
  const perFile = (t: typeof big, ph: string, k = 'cacheBytes') => {
    const b = get(t, ph, k);
    return b === undefined || !t ? undefined : b / t.files;
  };
  type R = [string, string, (t: typeof big) => number | undefined, string];
  const rows: R[] = [
    ['first snapshot', 'wall s', (t) => get(t, 'first', 'wallS'), 'first'],
    ['', 'CPU s', (t) => get(t, 'first', 'cpuS'), 'first'],
    ['', 'peak RSS MiB (GNU time)', (t) => get(t, 'first', 'rssMiB'), 'first'],
    ['', 'repository MiB (du)', (t) => get(t, 'first', 'repoBytes', MiB), 'first'],
    ['', 'cache MiB (du of STRATA_CACHE_DIR)', (t) => get(t, 'first', 'cacheBytes', MiB), 'first'],
    ['', 'cache bytes per file (apparent, du -sb)', (t) => perFile(t, 'first'), 'first'],
    ['', 'cache bytes per file (allocated, du -B1)', (t) => perFile(t, 'first', 'cacheDiskBytes'), 'first'],
    ['daemon start-up (catch-up scan)', 'spawn → ready s (protected: watcher or polling)', (t) => get(t, 'daemon-start', 'readyS'), 'daemon-start'],
    ['', 'spawn → watcher live s (events trusted; changes timed from here)', (t) => get(t, 'daemon-start', 'liveS'), 'daemon-start'],
    ['', 'RssAnon MiB at ready', (t) => get(t, 'daemon-start', 'anonMiB'), 'daemon-start'],
    ['', 'RssFile MiB at ready', (t) => get(t, 'daemon-start', 'fileMiB'), 'daemon-start'],
    ['', 'peak RssAnon MiB during start-up', (t) => get(t, 'daemon-start', 'peakAnonMiB'), 'daemon-start'],
    ['', 'watchman server RSS MiB (all its watches)', (t) => get(t, 'daemon-start', 'watchmanRssMiB'), 'daemon-start'],
    ['one append → committed snapshot', `s (median of ${run.reps})`, (t) => get(t, 'append', 'latencyS'), 'append'],
    ['1,000-file dir renamed → committed', `s (median of ${2 * run.reps})`, (t) => get(t, 'rename', 'latencyS'), 'rename'],
    ['daemon after the changes', 'RssAnon MiB', (t) => num(t?.phases.daemonEnd?.anonMiB), 'daemonEnd'],
    ['', 'RssFile MiB', (t) => num(t?.phases.daemonEnd?.fileMiB), 'daemonEnd'],
    ['', 'peak RssAnon MiB (sampled every 0.5 s, whole life)', (t) => num(t?.phases.daemonEnd?.peakAnonMiB), 'daemonEnd'],
    ['one-shot snapshot, nothing changed', 'wall s', (t) => get(t, 'nochange', 'wallS'), 'nochange'],
    ['', 'CPU s', (t) => get(t, 'nochange', 'cpuS'), 'nochange'],
    ['', 'peak RSS MiB (GNU time)', (t) => get(t, 'nochange', 'rssMiB'), 'nochange'],
    ['', 'content bytes read', (t) => get(t, 'nochange', 'bytesRead'), 'nochange'],
    ['', 'cache bytes per file after it', (t) => perFile(t, 'nochange'), 'nochange'],
  ];
  const table = mdTable(
    ['step', 'metric', '10,000 files', `${fmtN(N)} files`, `${fmtN(N)} / 10,000`],
    rows.map(([step, metric, f, ph]) => {
      const a = f(small);
      const b = f(big);
      return [step, metric, cell(a, why(small, ph)), cell(b, why(big, ph)), ratio(b, a)];
    }),
  );
  const phaseNames: [string, string][] = [['first', 'first snapshot'], ['daemon-start', 'daemon start-up'], ['append', 'appends'], ['rename', 'renames'], ['nochange', 'no-change snapshot']];
  const phaseRows = phaseNames.map(([k, label]) => {
    const p = big?.phases[k];
    return [label, cell(num(small?.phases[k]?.phaseS)), p?.phaseS !== undefined && !p.error?.startsWith('not run') ? cell(p.phaseS) : (why(big, k) ?? 'n/a'), p?.load ? p.load.join(' ') : ''];
  });
  const built = run.build[String(N)];
  const gen = (b: TenMRun['build'][string] | undefined) => (b === undefined ? 'n/a' : b.reused ? 'reused (built by an earlier run)' : cell(b.seconds));
  phaseRows.unshift([`tree generation`, gen(run.build['10000']), gen(built), '']);

  const goals: string[][] = [];
  const lat = (ph: string, label: string) => {
    const a = get(small, ph, 'latencyS');
    const b = get(big, ph, 'latencyS');
    const ok = a !== undefined && b !== undefined ? b <= 2 * a : undefined;
    goals.push([`${label} under watch within 2× of 10k files`, a !== undefined && b !== undefined ? `${b.toFixed(3)} s vs ${a.toFixed(3)} s (${(b / a).toFixed(2)}×)` : `missing: ${why(big, ph) ?? why(small, ph) ?? 'n/a'}`, ok === undefined ? '**MISSED** (not measured)' : ok ? 'met' : '**MISSED**']);
  };
  lat('append', 'change → snapshot, one append,');
  lat('rename', 'change → snapshot, 1,000-file dir rename,');
  const anon = Math.max(num(big?.phases.daemonEnd?.peakAnonMiB) ?? -1, get(big, 'daemon-start', 'peakAnonMiB') ?? -1);
  goals.push(['daemon anonymous memory < 200 MiB (peak RssAnon, start-up and changes)', anon < 0 ? `missing: ${why(big, 'daemon-start') ?? 'n/a'}` : `${anon.toFixed(0)} MiB`, anon < 0 ? '**MISSED** (not measured)' : anon < 200 ? 'met' : '**MISSED**']);
  const pf = perFile(big, 'nochange') ?? perFile(big, 'first');
  goals.push(['LMDB cache size per file reported', pf === undefined ? 'missing' : `${pf.toFixed(0)} bytes per file (${((pf * N) / 2 ** 30).toFixed(2)} GiB for ${fmtN(N)})`, pf === undefined ? '**MISSED**' : 'met (reported)']);

  const failures = Object.values(run.trees).flatMap((t) =>
    Object.entries(t.phases)
      .filter(([, p]) => p.error && !p.error.startsWith('not run'))
      .map(([k, p]) => `- ${fmtN(t.files)} files, ${k}: ${p.error!.replace(/\s+/g, ' ').slice(0, 300)}`),
  );
  const m = run.machine;
  const wm = get(big, 'daemon-start', 'watchmanRssBeforeMiB');
  return [
    `## Ten million files (issue #18)`,
    '',
    `Command: \`${run.command}\` (\`bench/peers/scale-10m.ts\`); the whole run took ${(run.minutes ?? 0).toFixed(0)} min${built && !built.reused ? `, of which ${(built.seconds / 60).toFixed(0)} min building the tree` : ' (the tree was already built)'}. ` +
      `Machine: ${m.nproc} vCPU ${m.cpu}, ${m.memGiB} GiB RAM, ${m.os}, kernel ${m.kernel}, node ${m.node}; strata build ${run.strataBuild}; ` +
      `**shared with other jobs**: load average ${run.loadStart.join(' ')} at the start, ${(run.loadEnd ?? []).join(' ')} at the end (and at the end of each phase below).`,
    '',
    `Tree: ${fmtN(N)} files of a few bytes each (\`file <n>\\n\`, all distinct), 100 per leaf directory, ${fmtN(big?.dirs ?? built?.dirs ?? 0)} directories in all, ` +
      `in \`${built?.dir ?? run.base}\`; every file takes one 4 KiB block, so ~${(((N + (built?.dirs ?? 0)) * 4096) / 2 ** 30).toFixed(0)} GiB on disk. ` +
      `The 10,000-file tree has the same shape (100 leaves) and is measured in the same run. Encrypted repository (STRATA_PASSWORD), repository and cache (STRATA_CACHE_DIR) under BENCH_DIR; ` +
      `\`strata watch --json --quiet-ms ${run.quietMs} --backend ${String(big?.phases['daemon-start']?.backend ?? 'watchman')}\`; the rename moves a leaf's parent (10 leaves × 100 files) away and back. ` +
      `Memory from /proc/PID/status (RssAnon, RssFile); one-shot commands by GNU time. ${run.notes.join('; ')}.` +
      (wm !== undefined ? ` watchman server RSS before the daemon: ${wm.toFixed(0)} MiB (it is shared with other jobs' watches).` : ''),
    '',
    `Settings (environment): BENCH_DIR (required from 1M files: the tree is built there once, resumably, and kept; the last repository and cache stay in \`run-<files>/\`), ` +
      `BENCH_10M_FILES (default 10,000,000; 100000 for a quick check), BENCH_REPS (changes of each kind, default 3), BENCH_WATCH_QUIET_MS (default 1), ` +
      `BENCH_DEADLINE (ISO time: a command still running then is ended and the phases after it are reported missing), BENCH_DOCS=0/1 (this section is rewritten at 10M files). ` +
      `The script checks disk and inodes before building, and raises fs.inotify.max_user_watches (needs root) when one watch per directory plus those in use would not fit.`,
    '',
    table,
    '',
    'Phase wall times (s) and the load average (1, 5, 15 min) at the end of each phase of the big tree:',
    '',
    mdTable(['phase', '10,000 files', `${fmtN(N)} files`, 'load avg'], phaseRows),
    '',
    '### Goals (issue #18)',
    '',
    mdTable(['goal', 'measured', 'status'], goals),
    ...(failures.length ? ['', 'Failed phases:', '', ...failures] : []),
  ].join('\n');
}
