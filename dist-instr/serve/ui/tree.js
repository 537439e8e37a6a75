// The tree browser: one directory of one snapshot at a time (pages of 1,000
// entries, so a huge directory opens at once), find by glob, downloads of
// files and of directories (.tar, .zip), and restore to a path on the server.
/// <reference lib="dom" />
import { api, apiUrl, el, encPath, fmtBytes, fmtTime, link, showError } from './dom.js';
const PAGE = 1000;
function crumbs(snap, path) {
    const parts = path.split('/').filter(Boolean);
    const out = el('div', { class: 'crumbs', 'data-test': 'crumbs' }, link(`#/snap/${snap.shortId}/`, `${snap.shortId}:/`));
    parts.forEach((p, i) => out.append(link(`#/snap/${snap.shortId}/${encPath(parts.slice(0, i + 1).join('/'))}`, p), '/'));
    return out;
}
function row(snap, e) {
    const id = snap.shortId;
    const name = e.type === 'dir'
        ? link(`#/snap/${id}/${encPath(e.path)}`, `${e.name}/`, { 'data-test': 'dir' })
        : e.type === 'file'
            ? link(`#/log/${id}/${encPath(e.path)}`, e.name, { 'data-test': 'file' })
            : el('span', {}, e.name + (e.target !== undefined ? ` -> ${e.target}` : ''));
    const actions = el('td', {});
    if (e.type === 'file')
        actions.append(link(apiUrl('file', { snap: snap.id, path: e.path, download: '1' }), 'download', { 'data-test': 'download' }));
    if (e.type === 'dir')
        actions.append(link(apiUrl('archive', { snap: snap.id, path: e.path, format: 'tar' }), '.tar'), ' ', link(apiUrl('archive', { snap: snap.id, path: e.path, format: 'zip' }), '.zip'));
    actions.append(' ', link(`#/log/${id}/${encPath(e.path)}`, 'history'));
    return el('tr', { 'data-test': 'entry', 'data-name': e.name }, el('td', {}, name), el('td', {}, e.type), el('td', { class: 'num' }, e.type === 'dir' ? `${(e.files ?? 0).toLocaleString('en')} files, ${fmtBytes(e.size)}` : fmtBytes(e.size)), el('td', {}, fmtTime(e.mtime)), actions);
}
function findForm(snap) {
    const input = el('input', { type: 'text', placeholder: 'glob, e.g. *.txt or src/**/*.ts', 'data-test': 'find-input', size: '32' });
    const results = el('div', { 'data-test': 'find-results' });
    const form = el('form', { class: 'bar' }, 'find ', input, el('button', { type: 'submit' }, 'find'));
    form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        api('find', { snap: snap.id, glob: input.value })
            .then((r) => results.replaceChildren(el('p', {}, `${r.total} match${r.total === 1 ? '' : 'es'}`), el('table', {}, ...r.matches.map((m) => row(snap, m)))))
            .catch((e) => showError(results, e));
    });
    return el('div', {}, form, results);
}
function restoreForm(snap, path) {
    const input = el('input', { type: 'text', placeholder: '/absolute/path/on/the/server', 'data-test': 'restore-target', size: '40' });
    const out = el('div', { 'data-test': 'restore-result' });
    const post = async (confirm) => {
        const r = await fetch('/api/restore', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ snap: snap.id, path, target: input.value, confirm }) });
        const body = await r.json();
        if (!r.ok)
            throw new Error(body.error ?? `HTTP ${r.status}`);
        return body;
    };
    const form = el('form', { class: 'bar' }, `restore ${path || '/'} to `, input, el('button', { type: 'submit', 'data-test': 'restore-check' }, 'check'));
    form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        post(false)
            .then((dry) => {
            const go = el('button', { 'data-test': 'restore-confirm' }, `confirm: restore into ${dry.target}`);
            go.addEventListener('click', () => {
                go.disabled = true;
                post(true)
                    .then((r) => out.replaceChildren(el('p', { 'data-test': 'restore-done' }, `restored ${r.files} files (${fmtBytes(r.bytes)}) to ${r.target}; ${r.filesSkipped} already up to date`)))
                    .catch((e) => showError(out, e));
            });
            out.replaceChildren(el('p', {}, `would create or update ${dry.actions.filter((a) => a.op !== 'delete').length} entries in ${dry.target}`), go);
        })
            .catch((e) => showError(out, e));
    });
    return el('div', {}, form, out);
}
export async function renderTree(view, id, path) {
    const t0 = performance.now();
    const first = await api('ls', { snap: id, path, limit: String(PAGE) });
    const snap = first.snapshot;
    const head = el('div', {}, el('h2', {}, `snapshot ${snap.shortId} of ${snap.host}:${snap.source}`, el('span', { class: 'muted' }, `  ${fmtTime(snap.time)}`)), crumbs(snap, path));
    if (first.type !== 'dir') {
        const e = first.entries[0];
        view.replaceChildren(head, el('table', {}, row(snap, e)), restoreForm(snap, path));
        return;
    }
    const tbody = el('tbody', { 'data-test': 'listing' }, ...first.entries.map((e) => row(snap, e)));
    const count = el('p', { 'data-test': 'entry-count' }, `${first.total.toLocaleString('en')} entries`);
    const more = el('button', { 'data-test': 'more' }, 'show more');
    let shown = first.entries.length;
    more.hidden = shown >= first.total;
    more.addEventListener('click', () => {
        api('ls', { snap: snap.id, path, offset: String(shown), limit: String(PAGE) })
            .then((r) => {
            tbody.append(...r.entries.map((e) => row(snap, e)));
            shown += r.entries.length;
            more.hidden = shown >= r.total;
        })
            .catch((e) => showError(view, e));
    });
    const dl = el('div', { class: 'bar' }, 'download this directory: ', link(apiUrl('archive', { snap: snap.id, path, format: 'tar' }), '.tar', { 'data-test': 'tar' }), link(apiUrl('archive', { snap: snap.id, path, format: 'zip' }), '.zip', { 'data-test': 'zip' }), link(`#/log/${snap.shortId}/${encPath(path)}`, 'history of this directory'));
    view.replaceChildren(head, count, dl, findForm(snap), el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Name'), el('th', {}, 'Type'), el('th', { class: 'num' }, 'Size'), el('th', {}, 'Modified (UTC)'), el('th', {}, ''))), tbody), more, restoreForm(snap, path));
    view.dataset.renderMs = String(Math.round(performance.now() - t0));
}
//# sourceMappingURL=tree.js.map