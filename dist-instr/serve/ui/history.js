// The history of one path (every version: when, status, size), a text diff
// between any two versions of a text file, and a preview of images.
/// <reference lib="dom" />
import { api, apiUrl, el, encPath, fmtBytes, fmtTime, link, showError } from './dom.js';
const IMAGE = /\.(png|jpe?g|gif|webp)$/i;
export async function renderDiffText(out, a, b, path) {
    const r = await api('textdiff', { a, b, path });
    if (r.binary) {
        out.replaceChildren(el('p', { 'data-test': 'diff-binary' }, 'binary files differ'));
        return;
    }
    const pre = el('pre', { class: 'diff', 'data-test': 'text-diff' });
    for (const l of r.lines)
        pre.append(el('span', { class: l.op === '+' ? 'add' : l.op === '-' ? 'del' : 'same' }, `${l.op} ${l.text}\n`));
    out.replaceChildren(el('p', { class: 'muted' }, `${a.slice(0, 8)} → ${b.slice(0, 8)}: ${r.lines.filter((l) => l.op !== ' ').length} changed lines`), pre);
}
export async function renderHistory(view, id, path) {
    const r = await api('log', { snap: id, path });
    const present = r.versions.filter((v) => v.kind !== null);
    const files = present.filter((v) => v.kind === 'file');
    let a = files.length >= 2 ? files[files.length - 2].snapshot : files[0]?.snapshot;
    let b = files.at(-1)?.snapshot;
    const rows = r.versions.map((v) => {
        const ra = el('input', { type: 'radio', name: 'a', value: v.snapshot, 'data-test': 'pick-a' });
        const rb = el('input', { type: 'radio', name: 'b', value: v.snapshot, 'data-test': 'pick-b' });
        ra.checked = v.snapshot === a;
        rb.checked = v.snapshot === b;
        ra.disabled = rb.disabled = v.kind !== 'file';
        ra.addEventListener('change', () => (a = v.snapshot));
        rb.addEventListener('change', () => (b = v.snapshot));
        const actions = el('td', {});
        if (v.kind === 'file')
            actions.append(link(apiUrl('file', { snap: v.snapshot, path: r.path, download: '1' }), 'download', { 'data-test': 'version-download' }));
        if (v.kind === 'dir')
            actions.append(link(`#/snap/${v.shortId}/${encPath(r.path)}`, 'browse'));
        return el('tr', { 'data-test': 'version', 'data-id': v.snapshot }, el('td', {}, ra, rb), el('td', { class: 'id' }, link(`#/snap/${v.shortId}/`, v.shortId)), el('td', {}, fmtTime(v.time)), el('td', {}, v.status), el('td', { class: 'num' }, v.size === null ? '-' : fmtBytes(v.size)), el('td', { class: 'mono' }, v.hash ? v.hash.slice(0, 12) : '-'), actions);
    });
    const out = el('div', { 'data-test': 'diff-out' });
    const btn = el('button', { 'data-test': 'diff-versions' }, 'diff A → B');
    btn.disabled = files.length < 1;
    btn.addEventListener('click', () => {
        if (!a || !b)
            return;
        if (IMAGE.test(r.path)) {
            out.replaceChildren(el('div', { class: 'preview bar', 'data-test': 'image-preview' }, ...[a, b].map((s) => el('figure', {}, el('img', { src: apiUrl('file', { snap: s, path: r.path }), alt: `${r.path} in ${s.slice(0, 8)}` }), el('figcaption', {}, s.slice(0, 8))))));
            return;
        }
        renderDiffText(out, a, b, r.path).catch((e) => showError(out, e));
    });
    const preview = files.length && IMAGE.test(r.path) ? el('div', { class: 'preview' }, el('img', { src: apiUrl('file', { snap: files.at(-1).snapshot, path: r.path }), alt: r.path, 'data-test': 'image' })) : null;
    view.replaceChildren(el('h2', {}, `history of ${r.path || '/'}`, el('span', { class: 'muted' }, `  ${r.versions.length} change${r.versions.length === 1 ? '' : 's'} in ${r.snapshots} snapshots`)), preview ?? '', el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'A B'), el('th', {}, 'Snapshot'), el('th', {}, 'Time (UTC)'), el('th', {}, 'Status'), el('th', { class: 'num' }, 'Size'), el('th', {}, 'Hash'), el('th', {}, ''))), el('tbody', {}, ...rows)), el('div', { class: 'bar' }, btn), out);
}
//# sourceMappingURL=history.js.map