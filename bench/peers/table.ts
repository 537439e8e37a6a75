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
