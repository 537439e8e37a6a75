// The timeline: snapshots grouped per host and source, newest first, each with
// its time and short id, above a plot of size and files changed per snapshot.
/// <reference lib="dom" />
import { api, el, fmtBytes, fmtTime, link } from './dom.js';
const NS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs) {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs))
        e.setAttribute(k, String(v));
    return e;
}
/** Size (line) and files read, i.e. changed (bars), per snapshot, in time order. */
export function plot(snaps) {
    const W = 720;
    const H = 140;
    const P = 24;
    const s = svg('svg', { class: 'plot', width: W, height: H, viewBox: `0 0 ${W} ${H}`, 'data-test': 'plot' });
    if (snaps.length === 0)
        return s;
    const t0 = Date.parse(snaps[0].time);
    const t1 = Date.parse(snaps[snaps.length - 1].time);
    const x = (t) => P + (t1 === t0 ? (W - 2 * P) / 2 : ((Date.parse(t) - t0) / (t1 - t0)) * (W - 2 * P));
    const maxSize = Math.max(1, ...snaps.map((v) => v.bytes));
    const maxChg = Math.max(1, ...snaps.map((v) => v.filesRead));
    for (const v of snaps) {
        const h = (v.filesRead / maxChg) * (H / 2 - P);
        const bar = svg('rect', { class: 'chg', x: x(v.time) - 2, y: H - P - h, width: 4, height: h });
        bar.append(Object.assign(svg('title', {}), { textContent: `${v.shortId}: ${v.filesRead} files changed` }));
        s.append(bar);
    }
    const pts = snaps.map((v) => `${x(v.time).toFixed(1)},${(H - P - (v.bytes / maxSize) * (H - 2 * P)).toFixed(1)}`).join(' ');
    s.append(svg('polyline', { class: 'size', points: pts }));
    const label = (text, lx, ly) => Object.assign(svg('text', { x: lx, y: ly, 'font-size': 11, fill: '#6a7580' }), { textContent: text });
    s.append(label(`size (max ${fmtBytes(maxSize)})`, P, 14), label(`changed files (bars, max ${maxChg})`, W / 2, 14));
    s.append(label(fmtTime(snaps[0].time), P, H - 6), label(fmtTime(snaps[snaps.length - 1].time), W - P - 120, H - 6));
    return s;
}
/** Rows shown per lineage until "show all" (a watch daemon makes thousands). */
const SHOWN = 200;
const showAll = new Set();
function more(view, key, total) {
    const b = el('button', { 'data-test': 'show-all' }, `show all ${total.toLocaleString('en')} snapshots`);
    b.addEventListener('click', () => {
        showAll.add(key);
        void renderTimeline(view);
    });
    return b;
}
export async function renderTimeline(view) {
    const { repository, snapshots } = await api('snapshots');
    document.getElementById('repo').textContent = repository;
    const groups = new Map();
    for (const s of snapshots) {
        const k = `${s.host}:${s.source}`;
        groups.set(k, [...(groups.get(k) ?? []), s]);
    }
    const out = [el('p', { 'data-test': 'snapshot-count' }, `${snapshots.length} snapshot${snapshots.length === 1 ? '' : 's'}`)];
    if (snapshots.length >= 2)
        out.push(el('p', {}, link(`#/diff/${snapshots[snapshots.length - 2].shortId}/${snapshots[snapshots.length - 1].shortId}/`, 'compare the last two snapshots')));
    for (const [k, list] of groups) {
        const rows = [...list].reverse().slice(0, showAll.has(k) ? Infinity : SHOWN).map((s) => el('tr', { 'data-test': 'snapshot', 'data-id': s.id }, el('td', { class: 'id' }, link(`#/snap/${s.shortId}/`, s.shortId)), el('td', {}, fmtTime(s.time)), el('td', { class: 'num' }, s.files.toLocaleString('en')), el('td', { class: 'num' }, fmtBytes(s.bytes)), el('td', { class: 'num' }, String(s.filesRead)), el('td', { class: 'num' }, fmtBytes(s.bytesAdded))));
        out.push(el('section', { 'data-test': 'lineage', 'data-source': list[0].source }, el('h2', {}, k, el('span', { class: 'muted' }, `  (${list.length}; WebDAV: latest/${list[0].sourceName ?? ''})`)), plot(list), el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'ID'), el('th', {}, 'Time (UTC)'), el('th', { class: 'num' }, 'Files'), el('th', { class: 'num' }, 'Size'), el('th', { class: 'num' }, 'Changed'), el('th', { class: 'num' }, 'Added'))), el('tbody', {}, ...rows)), rows.length < list.length ? more(view, k, list.length) : ''));
    }
    view.replaceChildren(...out);
}
//# sourceMappingURL=timeline.js.map