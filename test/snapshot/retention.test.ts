// Retention policies against hand-built calendars of snapshot times (UTC
// buckets), with the expected outcome worked out by hand in each test.
import test from 'ava';
import { isoWeek, parseWithin, selectGroup, selectSnapshots, type RetentionPolicy, type SnapshotLike } from '../../src/snapshot/retention.js';

let n = 0;
const snap = (time: string, source = '/src', host = 'h'): SnapshotLike => ({ id: (++n).toString(16).padStart(64, '0'), time: new Date(time).toISOString(), host, source });
const times = (d: { snapshot: SnapshotLike }[]) => d.map((x) => x.snapshot.time.slice(0, 16));
const run = (list: SnapshotLike[], p: RetentionPolicy, now = '2030-01-01T00:00:00Z') => selectGroup(list, p, new Date(now), { utc: true });

test('keep-last keeps the n newest, whatever order they come in', (t) => {
  const list = ['2026-01-03T10:00Z', '2026-01-01T10:00Z', '2026-01-05T10:00Z', '2026-01-02T10:00Z', '2026-01-04T10:00Z'].map((x) => snap(x));
  const r = run(list, { last: 2 });
  t.deepEqual(times(r.keep), ['2026-01-05T10:00', '2026-01-04T10:00']);
  t.deepEqual(times(r.remove), ['2026-01-03T10:00', '2026-01-02T10:00', '2026-01-01T10:00']);
  t.deepEqual(r.keep[0]!.reasons, ['last snapshot']);
});

test('keep-hourly keeps the newest of each of the last n hours that have snapshots', (t) => {
  const list = ['10:05', '10:40', '11:10', '11:50', '13:00', '14:20', '14:25'].map((h) => snap(`2026-02-01T${h}:00Z`));
  const r = run(list, { hourly: 3 });
  // hour 14 → 14:25, hour 13 → 13:00, hour 11 → 11:50 (hour 12 has none and does not count)
  t.deepEqual(times(r.keep), ['2026-02-01T14:25', '2026-02-01T13:00', '2026-02-01T11:50']);
  t.is(r.remove.length, 4);
});

test('a rule with counts left also keeps the oldest snapshot (restic ≥ 0.16)', (t) => {
  const list = ['2026-03-01T08:00Z', '2026-03-01T20:00Z', '2026-03-02T09:00Z', '2026-03-03T07:00Z', '2026-03-03T22:00Z'].map((x) => snap(x));
  const r = run(list, { daily: 5 });
  // one per day (3 days), and the oldest because 2 counts were left
  t.deepEqual(times(r.keep), ['2026-03-03T22:00', '2026-03-02T09:00', '2026-03-01T20:00', '2026-03-01T08:00']);
  t.deepEqual(times(r.remove), ['2026-03-03T07:00']);
});

test('weekly buckets are ISO weeks, across a year boundary', (t) => {
  t.deepEqual(isoWeek(2024, 12, 30), [2025, 1]);
  t.deepEqual(isoWeek(2024, 12, 29), [2024, 52]);
  t.deepEqual(isoWeek(2021, 1, 3), [2020, 53]);
  const list = ['2024-12-29T12:00Z', '2024-12-30T12:00Z', '2025-01-05T12:00Z', '2024-12-22T12:00Z'].map((x) => snap(x));
  const r = run(list, { weekly: 2 });
  // 2025-W01 → Jan 5 (Dec 30 is the same ISO week), 2024-W52 → Dec 29; Dec 22 (W51) is beyond 2 weeks
  t.deepEqual(times(r.keep), ['2025-01-05T12:00', '2024-12-29T12:00']);
  t.deepEqual(times(r.remove), ['2024-12-30T12:00', '2024-12-22T12:00']);
});

test('monthly and yearly together list every reason', (t) => {
  const list = ['2024-11-15T00:00Z', '2024-12-20T00:00Z', '2025-01-10T00:00Z', '2025-01-20T00:00Z', '2025-02-01T00:00Z'].map((x) => snap(x));
  const r = run(list, { monthly: 2, yearly: 2 });
  t.deepEqual(
    r.keep.map((d) => [d.snapshot.time.slice(0, 10), d.reasons.join('+')]),
    [
      ['2025-02-01', 'monthly snapshot+yearly snapshot'],
      ['2025-01-20', 'monthly snapshot'],
      ['2024-12-20', 'yearly snapshot'],
    ],
  );
});

