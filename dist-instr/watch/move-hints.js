// Early word of a big directory's rename. watchman reports a moved directory
// only after re-crawling all of it (~150 µs per entry, one batch at the end),
// so a snapshot could not start before the whole subtree was re-announced. A
// few kernel watches (fs.watch, inotify) on the directories that hold a big
// subdirectory (at least `minEntries` entries below it, from the latest
// snapshot's trees) see such a rename at once: the hint marks the old and the
// new name in the parent and the new name as created, which the snapshotter
// resolves to the moved subtree (snapshot/known-dirs.ts) without listing it.
// Hints are only hints: watchman's own events still arrive and are applied by
// the next snapshot; a lost hint costs time, never a change.
import * as fs from 'node:fs';
import { loadTree } from '../tree/trees.js';
export class MoveHints {
    root;
    onHint;
    watchers = new Map();
    /** per watched directory (raw relative path as latin1): the big subdirectories' names there */
    bigNames = new Map();
    closed = false;
    generation = 0;
    minEntries;
    maxWatches;
    constructor(root, onHint, opts = {}) {
        this.root = root;
        this.onHint = onHint;
        this.minEntries = opts.minEntries ?? 2000;
        this.maxWatches = opts.maxWatches ?? 256;
    }
    get watching() {
        return this.watchers.size;
    }
    /** Watch the parents of the big directories of the snapshot tree `rootTree` (replacing earlier watches). */
    async refresh(repo, rootTree) {
        const gen = ++this.generation;
        const want = new Map();
        const queue = [{ rel: '', tree: rootTree }];
        while (queue.length && want.size < this.maxWatches) {
            const { rel, tree } = queue.shift();
            let entries;
            try {
                entries = await loadTree(repo, tree);
            }
            catch {
                continue; // a hint is not worth an error
            }
            if (gen !== this.generation || this.closed)
                return;
            for (const e of entries) {
                if (e.kind !== 'dir' || (e.files ?? 0) + (e.dirs ?? 0) < this.minEntries)
                    continue;
                const name = e.name.toString('latin1');
                let s = want.get(rel);
                if (!s)
                    want.set(rel, (s = new Set()));
                s.add(name);
                queue.push({ rel: rel ? `${rel}/${name}` : name, tree: e.subtree });
            }
        }
        for (const [rel, w] of this.watchers)
            if (!want.has(rel)) {
                w.close();
                this.watchers.delete(rel);
            }
        this.bigNames.clear();
        for (const [rel, names] of want) {
            this.bigNames.set(rel, names);
            if (this.watchers.has(rel))
                continue;
            const abs = Buffer.concat([Buffer.from(this.root), rel ? Buffer.from('/' + rel, 'latin1') : Buffer.alloc(0)]);
            try {
                const w = fs.watch(abs, { persistent: false, encoding: 'buffer' }, (type, name) => this.onEvent(rel, abs, type, name));
                w.on('error', () => this.drop(rel));
                this.watchers.set(rel, w);
            }
            catch {
                // gone already, or out of watches: watchman still reports it, later
            }
        }
    }
    drop(rel) {
        this.watchers.get(rel)?.close();
        this.watchers.delete(rel);
    }
    onEvent(rel, abs, type, name) {
        if (this.closed || type !== 'rename' || !name)
            return;
        const key = name.toString('latin1');
        let isDir = false;
        try {
            isDir = fs.lstatSync(Buffer.concat([abs, Buffer.from('/'), name])).isDirectory();
        }
        catch {
            isDir = false;
        }
        // a directory appeared (moved here: its old name's event comes too), or a big one left
        if (!isDir && !this.bigNames.get(rel)?.has(key))
            return;
        const marks = [{ dir: rel, names: [key] }];
        if (isDir)
            marks.push({ dir: rel ? `${rel}/${key}` : key, created: true });
        this.onHint(marks);
    }
    close() {
        this.closed = true;
        for (const w of this.watchers.values())
            w.close();
        this.watchers.clear();
    }
}
//# sourceMappingURL=move-hints.js.map