// Validation of numeric and enumerated command-line values: each parser takes
// the text as typed and either returns the value or throws a usage error that
// names the option and the accepted range (exit 2). Decimal only: "0x3",
// "1e3", "" and "3.0" are not counts.
import { StrataError } from '../errors.js';
const usage = (msg) => {
    throw new StrataError('E_USAGE', msg);
};
/** A whole decimal number within [min, max]. */
export function intArg(v, flag, min, max, extra = '') {
    const s = v.trim();
    if (!/^[+-]?\d+$/.test(s))
        usage(`${flag} wants a whole number from ${min} to ${max}${extra}, got '${v}'`);
    const n = Number(s);
    if (!Number.isSafeInteger(n) || n < min || n > max)
        usage(`${flag} must be from ${min} to ${max}${extra}, got '${v}'`);
    return n;
}
/** A --keep-* count: a whole number >= 1, or -1 / unlimited / all for no limit. */
export function countArg(v, flag) {
    if (v === undefined)
        return undefined;
    if (v === 'unlimited' || v === 'all' || v.trim() === '-1')
        return -1;
    return intArg(v, flag, 0, 1_000_000_000, " (or -1 / 'unlimited')");
}
/** One of a fixed set of words. */
export function enumArg(v, flag, allowed) {
    if (!allowed.includes(v))
        usage(`${flag} must be one of ${allowed.join(', ')}, got '${v}'`);
    return v;
}
const SIZE_UNITS = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
/** A size: bytes, or a number with k/m/g/t (powers of 1024; "KiB", "MB", "M" all mean the same). */
export function sizeArg(v, flag, min = 0, max = Number.MAX_SAFE_INTEGER) {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(v);
    if (!m || (m[2] === '' && /[a-z]/i.test(v) && !/^\s*\d+\s*b\s*$/i.test(v)))
        usage(`${flag} wants a size such as 4096, 512K, 10M or 2G (powers of 1024), got '${v}'`);
    const n = Math.round(Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()]);
    if (n < min || n > max)
        usage(`${flag} must be from ${min} to ${max} bytes, got '${v}'`);
    return n;
}
/**
 * A --keep-within span in strata's one unit grammar: y (years), mo (months),
 * w (weeks), d (days), h (hours), in that order ("1y6mo", "36h", "2w3d").
 * A bare "m" is refused as ambiguous (minutes everywhere else; restic's m =
 * months). Returns the retention engine's notation (y, m = months, d, h).
 */
export function withinArg(v) {
    if (v === undefined)
        return undefined;
    const s = v.trim().toLowerCase();
    // a zero span (0d, 0h, 0m, 0y…) is refused by the retention policy itself (assertPolicyKeepsSomething),
    // as for every caller of applyRetention: passed on in its y/m/d/h form
    if (/^(?:0+(?:y|mo|m|w|d|h))+$/.test(s)) {
        const zero = s.replace(/mo/g, 'm').replace(/w/g, 'd');
        return /^(?:0+y)?(?:0+m)?(?:0+d)?(?:0+h)?$/.test(zero) ? zero : '0d';
    }
    if (/^\d+m$|\d+m(?!o)/.test(s))
        usage(`--keep-within '${v}' is ambiguous: write 'mo' for months (e.g. 6mo); --keep-within counts y, mo, w, d, h`);
    const m = /^(?:(\d+)y)?(?:(\d+)mo)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?$/.exec(s);
    if (!m || s === '')
        usage(`bad --keep-within '${v}': use y (years), mo (months), w, d, h in that order, e.g. 36h, 7d, 6mo, 1y2mo`);
    const [, y, mo, w, d, h] = m.map((x) => Number(x ?? 0));
    if (!(y + mo + w + d + h > 0))
        usage(`--keep-within must be longer than 0, got '${v}'`);
    const days = w * 7 + d;
    return (y ? `${y}y` : '') + (mo ? `${mo}m` : '') + (days ? `${days}d` : '') + (h ? `${h}h` : '');
}
//# sourceMappingURL=validate.js.map