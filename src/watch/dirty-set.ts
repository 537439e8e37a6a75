// The persistent dirty set: directories that events said to look at, stored
// in the cache (LMDB) before anything acts on them, so a daemon killed at any moment loses
// no change. Each mark carries a sequence number; a snapshot clears only the
// marks it started from, so marks made while it ran survive to the next one.
import type { RepoCache } from '../store/ports.js';
import { MAX_NAMES, type DirtyMark } from '../snapshot/dirty-tree.js';

interface Mark {
  recursive: boolean;
  created: boolean;
  all: boolean;
  names: Set<string>;
  seq: number;
}

interface Stored {
  r: boolean;
  /** created (absent in sets written before it existed) */
  c?: boolean;
  a: boolean;
  n: string[];
  s: number;
}

const MAX_KEY = 1800; // LMDB keys are limited to ~1978 bytes

export class DirtySet {
  private readonly marks = new Map<string, Mark>();
  private seq = 0;
  private readonly prefix: string;

  constructor(
    private readonly index: Pick<RepoCache, 'state'>,
    sourceKey: string,
  ) {
    this.prefix = `dirty\0${sourceKey}\0`;
    for (const { key, value } of index.state.getRange({ start: this.prefix, end: this.prefix + '\uffff' })) {
      const v = value as Stored;
      this.marks.set((key as string).slice(this.prefix.length), { recursive: v.r, created: !!v.c, all: v.a, names: new Set(v.n), seq: v.s });
      this.seq = Math.max(this.seq, v.s);
    }
  }

  get size(): number {
    return this.marks.size;
  }

  get currentSeq(): number {
    return this.seq;
  }

  /** Merge marks and persist them; resolves once they are committed. */
  async add(marks: Iterable<DirtyMark>): Promise<void> {
    const seq = ++this.seq;
    const changed = new Set<string>();
    for (let m of marks) {
      if (Buffer.byteLength(this.prefix + m.dir, 'latin1') > MAX_KEY) m = { dir: shorten(m.dir, MAX_KEY - this.prefix.length), recursive: true };
      let cur = this.marks.get(m.dir);
      if (!cur) this.marks.set(m.dir, (cur = { recursive: false, created: false, all: false, names: new Set(), seq }));
      cur.seq = seq;
      if (m.recursive) cur.recursive = true;
      if (m.created) cur.created = true;
      if (m.all) cur.all = true;
      if (m.names && !cur.all) for (const n of m.names) cur.names.add(n);
      if (cur.names.size > MAX_NAMES) cur.all = true;
      if (cur.all) cur.names.clear();
      changed.add(m.dir);
    }
    const writes: Promise<unknown>[] = [];
    for (const dir of changed) {
      const m = this.marks.get(dir)!;
      writes.push(this.index.state.put(this.prefix + dir, { r: m.recursive, c: m.created, a: m.all, n: [...m.names], s: m.seq } satisfies Stored));
    }
    await Promise.all(writes);
  }

  /** The current marks, and the sequence number they reach. */
  take(): { marks: DirtyMark[]; seq: number } {
    const marks = [...this.marks].map(([dir, m]) => ({ dir, recursive: m.recursive, created: m.created, all: m.all, names: [...m.names] }));
    return { marks, seq: this.seq };
  }

  /** Forget marks not touched after `seq`. */
  async clear(seq: number): Promise<void> {
    const writes: Promise<unknown>[] = [];
    for (const [dir, m] of this.marks) {
      if (m.seq > seq) continue;
      this.marks.delete(dir);
      writes.push(this.index.state.remove(this.prefix + dir));
    }
    await Promise.all(writes);
  }
}

function shorten(dir: string, max: number): string {
  let d = dir;
  while (Buffer.byteLength(d, 'latin1') > max && d.includes('/')) d = d.slice(0, d.lastIndexOf('/'));
  return Buffer.byteLength(d, 'latin1') > max ? '' : d;
}
