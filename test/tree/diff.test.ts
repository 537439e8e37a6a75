// Tree diff on in-memory trees: statuses, rename pairing, and that the walk
// opens only trees on the path of a change.
import test from 'ava';
import { hashBytes } from '../../src/hash.js';
import type { TreeEntry } from '../../src/tree/codec.js';
import { encodeTree, sortEntries } from '../../src/tree/codec.js';
import { diffEntries, type Change } from '../../src/tree/diff.js';
import type { BlobReader } from '../../src/store/repository.js';

type Spec = { [name: string]: string | Spec | { mode: number; data: string } | { link: string } };

class MemRepo implements BlobReader {
  readonly blobs = new Map<string, Buffer>();
  gets = 0;
  async getBlob(h: Buffer): Promise<Buffer> {
    this.gets++;
    const b = this.blobs.get(h.toString('hex'));
    if (!b) throw new Error('missing blob');
    return b;
  }
  /** Store a tree described by `spec`; returns its root entry. */
  build(spec: Spec, name = '', mtime = 1_000_000_000n): TreeEntry {
    const entries: TreeEntry[] = [];
    let files = 0;
    let dirs = 0;
    let size = 0;
    for (const [n, v] of Object.entries(spec)) {
      const base = { name: Buffer.from(n), uid: 1000, gid: 1000, mtimeNs: mtime };
      if (typeof v === 'string' || 'data' in v) {
        const data = Buffer.from(typeof v === 'string' ? v : (v.data as string));
        const h = hashBytes(data);
        entries.push({ ...base, kind: 'file', mode: typeof v === 'string' ? 0o644 : (v.mode as number), size: data.length, content: { hash: h, chunks: [h] } });
        files++;
        size += data.length;
      } else if ('link' in v) {
        const target = Buffer.from(v.link as string);
        entries.push({ ...base, kind: 'symlink', mode: 0o777, size: target.length, target });
      } else {
        const d = this.build(v as Spec, n, mtime);
        entries.push(d);
        files += d.files!;
        dirs += d.dirs! + 1;
        size += d.size;
      }
    }
    const raw = encodeTree(sortEntries(entries));
    const hash = hashBytes(raw);
    this.blobs.set(hash.toString('hex'), raw);
    return { name: Buffer.from(name), kind: 'dir', mode: 0o755, uid: 1000, gid: 1000, mtimeNs: mtime, size, subtree: hash, files, dirs };
  }
}

const lines = (cs: Change[]) => cs.map((c) => `${c.status} ${c.from ? `${c.from} -> ` : ''}${c.path}${c.modified ? ' +changes' : ''}`);

function many(n: number, prefix: string): Spec {
  const s: Spec = {};
  for (let i = 0; i < n; i++) s[`f${i}.txt`] = `${prefix} file ${i}\n`;
  return s;
}

test('identical trees: nothing, and no tree is opened', async (t) => {
  const r = new MemRepo();
  const a = r.build({ a: 'x', d: { b: 'y' } });
  const b = r.build({ a: 'x', d: { b: 'y' } });
  const res = await diffEntries(r, a, b);
  t.deepEqual(res.changes, []);
  t.is(res.treesLoaded, 0);
});

test('added, removed, modified, metadata-only, symlink retarget', async (t) => {
  const r = new MemRepo();
  const a = r.build({ keep: 'same', edit: 'v1', gone: 'bye', run: 'sh', dir: { x: 'x' }, ln: { link: 'a' } });
  const b = r.build({ keep: 'same', edit: 'v2!', new: 'hi', run: { mode: 0o755, data: 'sh' }, dir: { x: 'x', y: 'y' }, ln: { link: 'b' } });
  const res = await diffEntries(r, a, b);
  t.deepEqual(lines(res.changes), ['added dir/y', 'modified edit', 'modified ln', 'removed gone', 'meta run', 'added new'].sort((x, y) => (x.split(' ')[1]! < y.split(' ')[1]! ? -1 : 1)));
  const edit = res.changes.find((c) => c.path === 'edit')!;
  t.is(edit.oldSize, 2);
  t.is(edit.size, 3);
  t.deepEqual(res.changes.find((c) => c.path === 'run')!.meta, { mode: ['644', '755'] });
});

test('mtime-only change of a file is meta; a directory mtime alone is not reported', async (t) => {
  const r = new MemRepo();
  const a = r.build({ f: 'x', d: { g: 'y' } }, '', 1n);
  const b = r.build({ f: 'x', d: { g: 'y' } }, '', 2n);
  const res = await diffEntries(r, a, b);
  t.deepEqual(lines(res.changes), ['meta d/g', 'meta f']);
  t.truthy(res.changes[0]!.meta!.mtime);
});

