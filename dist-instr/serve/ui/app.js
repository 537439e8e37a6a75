// The page's entry point: a hash router over the views, and live updates (an
// EventSource on /api/events; the timeline re-renders when snapshots change).
/// <reference lib="dom" />
import { decPath, el, showError } from './dom.js';
import { renderHistory } from './history.js';
import { renderSnapDiff } from './snapdiff.js';
import { renderTimeline } from './timeline.js';
import { renderTree } from './tree.js';
const view = document.getElementById('view');
let seq = 0;
async function route() {
    const my = ++seq;
    const segs = location.hash.replace(/^#\/?/, '').split('/');
    const [kind, ...rest] = segs;
    view.dataset.state = 'loading';
    try {
        if (kind === 'snap' && rest[0])
            await renderTree(view, rest[0], decPath(rest.slice(1)));
        else if (kind === 'log' && rest[0])
            await renderHistory(view, rest[0], decPath(rest.slice(1)));
        else if (kind === 'diff' && rest[0] && rest[1])
            await renderSnapDiff(view, rest[0], rest[1], decPath(rest.slice(2)));
        else
            await renderTimeline(view);
    }
    catch (e) {
        if (my === seq)
            showError(view, e);
    }
    if (my === seq) {
        view.dataset.state = 'ready';
        view.dataset.ready = location.hash; // tests wait for this
    }
}
function live() {
    const badge = document.getElementById('live');
    const es = new EventSource('/api/events');
    let last = '';
    es.addEventListener('snapshots', (ev) => {
        const d = JSON.parse(ev.data);
        badge.replaceChildren(el('span', { 'data-test': 'live-count' }, `live: ${d.count} snapshots`));
        const key = `${d.count}:${d.latest}`;
        if (last && key !== last && (location.hash === '' || location.hash === '#/'))
            void route();
        last = key;
    });
    es.onerror = () => badge.replaceChildren('live: reconnecting…');
}
window.addEventListener('hashchange', () => void route());
live();
void route();
//# sourceMappingURL=app.js.map