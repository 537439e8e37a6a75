// The diff of two snapshots (any two, picked from lists), renames collapsed as
// "R old -> new", grouped by the next path component so one can drill into a
// directory; a changed file links to the text diff of its two versions.
/// <reference lib="dom" />
import { api, el, encPath, fmtBytes, link, showError } from './dom.js';
import { renderDiffText } from './history.js';
const LETTER = { added: 'A', removed: 'D', modified: 'M', renamed: 'R', meta: 'm' };
/** The line `strata diff` prints for a change (without its notes). */
export function changeText(c) {
    const shown = (p) => (p || '.') + (c.kind === 'dir' && p ? '/' : '');
    return `${LETTER[c.status]}  ${c.status === 'renamed' ? `${shown(c.from)} -> ${shown(c.path)}` : shown(c.path)}`;
}
function picker(all, chosen, name) {
    const s = el('select', { 'data-test': `pick-${name}` });
    for (const x of all) {
        const o = el('option', { value: x.shortId }, `${x.shortId}  ${x.time.replace('T', ' ').slice(0, 19)}  ${x.source}`);
        o.selected = x.id.startsWith(chosen);
        s.append(o);
    }
    return s;
}
export async function renderSnapDiff(view, a, b, path) {
    const [{ snapshots }, r] = await Promise.all([api('snapshots'), api('diff', { a, b, path })]);
    const pa = picker(snapshots, r.a.id, 'a');
    const pb = picker(snapshots, r.b.id, 'b');
    const go = el('button', { 'data-test': 'compare' }, 'compare');
    go.addEventListener('click', () => (location.hash = `#/diff/${pa.value}/${pb.value}/${encPath(path)}`));
    const base = `#/diff/${r.a.shortId}/${r.b.shortId}/`;
    const parts = path.split('/').filter(Boolean);
    const crumbs = el('div', { class: 'crumbs', 'data-test': 'diff-crumbs' }, link(base, '/'));
    parts.forEach((p, i) => crumbs.append(link(base + encPath(parts.slice(0, i + 1).join('/')), p), '/'));
    // group by the next component below `path`
    const groups = new Map();
    const depth = parts.length;
    for (const c of r.changes) {
        for (const p of c.status === 'renamed' ? [c.path, c.from] : [c.path]) {
            const segs = p.split('/');
            if (segs.length > depth + 1)
                groups.set(segs[depth], (groups.get(segs[depth]) ?? 0) + 1);
        }
    }
    const groupRows = [...groups].map(([name, n]) => el('tr', { 'data-test': 'diff-group' }, el('td', {}, link(base + encPath([...parts, name].join('/')), `${name}/`, { 'data-test': 'drill' })), el('td', { class: 'num' }, `${n} change${n === 1 ? '' : 's'} below`)));
    const textOut = el('div', { 'data-test': 'diff-out' });
    const rows = r.changes.slice(0, 5000).map((c) => {
        const line = el('td', { class: 'mono' }, changeText(c));
        const notes = el('td', { class: 'muted' }, c.status === 'modified' && c.kind === 'file' ? `${fmtBytes(c.oldSize ?? 0)} -> ${fmtBytes(c.size)}` : c.kind === 'dir' ? `${c.files ?? 0} files` : c.kind);
        const act = el('td', {});
        if (c.status === 'modified' && c.kind === 'file') {
            const show = el('button', { 'data-test': 'show-text-diff' }, 'text diff');
            show.addEventListener('click', () => renderDiffText(textOut, r.a.id, r.b.id, c.path).catch((e) => showError(textOut, e)));
            act.append(show, ' ', link(`#/log/${r.b.shortId}/${encPath(c.path)}`, 'history'));
        }
        return el('tr', { 'data-test': 'change', 'data-status': c.status }, line, notes, act);
    });
    const n = (s) => r.changes.filter((c) => c.status === s).length;
    view.replaceChildren(el('h2', {}, `diff ${r.a.shortId} → ${r.b.shortId}`), el('div', { class: 'bar' }, 'A ', pa, ' B ', pb, go), crumbs, el('p', { 'data-test': 'diff-summary' }, r.changes.length === 0 ? 'no differences' : `${n('added')} added, ${n('removed')} removed, ${n('modified')} modified, ${n('renamed')} renamed, ${n('meta')} metadata only`), groupRows.length ? el('table', {}, el('tbody', {}, ...groupRows)) : '', el('table', {}, el('tbody', { 'data-test': 'changes' }, ...rows)), textOut);
}
//# sourceMappingURL=snapdiff.js.map