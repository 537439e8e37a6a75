import { loadTree } from '../tree/trees.js';
const same = (a, b) => a.kind === b.kind &&
    a.mode === b.mode &&
    a.mtimeNs === b.mtimeNs &&
    a.uid === b.uid &&
    a.gid === b.gid &&
    (a.kind === 'dir' ? a.subtree.equals(b.subtree) : a.kind === 'file' ? a.content.hash.equals(b.content.hash) : a.size === b.size);
export async function countChanges(repo, a, b) {
    if (a.equals(b))
        return 0;
    const [ea, eb] = [await loadTree(repo, a), await loadTree(repo, b)];
    const mb = new Map(eb.map((e) => [e.name.toString('latin1'), e]));
    let n = 0;
    for (const x of ea) {
        const key = x.name.toString('latin1');
        const y = mb.get(key);
        mb.delete(key);
        if (!y)
            n += x.kind === 'dir' ? 1 + x.files + x.dirs : 1;
        else if (x.kind === 'dir' && y.kind === 'dir') {
            if (!x.subtree.equals(y.subtree))
                n += await countChanges(repo, x.subtree, y.subtree);
            else if (!same(x, y))
                n++;
        }
        else if (!same(x, y))
            n++;
    }
    for (const y of mb.values())
        n += y.kind === 'dir' ? 1 + y.files + y.dirs : 1;
    return n;
}
//# sourceMappingURL=count-changes.js.map