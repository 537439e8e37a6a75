// Time specs for --at: absolute (local or zoned), named and relative.
import test from 'ava';
import { isStrataError } from '../../src/errors.js';
import { parseTimeSpec } from '../../src/snapshot/time-spec.js';

const now = new Date(2026, 10, 20, 15, 30, 0); // local 2026-11-20 15:30

test('ISO dates and times: local unless zoned', (t) => {
  t.is(parseTimeSpec('2026-11-20T14:00', now).getTime(), new Date(2026, 10, 20, 14, 0).getTime());
  t.is(parseTimeSpec('2026-11-20 14:00:05', now).getTime(), new Date(2026, 10, 20, 14, 0, 5).getTime());
  t.is(parseTimeSpec('2026-11-20', now).getTime(), new Date(2026, 10, 20).getTime());
  t.is(parseTimeSpec('2026-11-20T14:00:00Z', now).toISOString(), '2026-11-20T14:00:00.000Z');
  t.is(parseTimeSpec('2026-11-20T14:00:00.250Z', now).toISOString(), '2026-11-20T14:00:00.250Z');
  t.is(parseTimeSpec('2026-11-20T14:00+02:00', now).toISOString(), '2026-11-20T12:00:00.000Z');
  t.is(parseTimeSpec('2026-11-20T14:00-0130', now).toISOString(), '2026-11-20T15:30:00.000Z');
});

test('named times', (t) => {
  t.is(parseTimeSpec('now', now).getTime(), now.getTime());
  t.is(parseTimeSpec('today', now).getTime(), new Date(2026, 10, 20).getTime());
  t.is(parseTimeSpec('Yesterday', now).getTime(), now.getTime() - 86_400_000);
  t.is(parseTimeSpec('@1700000000', now).getTime(), 1_700_000_000_000);
});

test('relative spans', (t) => {
  const back = (s: string) => now.getTime() - parseTimeSpec(s, now).getTime();
  t.is(back('2h ago'), 2 * 3_600_000);
  t.is(back('2h'), 2 * 3_600_000);
  t.is(back('2 hours ago'), 2 * 3_600_000);
  t.is(back('90m'), 90 * 60_000);
  t.is(back('30 minutes ago'), 30 * 60_000);
  t.is(back('3d'), 3 * 86_400_000);
  t.is(back('1w ago'), 7 * 86_400_000);
  t.is(back('45s'), 45_000);
  t.is(back('1.5h'), 5_400_000);
});

test('nonsense is a usage error', (t) => {
  for (const s of ['', 'soon', '2 fortnights ago', '2026-13-01', '2026-02-30', '2026-11-20T25:00', 'h2']) {
    const e = t.throws(() => parseTimeSpec(s, now), undefined, s);
    t.true(isStrataError(e, 'E_USAGE'), s);
  }
});

test('months and years count back by the calendar (mo, y); m stays minutes; zone offsets beyond ±14:00 are refused', (t) => {
  const now2 = new Date(2026, 4, 31, 12, 0, 0); // 31 May, local
  t.is(parseTimeSpec('1mo ago', now2).getTime(), new Date(2026, 3, 30, 12, 0, 0).getTime(), '31 May - 1mo = 30 April');
  t.is(parseTimeSpec('2 months ago', now2).getMonth(), 2);
  t.is(parseTimeSpec('1y', now2).getFullYear(), 2025);
  t.is(parseTimeSpec('5m ago', now2).getTime(), now2.getTime() - 5 * 60_000);
  t.throws(() => parseTimeSpec('1.5mo ago', now2), { message: /cannot read time/ });
  t.throws(() => parseTimeSpec('2026-01-01T00:00+25:00', now2), { message: /zone offset \+25:00 is out of range \(-14:00 to \+14:00\)/ });
  t.throws(() => parseTimeSpec('2026-01-01T00:00+05:75', now2), { message: /out of range/ });
  t.is(parseTimeSpec('2026-01-01T00:00+14:00', now2).toISOString(), '2025-12-31T10:00:00.000Z');
});
