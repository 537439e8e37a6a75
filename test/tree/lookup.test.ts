// The name scan of lookup.ts must agree with decodeTree on every entry kind
// and content layout, found or not.
import test from 'ava';
import { hashBytes } from '../../src/hash.js';
import { encodeTree, sortEntries, type TreeEntry } from '../../src/tree/codec.js';
import { lookupEncoded } from '../../src/tree/lookup.js';

const h = (s: string) => hashBytes(Buffer.from(s));
const base = (name: string) => ({ name: Buffer.from(name), mode: 0o644, uid: 1, gid: 2, mtimeNs: 123n });

const entries: TreeEntry[] = sortEntries([
  { ...base('a-file'), kind: 'file', size: 3, content: { hash: h('a'), chunks: [h('a')] } },
  { ...base('b-many-chunks'), kind: 'file', size: 9, content: { hash: h('b'), chunks: [h('1'), h('2'), h('3')] } },
  { ...base('c-listed'), kind: 'file', size: 1 << 30, content: { hash: h('c'), chunkList: h('list') } },
  { ...base('d-dir'), kind: 'dir', size: 10, subtree: h('tree'), files: 4, dirs: 1 },
  { ...base('e-link'), kind: 'symlink', size: 6, target: Buffer.from('target') },
  { ...base('f-fifo'), kind: 'fifo', size: 0 },
  { ...base('g-dev'), kind: 'chardev', size: 0, rdev: 259 },
  { ...base('h-empty-file'), kind: 'file', size: 0, content: { hash: h(''), chunks: [] } },
  { ...base('z-last-dir'), kind: 'dir', size: 0, subtree: h('t2'), files: 0, dirs: 0 },
]);
const raw = encodeTree(entries);

test('every entry is found with the right kind; directories give their subtree hash', (t) => {
  for (const e of entries) {
    const r = lookupEncoded(raw, e.name);
    t.true(r.found, e.name.toString());
    if (!r.found) continue;
    t.is(r.kind, e.kind);
    if (e.kind === 'dir') t.true(r.subtree!.equals(e.subtree!));
    else t.deepEqual(r.entry, e);
    const full = lookupEncoded(raw, e.name, true);
    t.deepEqual(full.found && full.entry, e);
  }
});

test('absent names, before, between and after the entries', (t) => {
  for (const n of ['', '0', 'a', 'a-filf', 'c', 'y', 'zz', 'z-last-dir0']) t.false(lookupEncoded(raw, Buffer.from(n)).found, n);
  t.false(lookupEncoded(encodeTree([]), Buffer.from('x')).found);
});

test('damaged bytes are reported by the full decoder', (t) => {
  t.throws(() => lookupEncoded(raw.subarray(0, raw.length - 5), Buffer.from('zzz')), { message: /truncated|trailing/ });
  const bad = Buffer.from(raw);
  bad[4] = 99;
  t.throws(() => lookupEncoded(bad, Buffer.from('a-file')), { message: /unknown version/ });
});
