// Turns watcher events into dirty marks. An event never says what happened,
// only where to look: the parent directory of the path gets the name to
// re-stat, and a created path is also marked as created: a directory there is
// re-read whole (files made in it before its watch existed are then found)
// unless the snapshotter proves it is a directory it knows, moved or not.
import * as path from 'node:path';
import { IGNORE_FILE } from '../snapshot/ignore-rules.js';
const raw = (s) => Buffer.from(s, 'utf8').toString('latin1');
export function eventsToMarks(root, events) {
    const marks = [];
    for (const ev of events) {
        const rel = path.relative(root, ev.path);
        if (rel.startsWith('..') || path.isAbsolute(rel))
            continue;
        if (rel === '') {
            marks.push({ dir: '', all: true });
            continue;
        }
        const parent = path.dirname(rel);
        const dir = parent === '.' ? '' : raw(parent);
        const base = path.basename(rel);
        // a name that was not valid UTF-8 reaches us mangled: re-list the directory instead
        if (base.includes('\ufffd'))
            marks.push({ dir, all: true });
        else if (base === IGNORE_FILE)
            marks.push({ dir, recursive: true });
        else
            marks.push({ dir, names: [raw(base)] });
        if (ev.type === 'create')
            marks.push({ dir: raw(rel), created: true });
    }
    return marks;
}
//# sourceMappingURL=event-marks.js.map