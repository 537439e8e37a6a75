import { MAX_NAMES } from '../snapshot/dirty-tree.js';
const MAX_KEY = 1800; // LMDB keys are limited to ~1978 bytes
export class DirtySet {
    index;
    marks = new Map();
    seq = 0;
    prefix;
    constructor(index, sourceKey) {
        this.index = index;
        this.prefix = `dirty\0${sourceKey}\0`;
        for (const { key, value } of index.state.getRange({ start: this.prefix, end: this.prefix + '\uffff' })) {
            const v = value;
            this.marks.set(key.slice(this.prefix.length), { recursive: v.r, created: !!v.c, all: v.a, names: new Set(v.n), seq: v.s });
            this.seq = Math.max(this.seq, v.s);
        }
    }
    get size() {
        return this.marks.size;
    }
    get currentSeq() {
        return this.seq;
    }
    /** Merge marks and persist them; resolves once they are committed. */
    async add(marks) {
        const seq = ++this.seq;
        const changed = new Set();
        for (let m of marks) {
            if (Buffer.byteLength(this.prefix + m.dir, 'latin1') > MAX_KEY)
                m = { dir: shorten(m.dir, MAX_KEY - this.prefix.length), recursive: true };
            let cur = this.marks.get(m.dir);
            if (!cur)
                this.marks.set(m.dir, (cur = { recursive: false, created: false, all: false, names: new Set(), seq }));
            cur.seq = seq;
            if (m.recursive)
                cur.recursive = true;
            if (m.created)
                cur.created = true;
            if (m.all)
                cur.all = true;
            if (m.names && !cur.all)
                for (const n of m.names)
                    cur.names.add(n);
            if (cur.names.size > MAX_NAMES)
                cur.all = true;
            if (cur.all)
                cur.names.clear();
            changed.add(m.dir);
        }
        const writes = [];
        for (const dir of changed) {
            const m = this.marks.get(dir);
            writes.push(this.index.state.put(this.prefix + dir, { r: m.recursive, c: m.created, a: m.all, n: [...m.names], s: m.seq }));
        }
        await Promise.all(writes);
    }
    /** The current marks, and the sequence number they reach. */
    take() {
        const marks = [...this.marks].map(([dir, m]) => ({ dir, recursive: m.recursive, created: m.created, all: m.all, names: [...m.names] }));
        return { marks, seq: this.seq };
    }
    /** Forget marks not touched after `seq`. */
    async clear(seq) {
        const writes = [];
        for (const [dir, m] of this.marks) {
            if (m.seq > seq)
                continue;
            this.marks.delete(dir);
            writes.push(this.index.state.remove(this.prefix + dir));
        }
        await Promise.all(writes);
    }
}
function shorten(dir, max) {
    let d = dir;
    while (Buffer.byteLength(d, 'latin1') > max && d.includes('/'))
        d = d.slice(0, d.lastIndexOf('/'));
    return Buffer.byteLength(d, 'latin1') > max ? '' : d;
}
//# sourceMappingURL=dirty-set.js.map