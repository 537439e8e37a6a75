// Everything the CLI prints: JSON vs human text, sizes and times, warnings on
// stderr, and a single self-overwriting progress line when on a terminal.
export function fmtBytes(n) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    let v = n;
    while (v >= 1024 && i < units.length - 1) {
        v /= 1024;
        i++;
    }
    return i === 0 ? `${Math.round(n)} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}
/** 1234567 → "1,234,567" (by hand: toLocaleString loads ICU, ~25 ms of start-up). */
export function fmtInt(n) {
    if (!Number.isFinite(n))
        return String(n);
    const sign = n < 0 ? '-' : '';
    const abs = Math.abs(n);
    const [int, frac] = (Number.isInteger(abs) ? String(abs) : abs.toFixed(3).replace(/\.?0+$/, '')).split('.');
    const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return sign + grouped + (frac ? `.${frac}` : '');
}
/** "file" or "files" for a count. */
export function plural(n, word) {
    return n === 1 ? word : `${word}s`;
}
export function fmtDuration(ms) {
    if (ms < 1000)
        return `${ms} ms`;
    const s = ms / 1000;
    if (s < 60)
        return `${s.toFixed(2)} s`;
    const m = Math.floor(s / 60);
    return `${m}m${Math.round(s - m * 60)
        .toString()
        .padStart(2, '0')}s`;
}
export function printJson(v) {
    process.stdout.write(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)) + '\n');
}
export function println(s = '') {
    process.stdout.write(s + '\n');
}
export function warn(s) {
    progressClear();
    process.stderr.write(s + '\n');
}
let progressShown = false;
/** A progress line is drawn only when both stdout and stderr are terminals. */
export function progressEnabled(json) {
    return !json && process.stdout.isTTY === true && process.stderr.isTTY === true;
}
export function progressLine(s) {
    const cols = process.stderr.columns || 100;
    process.stderr.write('\r\x1b[2K' + (s.length > cols - 1 ? s.slice(0, cols - 2) + '…' : s));
    progressShown = true;
}
export function progressClear() {
    if (progressShown)
        process.stderr.write('\r\x1b[2K');
    progressShown = false;
}
/** Rate and ETA helper for progress lines. */
export class RateMeter {
    t0 = Date.now();
    line(files, bytes, totalBytes) {
        const secs = Math.max(0.001, (Date.now() - this.t0) / 1000);
        const rate = bytes / secs;
        let s = `${fmtInt(files)} ${plural(files, 'file')}, ${fmtBytes(bytes)}`;
        if (totalBytes)
            s += ` / ${fmtBytes(totalBytes)} (${Math.min(100, (100 * bytes) / totalBytes).toFixed(0)}%)`;
        s += `, ${fmtBytes(rate)}/s`;
        if (totalBytes && rate > 0 && bytes < totalBytes)
            s += `, ETA ${fmtDuration(Math.round(((totalBytes - bytes) / rate) * 1000))}`;
        return s;
    }
}
/**
 * A snapshot time for humans: local time with its UTC offset
 * ("2026-12-01 16:03:22 +01:00"), the form --at reads back; `utc` gives
 * "2026-12-01 15:03:22 Z".
 */
export function fmtTime(iso, utc = false) {
    const d = new Date(iso);
    if (utc)
        return `${d.toISOString().replace('T', ' ').slice(0, 19)} Z`;
    const p = (n) => String(n).padStart(2, '0');
    const off = -d.getTimezoneOffset();
    const sign = off < 0 ? '-' : '+';
    const a = Math.abs(off);
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${sign}${p(Math.floor(a / 60))}:${p(a % 60)}`;
}
//# sourceMappingURL=output.js.map