test('keep-within counts back from the newest snapshot, not from now', (t) => {
  const list = ['2026-03-10T12:00Z', '2026-03-09T00:00Z', '2026-03-08T12:00Z', '2026-03-08T11:00Z', '2026-03-01T00:00Z'].map((x) => snap(x));
  const r = run(list, { within: '2d' }, '2026-06-01T00:00:00Z');
  // cutoff = 2026-03-08T12:00, kept when strictly after it
  t.deepEqual(times(r.keep), ['2026-03-10T12:00', '2026-03-09T00:00']);
  t.deepEqual(r.keep[0]!.reasons, ['within 2d']);
  t.deepEqual(parseWithin('1y2m3d4h'), { years: 1, months: 2, days: 3, hours: 4 });
  t.throws(() => parseWithin('3 weeks'), { message: /bad duration/ });
  // months are calendar months, normalized like Go's AddDate: Mar 31 - 1m = "Feb 31" = Mar 3
  const r2 = run([snap('2026-04-30T00:00Z'), snap('2026-03-31T00:00Z'), snap('2026-03-30T00:00Z')], { within: '1m' });
  t.deepEqual(times(r2.keep), ['2026-04-30T00:00', '2026-03-31T00:00']);
  const r3 = run([snap('2026-03-31T00:00Z'), snap('2026-03-04T00:00Z'), snap('2026-03-02T00:00Z')], { within: '1m' });
  t.deepEqual(times(r3.keep), ['2026-03-31T00:00', '2026-03-04T00:00']);
});

test('unlimited (-1) keeps one per bucket without limit; an empty policy keeps everything', (t) => {
  const list = ['2026-01-01T01:00Z', '2026-01-01T02:00Z', '2026-01-02T01:00Z', '2026-01-03T01:00Z'].map((x) => snap(x));
  // one per day (3), plus the oldest: an unlimited rule always has counts left
  t.deepEqual(times(run(list, { daily: -1 }).keep), ['2026-01-03T01:00', '2026-01-02T01:00', '2026-01-01T02:00', '2026-01-01T01:00']);
  t.is(run(list, { daily: -1, last: 1 }).remove.length, 0);
  t.is(run([...list, snap('2026-01-03T00:30Z')], { daily: -1 }).remove.length, 1);
  t.is(run(list, {}).keep.length, 4);
  t.is(run(list, {}).remove.length, 0);
});

test('groups are host + source, each with its own policy run', (t) => {
  const list = [snap('2026-01-01T00:00Z', '/a'), snap('2026-01-02T00:00Z', '/a'), snap('2026-01-01T00:00Z', '/b'), snap('2026-01-03T00:00Z', '/a', 'other')];
  const plan = selectSnapshots(list, { last: 1 }, new Date('2030-01-01'), { utc: true });
  t.deepEqual(
    plan.map((g) => [g.host, g.source, g.keep.length, g.remove.length]),
    [
      ['h', '/a', 1, 1],
      ['h', '/b', 1, 0],
      ['other', '/a', 1, 0],
    ],
  );
});

test('90 days of hourly snapshots under the issue policy keep exactly 86', (t) => {
  const list: SnapshotLike[] = [];
  for (let h = 0; h < 90 * 24; h++) list.push(snap(new Date(Date.UTC(2026, 0, 1) + h * 3600_000).toISOString()));
  const r = run(list, { last: 10, hourly: 48, daily: 30, weekly: 12, monthly: 24 }, '2026-04-01T00:00:00Z');
  // hourly: Mar 30 00:00 … Mar 31 23:00 (48); daily adds 23:00 of Mar 2 … Mar 29 (28);
  // weekly (ISO, Sundays 23:00) adds Mar 1, Feb 22/15/8/1, Jan 25/18 (7);
  // monthly adds Feb 28 and Jan 31 23:00, plus the oldest (Jan 1 00:00) since counts remain (3)
  t.is(r.keep.length, 48 + 28 + 7 + 3);
  t.is(r.keep.length + r.remove.length, 2160);
  const kept = new Set(times(r.keep));
  for (const x of ['2026-03-31T23:00', '2026-03-30T00:00', '2026-03-02T23:00', '2026-03-01T23:00', '2026-01-18T23:00', '2026-02-28T23:00', '2026-01-31T23:00', '2026-01-01T00:00']) t.true(kept.has(x), x);
  for (const x of ['2026-03-29T22:00', '2026-01-11T23:00', '2026-03-01T00:00']) t.false(kept.has(x), x);
  t.deepEqual(r.keep.find((d) => d.snapshot.time.startsWith('2026-03-31T23'))!.reasons, ['last snapshot', 'hourly snapshot', 'daily snapshot', 'weekly snapshot', 'monthly snapshot']);
});

test('the newest snapshot of a group is kept even by a policy that would keep none of them', (t) => {
  const list = [snap('2026-05-01T00:00Z'), snap('2026-04-01T00:00Z'), snap('2026-03-01T00:00Z')];
  const r = run(list, { within: '0d' }, '2026-06-01T00:00:00Z');
  t.is(r.keep.length, 1);
  t.deepEqual(times(r.keep), ['2026-05-01T00:00']);
  t.deepEqual(r.keep[0]!.reasons, ['newest snapshot (always kept)']);
  t.is(r.remove.length, 2);
});
