// The targets, checked against one run's medians. Each target is
// met, MISSED, or n/a (a tool or a strata command is missing) with the figure
// that decided it, so docs/bench.md shows exactly where strata stands.
import { mdTable } from '../lib/report.js';
import type { Results } from './table.js';

export interface Target {
  id: string;
  target: string;
  measured: string;
  status: 'met' | 'MISSED' | 'n/a';
}

const x = (v: number) => `${v.toFixed(v >= 10 ? 1 : 2)}×`;

export function checkTargets(r: Results, scaleFiles: number[]): Target[] {
  const out: Target[] = [];
  const add = (id: string, target: string, measured: string, ok: boolean | undefined) =>
    out.push({ id, target, measured, status: ok === undefined ? 'n/a' : ok ? 'met' : 'MISSED' });
  const w = (tool: 'strata' | 'restic' | 'borg', step: string) => r.get(tool, step, 'wallS');

  const s1 = w('strata', 's1');
  const peerBest = [w('restic', 's1'), w('borg', 's1')].filter((v): v is number => v !== undefined);
  if (s1 && peerBest.length) {
    const q = Math.min(...peerBest) / s1;
    add('T1', 'first snapshot throughput ≥ 1.5× the faster of restic and borg', `${x(q)} (strata ${s1.toFixed(1)} s, fastest peer ${Math.min(...peerBest).toFixed(1)} s)`, q >= 1.5);
  } else add('T1', 'first snapshot throughput ≥ 1.5× the faster of restic and borg', 'missing figures', undefined);

  for (const n of ['2', '3', '5']) {
    const lat = w('strata', `w${n}`);
    const restic = w('restic', `s${n}`);
    const read = r.get('strata', `w${n}`, 'bytesRead');
    const readOk = read === undefined ? undefined : n === '3' ? read <= 64 * 1024 : read === 0;
    const label = `change ${n} under watch ≥ 100× faster than restic, 0 content bytes re-read${n === '3' ? ' (but the appended file)' : ''}`;
    if (lat === undefined || restic === undefined) add(`T2.${n}`, label, r.why('strata', `w${n}`) ?? 'missing figures', undefined);
    else {
      const q = lat === 0 ? Infinity : restic / lat;
      add(`T2.${n}`, label, `${lat === 0 ? '∞ (no work needed)' : x(q)}, ${read ?? '?'} B read`, q >= 100 && readOk !== false);
    }
  }
  {
    const lat = w('strata', 'w4');
    const restic = w('restic', 's4');
    const label = 'change 4 (1 MiB rewritten in a 300 MiB file) under watch ≥ 10× faster than restic';
    if (lat === undefined || restic === undefined) add('T3', label, r.why('strata', 'w4') ?? 'missing figures', undefined);
    else add('T3', label, `${x(restic / lat)} (${lat.toFixed(2)} s vs ${restic.toFixed(2)} s)`, restic / lat >= 10);
  }
  for (const n of ['2', '3', '5']) {
    const a = w('strata', `s${n}`);
    const b = w('restic', `s${n}`);
    const label = `one-shot strata snapshot ≤ 0.2× restic's time, change ${n}`;
    if (a === undefined || b === undefined) add(`T4.${n}`, label, 'missing figures', undefined);
    else add(`T4.${n}`, label, `${(a / b).toFixed(2)}× (${a.toFixed(2)} s vs ${b.toFixed(2)} s)`, a / b <= 0.2);
  }
  {
    const a = r.get('strata', 's4', 'growthBytes');
    const b = r.get('restic', 's4', 'growthBytes');
    const label = 'repository growth for 4 ≤ restic + 1 MiB';
    if (a === undefined || b === undefined) add('T5.4', label, 'missing figures', undefined);
    else add('T5.4', label, `${(a / 1024).toFixed(0)} KiB vs restic ${(b / 1024).toFixed(0)} KiB`, a <= b + 2 ** 20);
    const c = r.get('strata', 's5', 'growthBytes');
    if (c === undefined) add('T5.5', 'repository growth for 5 < 64 KiB', 'missing figures', undefined);
    else add('T5.5', 'repository growth for 5 < 64 KiB', `${(c / 1024).toFixed(1)} KiB`, c < 64 * 1024);
  }
  for (const [step, what] of [
    ['d3', 'diff around 3'],
    ['d5', 'diff around 5'],
    ['r1', 'single-file restore'],
  ] as const) {
    const a = w('strata', step);
    const b = w('restic', step);
    const label = `${what} ≥ 10× faster than restic`;
    if (a === undefined || b === undefined) add(`T6.${step}`, label, r.why('strata', step) ?? 'missing figures', undefined);
    else add(`T6.${step}`, label, `${x(b / a)} (${a.toFixed(2)} s vs ${b.toFixed(2)} s)`, b / a >= 10);
  }
  {
    const a = w('strata', 'ra');
    const b = w('restic', 'ra');
    if (a === undefined || b === undefined) add('T7', 'full restore ≥ 1.3× restic', 'missing figures', undefined);
    else add('T7', 'full restore ≥ 1.3× restic', `${x(b / a)} (${a.toFixed(1)} s vs ${b.toFixed(1)} s)`, b / a >= 1.3);
  }
  {
    const over: string[] = [];
    let compared = 0;
    for (const step of ['s1', 's2', 's3', 's4', 's5', 'd3', 'd5', 'r1', 'ra']) {
      const a = r.get('strata', step, 'rssMiB');
      const b = r.get('restic', step, 'rssMiB');
      if (a === undefined || b === undefined) continue;
      compared++;
      if (a > b) over.push(`${step}: ${a.toFixed(0)} > ${b.toFixed(0)} MiB`);
    }
    add('T8', "peak RSS never above restic's on the same step", compared === 0 ? 'missing figures' : over.length ? over.join('; ') : `all ${compared} steps at or below`, compared ? over.length === 0 : undefined);
  }
  {
    const big = Math.max(...scaleFiles, 0);
    const rss = r.get('strata', `scale${big}:daemonAnon`, 'value') ?? r.get('strata', `scale${big}:daemon`, 'rssMiB');
    const label = `watch daemon's anonymous memory < 200 MiB at ${big.toLocaleString('en-US')} files (10M: \`make bench-10m\`)`;
    add('T9', label, rss === undefined ? (r.why('strata', `scale${big}:watch`) ?? 'missing figures') : `${rss.toFixed(0)} MiB`, rss === undefined ? undefined : rss < 200);
  }
  return out;
}

export function targetsTable(ts: Target[]): string {
  return mdTable(
    ['#', 'target', 'measured', 'status'],
    ts.map((t) => [t.id, t.target, t.measured, t.status === 'MISSED' ? '**MISSED**' : t.status]),
  );
}
