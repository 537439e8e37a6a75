/// <reference lib="dom" />
export function el(tag, attrs = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs))
        e.setAttribute(k, v);
    for (const c of children)
        if (c !== null && c !== undefined && c !== false)
            e.append(c);
    return e;
}
export function link(href, text, attrs = {}) {
    return el('a', { href, ...attrs }, text);
}
export class ApiError extends Error {
}
export async function api(path, params = {}) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params))
        if (v !== undefined)
            q.set(k, v);
    const r = await fetch(`/api/${path}?${q}`, { credentials: 'same-origin' });
    const body = (await r.json());
    if (!r.ok)
        throw new ApiError(body.error ?? `HTTP ${r.status}`);
    return body;
}
export function apiUrl(path, params) {
    return `/api/${path}?${new URLSearchParams(params)}`;
}
export function fmtBytes(n) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    let v = n;
    while (v >= 1024 && i < units.length - 1) {
        v /= 1024;
        i++;
    }
    return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}
/** "2026-12-01 14:03:22" (UTC, as the CLI prints it). */
export const fmtTime = (iso) => iso.replace('T', ' ').slice(0, 19);
/** Encode a snapshot path for the location hash, segment by segment. */
export const encPath = (p) => p.split('/').filter(Boolean).map(encodeURIComponent).join('/');
export const decPath = (segs) => segs.map(decodeURIComponent).join('/');
export function showError(view, e) {
    view.replaceChildren(el('p', { class: 'err', 'data-test': 'error' }, e instanceof Error ? e.message : String(e)));
}
//# sourceMappingURL=dom.js.map