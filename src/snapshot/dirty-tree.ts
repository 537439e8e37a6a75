// The dirty set as the snapshotter consumes it: a trie of directories (by raw
// name bytes, held as latin1 strings) saying what to re-read. Whatever is not
// in the trie is reused from the parent snapshot unread. Producers (the watch
// daemon) only ever say where to look, never what happened.

export interface DirtyNode {
  /** re-read this directory and everything below it, trusting nothing old */
  recursive: boolean;
  /**
   * announced as created (or moved in): re-read it whole unless it is a directory the dir cache
   * proves it knows (same inode, own stats as recorded; moved: from a marked old place) — then
   * only what is marked below it is looked at (DirBuilder.reuseKnown)
   */
  created: boolean;
  /** re-list this directory (all its entries) */
  all: boolean;
  /** re-stat only these entries of this directory (raw names as latin1) */
  names: Set<string>;
  children: Map<string, DirtyNode>;
}

export const newNode = (): DirtyNode => ({ recursive: false, created: false, all: false, names: new Set(), children: new Map() });

/** Names above this many in one directory turn into a full re-listing. */
export const MAX_NAMES = 1000;

export interface DirtyMark {
  /** directory, relative to the source root, raw bytes as latin1; '' is the root */
  dir: string;
  recursive?: boolean;
  created?: boolean;
  all?: boolean;
  names?: Iterable<string>;
}

/** Build the trie from marks. */
export function buildDirtyTree(marks: Iterable<DirtyMark>): DirtyNode {
  const root = newNode();
  for (const m of marks) {
    let node = root;
    for (const part of m.dir === '' ? [] : m.dir.split('/')) {
      let next = node.children.get(part);
      if (!next) node.children.set(part, (next = newNode()));
      node = next;
    }
    if (m.recursive) node.recursive = true;
    if (m.created) node.created = true;
    if (m.all) node.all = true;
    if (m.names && !node.all) for (const n of m.names) node.names.add(n);
    if (node.names.size > MAX_NAMES) node.all = true;
  }
  return root;
}

export const isEmptyNode = (n: DirtyNode): boolean => !n.recursive && !n.created && !n.all && n.names.size === 0 && n.children.size === 0;

/** The node at `rel` (raw bytes), if marked. */
export function nodeAt(root: DirtyNode, rel: Buffer): DirtyNode | undefined {
  let node: DirtyNode | undefined = root;
  if (rel.length === 0) return root;
  for (const part of rel.toString('latin1').split('/')) {
    node = node.children.get(part);
    if (!node) return undefined;
  }
  return node;
}

/** Both nodes' marks in one (a moved directory: the marks at its old and at its new place). */
export function mergeNodes(a: DirtyNode | undefined, b: DirtyNode | undefined): DirtyNode | undefined {
  if (!a || !b) return a ?? b;
  const out: DirtyNode = { recursive: a.recursive || b.recursive, created: a.created || b.created, all: a.all || b.all, names: new Set([...a.names, ...b.names]), children: new Map(a.children) };
  for (const [k, v] of b.children) out.children.set(k, mergeNodes(out.children.get(k), v)!);
  if (out.names.size > MAX_NAMES) out.all = true;
  return out;
}

/** Every path the trie names (marked names and marked directories), raw bytes as latin1. */
export function* markedPaths(root: DirtyNode, prefix = ''): Generator<string> {
  for (const n of root.names) yield prefix + n;
  for (const [k, child] of root.children) {
    yield prefix + k;
    yield* markedPaths(child, prefix + k + '/');
  }
}
