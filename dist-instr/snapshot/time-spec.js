// Turns what a user types after --at into an instant: ISO dates and times
// (local time unless a zone is given), 'now', 'today', 'yesterday', and
// relative spans like '2h ago' or '3 days ago'. Pure and clock-injectable,
// so snapshot selection by time can be tested without waiting.
import { StrataError } from '../errors.js';
const UNIT_MS = {
    s: 1000,
    m: 60_000,
    h: 3_600_000,
    d: 86_400_000,
    w: 7 * 86_400_000,
};
const UNIT_ALIASES = {
    s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
    m: 'm', min: 'm', mins: 'm', minute: 'm', minutes: 'm',
    h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
    d: 'd', day: 'd', days: 'd',
    w: 'w', wk: 'w', wks: 'w', week: 'w', weeks: 'w',
};
const CALENDAR_ALIASES = { mo: 'mo', month: 'mo', months: 'mo', y: 'y', yr: 'y', yrs: 'y', year: 'y', years: 'y' };
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
export const TIME_SPEC_HELP = "ISO date/time (local unless it ends in Z or ±hh:mm), 'now', 'today', 'yesterday' (now - 24h), 'N{s,m,h,d,w,mo,y} ago' (m = minutes, mo = months)";
function bad(spec) {
    throw new StrataError('E_USAGE', `cannot read time '${spec}': use ${TIME_SPEC_HELP}`);
}
/**
 * Parse a time spec relative to `now`.
 * - `YYYY-MM-DD` is local midnight at the start of that day;
 *   `YYYY-MM-DD[T ]HH:MM[:SS[.fff]]` is local time unless a zone follows.
 * - `today` is local midnight today; `yesterday` is exactly 24 h before now.
 * - `N unit [ago]` (`2h`, `2h ago`, `90 minutes ago`, `3d`, `1w ago`) counts back from now.
 * - `@SECONDS` is a Unix time.
 */
export function parseTimeSpec(spec, now = new Date()) {
    const s = spec.trim().toLowerCase();
    if (s === '')
        bad(spec);
    if (s === 'now')
        return new Date(now.getTime());
    if (s === 'today')
        return new Date(now.getFullYear(), now.getMonth(), now.getDate());
    if (s === 'yesterday')
        return new Date(now.getTime() - UNIT_MS.d);
    const unix = /^@(\d+(?:\.\d+)?)$/.exec(s);
    if (unix)
        return new Date(Math.round(Number(unix[1]) * 1000));
    const rel = /^(\d+(?:\.\d+)?)\s*([a-z]+)(?:\s+ago)?$/.exec(s);
    const cal = rel && CALENDAR_ALIASES[rel[2]];
    if (rel && cal) {
        if (!/^\d+$/.test(rel[1]))
            bad(spec);
        const n = Number(rel[1]);
        // the same day and time N months/years back, clamped to the month's last day (31 May - 1mo = 30 April)
        const months = now.getFullYear() * 12 + now.getMonth() - (cal === 'y' ? 12 * n : n);
        const y = Math.floor(months / 12);
        const mo = months - y * 12;
        const day = Math.min(now.getDate(), new Date(y, mo + 1, 0).getDate());
        return new Date(y, mo, day, now.getHours(), now.getMinutes(), now.getSeconds(), now.getMilliseconds());
    }
    if (rel) {
        const unit = UNIT_ALIASES[rel[2]];
        if (!unit)
            bad(spec);
        return new Date(now.getTime() - Math.round(Number(rel[1]) * UNIT_MS[unit]));
    }
    const m = ISO.exec(spec.trim());
    if (!m)
        bad(spec);
    const [, y, mo, d, hh, mi, ss, frac, zone] = m;
    if (zone && zone.toUpperCase() !== 'Z') {
        const z = /^[+-](\d{2}):?(\d{2})?$/.exec(zone);
        if (Number(z[1]) > 14 || Number(z[2] ?? 0) > 59) {
            throw new StrataError('E_USAGE', `cannot read time '${spec}': zone offset ${zone} is out of range (-14:00 to +14:00)`);
        }
    }
    const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
    const parts = [Number(y), Number(mo) - 1, Number(d), Number(hh ?? 0), Number(mi ?? 0), Number(ss ?? 0), ms];
    if (parts[1] > 11 || parts[2] < 1 || parts[2] > 31 || parts[3] > 23 || parts[4] > 59 || parts[5] > 59)
        bad(spec);
    // a day that does not exist (2026-02-30) rolls over in Date: reject it
    const utc = Date.UTC(...parts);
    if (new Date(utc).getUTCDate() !== parts[2])
        bad(spec);
    let t;
    if (zone) {
        t = utc;
        if (zone.toUpperCase() !== 'Z') {
            const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
            const offMin = Number(z[2]) * 60 + Number(z[3] ?? 0);
            t -= (z[1] === '-' ? -1 : 1) * offMin * 60_000;
        }
    }
    else {
        t = new Date(...parts).getTime();
    }
    const out = new Date(t);
    if (Number.isNaN(t))
        bad(spec);
    return out;
}
//# sourceMappingURL=time-spec.js.map