// The dirty set as the snapshotter consumes it: a trie of directories (by raw
// name bytes, held as latin1 strings) saying what to re-read. Whatever is not
// in the trie is reused from the parent snapshot unread. Producers (the watch
// daemon) only ever say where to look, never what happened.
export const newNode = () => ({ recursive: false, created: false, all: false, names: new Set(), children: new Map() });
/** Names above this many in one directory turn into a full re-listing. */
export const MAX_NAMES = 1000;
/** Build the trie from marks. */
export function buildDirtyTree(marks) {
    const root = newNode();
    for (const m of marks) {
        let node = root;
        for (const part of m.dir === '' ? [] : m.dir.split('/')) {
            let next = node.children.get(part);
            if (!next)
                node.children.set(part, (next = newNode()));
            node = next;
        }
        if (m.recursive)
            node.recursive = true;
        if (m.created)
            node.created = true;
        if (m.all)
            node.all = true;
        if (m.names && !node.all)
            for (const n of m.names)
                node.names.add(n);
        if (node.names.size > MAX_NAMES)
            node.all = true;
    }
    return root;
}
export const isEmptyNode = (n) => !n.recursive && !n.created && !n.all && n.names.size === 0 && n.children.size === 0;
/** The node at `rel` (raw bytes), if marked. */
export function nodeAt(root, rel) {
    let node = root;
    if (rel.length === 0)
        return root;
    for (const part of rel.toString('latin1').split('/')) {
        node = node.children.get(part);
        if (!node)
            return undefined;
    }
    return node;
}
/** Both nodes' marks in one (a moved directory: the marks at its old and at its new place). */
export function mergeNodes(a, b) {
    if (!a || !b)
        return a ?? b;
    const out = { recursive: a.recursive || b.recursive, created: a.created || b.created, all: a.all || b.all, names: new Set([...a.names, ...b.names]), children: new Map(a.children) };
    for (const [k, v] of b.children)
        out.children.set(k, mergeNodes(out.children.get(k), v));
    if (out.names.size > MAX_NAMES)
        out.all = true;
    return out;
}
/** Every path the trie names (marked names and marked directories), raw bytes as latin1. */
export function* markedPaths(root, prefix = '') {
    for (const n of root.names)
        yield prefix + n;
    for (const [k, child] of root.children) {
        yield prefix + k;
        yield* markedPaths(child, prefix + k + '/');
    }
}
//# sourceMappingURL=dirty-tree.js.map