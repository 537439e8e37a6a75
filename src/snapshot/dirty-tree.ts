// The dirty set as the snapshotter consumes it: a trie of directories (by raw
// name bytes, held as latin1 strings) saying what to re-read. Whatever is not
// in the trie is reused from the parent snapshot unread. Producers (the watch
// daemon) only ever say where to look, never what happened.

export interface DirtyNode {
  /** re-read this directory and everything below it, trusting nothing old */
  recursive: boolean;
  /** re-list this directory (all its entries) */
  all: boolean;
  /** re-stat only these entries of this directory (raw names as latin1) */
  names: Set<string>;
  children: Map<string, DirtyNode>;
}

export const newNode = (): DirtyNode => ({ recursive: false, all: false, names: new Set(), children: new Map() });

/** Names above this many in one directory turn into a full re-listing. */
export const MAX_NAMES = 1000;

export interface DirtyMark {
  /** directory, relative to the source root, raw bytes as latin1; '' is the root */
  dir: string;
  recursive?: boolean;
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
    if (m.all) node.all = true;
    if (m.names && !node.all) for (const n of m.names) node.names.add(n);
    if (node.names.size > MAX_NAMES) node.all = true;
  }
  return root;
}

export const isEmptyNode = (n: DirtyNode): boolean => !n.recursive && !n.all && n.names.size === 0 && n.children.size === 0;
