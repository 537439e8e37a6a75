// Parses intervals given on the command line: "500ms", "30s", "5m", "1h", "2d" or plain milliseconds.
import { StrataError } from '../errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86400_000 };

export function parseDuration(s: string, what = 'interval'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(s);
  if (!m) throw new StrataError('E_USAGE', `bad ${what} '${s}' (examples: 500ms, 30s, 5m, 1h)`);
  return Math.round(Number(m[1]) * UNITS[(m[2] ?? 'ms').toLowerCase()]!);
}
