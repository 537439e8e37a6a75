// src/tree/codec.ts, version 2 entry extensions (docs/format.md §6.1a): round
// trips of every record, version 1 kept when no entry has one (old trees keep
// their bytes and hashes), unknown tags skipped, damaged records rejected.
import test from 'ava';
import { StrataError } from '../../src/errors.js';
import { hashBytes } from '../../src/hash.js';
import { TREE_VERSION, TREE_VERSION_EXT, decodeTree, encodeTree, sortEntries, type TreeEntry } from '../../src/tree/codec.js';

const h = (s: string) => hashBytes(Buffer.from(s));
const base = { mode: 0o644, uid: 1000, gid: 100, mtimeNs: 1_700_000_000_123_456_789n };
const corrupt = { instanceOf: StrataError, code: 'E_CORRUPT' } as const;

function rich(): TreeEntry[] {
  return sortEntries([
    {
      ...base,
      name: Buffer.from('a'),
      kind: 'file',
      size: 6,
      content: { hash: h('hello\n'), chunks: [h('hello\n')] },
      atimeNs: -5n,
      link: { dev: 2n ** 64n - 1n, ino: 123456789012345n, nlink: 3 },
      xattrs: [
        { name: Buffer.from('system.posix_acl_access'), value: Buffer.from([2, 0, 0, 0, 1, 0, 6, 0]), size: 8 },
        { name: Buffer.from('user.big'), blob: h('big value'), size: 100_000 },
        { name: Buffer.from('user.empty'), value: Buffer.alloc(0), size: 0 },
      ],
      sparse: true,
      changed: true,
    },
    { ...base, name: Buffer.from('d'), kind: 'dir', size: 0, subtree: h('t'), files: 0, dirs: 0, atimeNs: 1n },
    { ...base, name: Buffer.from('plain'), kind: 'fifo', size: 0 },
  ]);
}

test('every extension record round-trips; entries without records stay without', (t) => {
  const entries = rich();
  const b = encodeTree(entries);
  t.is(b[4], TREE_VERSION_EXT);
  const back = decodeTree(b);
  t.deepEqual(back, entries);
  t.is(back[2]!.atimeNs, undefined);
  t.true(encodeTree(back).equals(b), 'canonical: re-encoding gives the same bytes');
});

test('no extensions: version 1, byte for byte what older strata wrote', (t) => {
  const plain: TreeEntry[] = [{ ...base, name: Buffer.from('x'), kind: 'file', size: 1, content: { hash: h('x'), chunks: [h('x')] } }];
  const b = encodeTree(plain);
  t.is(b[4], TREE_VERSION);
  // header 9 + name 2+1 + fixed 29 + file part 32+1+4+32
  t.is(b.length, 9 + 3 + 29 + 69);
  const back = decodeTree(b)[0]!;
  t.is(back.atimeNs, undefined);
  t.is(back.link, undefined);
  t.is(back.xattrs, undefined);
});

test('unknown tags are skipped; unsorted, truncated or malformed records are corrupt', (t) => {
  const e: TreeEntry[] = [{ ...base, name: Buffer.from('x'), kind: 'fifo', size: 0, sparse: true }];
  const b = encodeTree(e);
  // the block is the last 4 + 5 bytes: extLen 5, tag 4, len 0
  t.is(b.readUInt32LE(b.length - 9), 5);
  const unknown = Buffer.from(b);
  unknown[b.length - 5] = 200;
  t.false(!!decodeTree(unknown)[0]!.sparse);
  const withTwo = Buffer.concat([b.subarray(0, b.length - 9), Buffer.from([10, 0, 0, 0, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0])]);
  t.throws(() => decodeTree(withTwo), corrupt); // tag 4 then tag 1: unsorted
  t.throws(() => decodeTree(Buffer.concat([b.subarray(0, b.length - 9), Buffer.from([9, 0, 0, 0, 1, 4, 0, 0, 0])])), corrupt); // truncated record
  t.throws(() => decodeTree(Buffer.concat([b.subarray(0, b.length - 9), Buffer.from([5, 0, 0, 0, 1, 0, 0, 0, 0])])), corrupt); // atime of 0 bytes
  t.throws(() => encodeTree([{ ...e[0]!, xattrs: [{ name: Buffer.from('user.b'), value: Buffer.from('1'), size: 1 }, { name: Buffer.from('user.a'), value: Buffer.from('2'), size: 1 }] }]));
});
