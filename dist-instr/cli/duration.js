// Parses intervals given on the command line: "500ms", "30s", "5m", "1h", "2d" or plain milliseconds
// (m is minutes everywhere; months are "mo" and only mean something in --keep-within).
import { StrataError } from '../errors.js';
const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86400_000 };
export function parseDuration(s, what = 'interval', minMs = 0) {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(s);
    if (!m) {
        const hint = /^\s*\d+(\.\d+)?\s*mo(nths?)?\s*$/i.test(s) ? '; months (mo) make no sense for an interval' : '';
        throw new StrataError('E_USAGE', `bad ${what} '${s}' (a number with ms, s, m (minutes), h or d, e.g. 500ms, 30s, 5m, 1h${hint})`);
    }
    const ms = Math.round(Number(m[1]) * UNITS[(m[2] ?? 'ms').toLowerCase()]);
    if (ms < minMs)
        throw new StrataError('E_USAGE', `${what} must be at least ${minMs} ms, got '${s}'`);
    return ms;
}
//# sourceMappingURL=duration.js.map