test('a renamed file and a renamed directory are one line each, the directory never opened', async (t) => {
  const r = new MemRepo();
  const big: Spec = {};
  for (let i = 0; i < 10; i++) big[`sub${i}`] = many(50, `big${i}`);
  const a = r.build({ src: { 'old.ts': 'code\n', big }, other: 'o' });
  const b = r.build({ src: { 'new.ts': 'code\n' }, lib: { moved: big }, other: 'o' });
  const res = await diffEntries(r, a, b);
  t.deepEqual(lines(res.changes), ['renamed src/big -> lib/moved', 'renamed src/old.ts -> src/new.ts']);
  // root and src on both sides, lib opened to find `moved`, src/big opened one level (not its 10 subdirectories)
  t.true(res.treesLoaded <= 6, `opened ${res.treesLoaded} trees`);
  const dir = res.changes[0]!;
  t.is(dir.kind, 'dir');
  t.is(dir.files, 500);
});

test('a moved file whose content also changed is removed + added', async (t) => {
  const r = new MemRepo();
  const a = r.build({ a: { 'f.txt': 'one\n' } });
  const b = r.build({ b: { 'f.txt': 'two\n' } });
  t.deepEqual(lines((await diffEntries(r, a, b)).changes), ['removed a', 'added b']);
  const a2 = r.build({ a: { 'f.txt': 'one\n', 'g.txt': 'g\n' }, keep: 'k' });
  const b2 = r.build({ 'f.txt': 'one!\n', keep: 'k' });
  t.deepEqual(lines((await diffEntries(r, a2, b2)).changes), ['removed a', 'added f.txt']);
});

test('a moved directory with one edit inside: renamed (with changes) + the edit', async (t) => {
  const r = new MemRepo();
  const files = many(100, 'x');
  const a = r.build({ old: { pkg: files } });
  const b = r.build({ new: { pkg: { ...files, 'f7.txt': 'edited\n', 'extra.txt': 'e' } } });
  const res = await diffEntries(r, a, b);
  t.deepEqual(lines(res.changes), ['renamed old/pkg -> new/pkg +changes', 'added new/pkg/extra.txt', 'modified new/pkg/f7.txt']);
});

test('a file moved out of a deleted directory is a rename; the rest is deleted', async (t) => {
  const r = new MemRepo();
  const a = r.build({ old: { 'keep.txt': 'keep me\n', 'junk.txt': 'junk\n', sub: { z: 'zz' } } });
  const b = r.build({ 'keep.txt': 'keep me\n' });
  t.deepEqual(lines((await diffEntries(r, a, b)).changes), ['renamed old/keep.txt -> keep.txt', 'removed old/junk.txt', 'removed old/sub']);
});

test('a deleted directory is one line even when other things changed', async (t) => {
  const r = new MemRepo();
  const a = r.build({ gone: many(50, 'g'), f: 'x' });
  const b = r.build({ f: 'x2', n: 'new' });
  const res = await diffEntries(r, a, b);
  t.deepEqual(lines(res.changes), ['modified f', 'removed gone', 'added n']);
  t.is(res.changes[1]!.files, 50);
});

test('file replaced by a directory: removed + added', async (t) => {
  const r = new MemRepo();
  const a = r.build({ x: 'file' });
  const b = r.build({ x: { inner: 'i' } });
  t.deepEqual(lines((await diffEntries(r, a, b)).changes), ['added x', 'removed x']);
});

test('identical copies: each removed one pairs with the added one of the same name first', async (t) => {
  const r = new MemRepo();
  const a = r.build({ a: { 'x.txt': 'same', 'y.txt': 'same' } });
  const b = r.build({ b: { 'y.txt': 'same', 'x.txt': 'same' } });
  t.deepEqual(lines((await diffEntries(r, a, b)).changes), ['renamed a -> b']);
  const a2 = r.build({ 'x.txt': 'same', 'y.txt': 'same', other: 'o' });
  const b2 = r.build({ d: { 'y.txt': 'same', 'x.txt': 'same' }, other: 'o' });
  t.deepEqual(lines((await diffEntries(r, a2, b2)).changes), ['renamed x.txt -> d/x.txt', 'renamed y.txt -> d/y.txt']);
});

test('cost follows the change: one edit deep in 20,000 files opens a handful of trees', async (t) => {
  const r = new MemRepo();
  const spec = (edit: boolean): Spec => {
    const top: Spec = {};
    for (let i = 0; i < 20; i++) {
      const mid: Spec = {};
      for (let j = 0; j < 20; j++) mid[`d${j}`] = many(50, `${i}/${j}`);
      top[`t${i}`] = mid;
    }
    if (edit) ((top.t7 as Spec).d3 as Spec)['f9.txt'] = 'changed';
    return top;
  };
  const a = r.build(spec(false));
  const b = r.build(spec(true));
  r.gets = 0;
  const res = await diffEntries(r, a, b);
  t.deepEqual(lines(res.changes), ['modified t7/d3/f9.txt']);
  t.is(res.treesLoaded, 6);
});

test('a path that exists on one side only', async (t) => {
  const r = new MemRepo();
  const d = r.build({ f: 'x' }, 'sub');
  t.deepEqual(lines((await diffEntries(r, undefined, d, 'sub')).changes), ['added sub']);
  t.deepEqual(lines((await diffEntries(r, d, undefined, 'sub')).changes), ['removed sub']);
});
