// src/tree/codec.ts: the canonical tree object encoding — exact bytes, round trips of every
// kind, ordering by raw name bytes, and rejection of unsorted, truncated or padded input.
import test from 'ava';
import { StrataError } from '../../src/errors.js';
import { hashBytes } from '../../src/hash.js';
import {
  KINDS,
  TREE_MAGIC,
  decodeChunkList,
  decodeTree,
  encodeChunkList,
  encodeTree,
  sortEntries,
  type TreeEntry,
} from '../../src/tree/codec.js';

const h = (s: string) => hashBytes(Buffer.from(s));
const corrupt = (message?: RegExp) => ({ instanceOf: StrataError, code: 'E_CORRUPT', ...(message ? { message } : {}) }) as const;
const base = { mode: 0o644, uid: 1000, gid: 100, mtimeNs: 1_700_000_000_123_456_789n };

/** One entry of every kind, with values that exercise the field widths. */
function allKinds(): TreeEntry[] {
  return sortEntries([
    { ...base, name: Buffer.from('empty'), kind: 'file', size: 0, content: { hash: h(''), chunks: [] } },
    { ...base, name: Buffer.from('one'), kind: 'file', size: 5, content: { hash: h('hello'), chunks: [h('hello')] } },
    { ...base, name: Buffer.from('three'), kind: 'file', size: 3e9, mode: 0o4755, content: { hash: h('w'), chunks: [h('a'), h('b'), h('c')] } },
    { ...base, name: Buffer.from('listed'), kind: 'file', size: 2 ** 40, content: { hash: h('big'), chunkList: h('list') } },
    { ...base, name: Buffer.from('sub'), kind: 'dir', mode: 0o1777, size: 123456789, subtree: h('tree'), files: 42, dirs: 7 },
    { ...base, name: Buffer.from('link'), kind: 'symlink', size: 4, target: Buffer.from([0x2e, 0x2e, 0xff, 0x2f]) },
    { ...base, name: Buffer.from('pipe'), kind: 'fifo', size: 0 },
    { ...base, name: Buffer.from('sock'), kind: 'socket', size: 0 },
    { ...base, name: Buffer.from('tty'), kind: 'chardev', size: 0, rdev: 0x8801 },
    { ...base, name: Buffer.from('sda'), kind: 'blockdev', size: 0, rdev: 2049 },
    { ...base, name: Buffer.from([0x72, 0x61, 0x77, 0xff, 0xfe]), kind: 'file', size: 1, uid: 4294967295, gid: 65534, content: { hash: h('x'), chunks: [h('x')] } },
    { ...base, name: Buffer.from('pre-1970'), kind: 'file', size: 0, mtimeNs: -123_456_789_000n, content: { hash: h(''), chunks: [] } },
  ]);
}

test('every kind round-trips exactly', (t) => {
  const entries = allKinds();
  const bytes = encodeTree(entries);
  const back = decodeTree(bytes);
  t.deepEqual(back, entries);
  t.deepEqual(encodeTree(back), bytes);
  t.deepEqual(
    KINDS.map((k) => back.filter((e) => e.kind === k).length > 0),
    KINDS.map(() => true),
  );
});

test('an empty tree is magic, version and a zero count', (t) => {
  const b = encodeTree([]);
  t.deepEqual(b, Buffer.from('535452540100000000', 'hex'));
  t.deepEqual(b.subarray(0, 4), TREE_MAGIC);
  t.deepEqual(decodeTree(b), []);
});

test('exact bytes of a symlink entry and of a file entry (docs/format.md)', (t) => {
  const link: TreeEntry = { name: Buffer.from('ab'), kind: 'symlink', mode: 0o777, uid: 1, gid: 2, mtimeNs: 3n, size: 3, target: Buffer.from('x/y') };
  const expectLink = Buffer.concat([
    Buffer.from('STRT'), Buffer.from([1]), Buffer.from('01000000', 'hex'), // magic, version, count
    Buffer.from('0200', 'hex'), Buffer.from('ab'), // name length u16, name
    Buffer.from([2]), // kind: symlink
    Buffer.from('ff010000', 'hex'), Buffer.from('01000000', 'hex'), Buffer.from('02000000', 'hex'), // mode, uid, gid
    Buffer.from('0300000000000000', 'hex'), Buffer.from('0300000000000000', 'hex'), // mtime ns, size
    Buffer.from('03000000', 'hex'), Buffer.from('x/y'), // target length u32, target
  ]);
  t.deepEqual(encodeTree([link]), expectLink);

  const file: TreeEntry = { name: Buffer.from('f'), kind: 'file', mode: 0o600, uid: 0, gid: 0, mtimeNs: -1n, size: 7, content: { hash: h('c'), chunks: [h('c')] } };
  const listed: TreeEntry = { ...file, name: Buffer.from('g'), content: { hash: h('c'), chunkList: h('l') } };
  const fileBytes = encodeTree([file, listed]);
  const header = 9;
  const fixed = 2 + 1 + 1 + 4 + 4 + 4 + 8 + 8; // name len, name, kind, mode, uid, gid, mtime, size
  t.is(fileBytes.readBigInt64LE(header + 2 + 1 + 1 + 12), -1n);
  t.deepEqual(fileBytes.subarray(header + fixed, header + fixed + 32), h('c')); // whole-content hash
  t.is(fileBytes[header + fixed + 32], 0); // inline chunk list
  t.is(fileBytes.readUInt32LE(header + fixed + 33), 1);
  t.deepEqual(fileBytes.subarray(header + fixed + 37, header + fixed + 69), h('c'));
  const second = header + fixed + 69;
  t.is(fileBytes[second + 2], 0x67); // 'g'
  t.is(fileBytes[second + fixed + 32], 1); // chunk-list blob
  t.deepEqual(fileBytes.subarray(second + fixed + 33), h('l'));
  t.is(fileBytes.length, second + fixed + 65);
});

test('canonical: the same entries in any input order give the same bytes', (t) => {
  const entries = allKinds();
  const bytes = encodeTree(entries);
  for (let seed = 1; seed <= 5; seed++) {
    const shuffled = [...entries].sort((a, b) => (hashBytes(Buffer.concat([a.name, Buffer.from([seed])]))[0]! - hashBytes(Buffer.concat([b.name, Buffer.from([seed])]))[0]!));
    t.deepEqual(encodeTree(sortEntries(shuffled)), bytes);
  }
  // copies made field by field encode identically too
  t.deepEqual(encodeTree(entries.map((e) => ({ ...e, name: Buffer.from(e.name) }))), bytes);
});

test('order is by raw name bytes, not by UTF-16 code units or locale', (t) => {
  const mk = (name: Buffer | string): TreeEntry => ({ ...base, name: Buffer.from(name as any), kind: 'fifo', size: 0 });
  // U+FF61 is EF BD A1 in UTF-8 and 0xFF61 in UTF-16; U+1F600 is F0 9F 98 80 / 0xD83D 0xDE00
  const names = ['😀', '｡', 'a', 'B', 'é', 'Z', 'ab', '.hidden'];
  const sorted = sortEntries(names.map(mk)).map((e) => e.name.toString('utf8'));
  t.deepEqual(sorted, ['.hidden', 'B', 'Z', 'a', 'ab', 'é', '｡', '😀']);
  const withRaw = sortEntries([mk(Buffer.from([0xff])), mk('z'), mk(Buffer.from([0x80]))]).map((e) => e.name.toString('hex'));
  t.deepEqual(withRaw, ['7a', '80', 'ff']);
});

test('unsorted or duplicate names are refused by the encoder', (t) => {
  const a: TreeEntry = { ...base, name: Buffer.from('a'), kind: 'fifo', size: 0 };
  const b: TreeEntry = { ...base, name: Buffer.from('b'), kind: 'fifo', size: 0 };
  t.throws(() => encodeTree([b, a]), { message: /not sorted/ });
  t.throws(() => encodeTree([a, a]), { message: /not sorted/ });
  t.notThrows(() => encodeTree([a, b]));
});

test('the decoder refuses every truncation and any trailing byte', (t) => {
  const bytes = encodeTree(allKinds());
  for (let n = 0; n < bytes.length; n++) t.throws(() => decodeTree(bytes.subarray(0, n)), corrupt(), `prefix of ${n} bytes`);
  t.throws(() => decodeTree(Buffer.concat([bytes, Buffer.from([0])])), corrupt(/trailing bytes/));
});

test('the decoder refuses bad magic, version, kind, content ref and order', (t) => {
  const one: TreeEntry = { ...base, name: Buffer.from('f'), kind: 'file', size: 1, content: { hash: h('x'), chunks: [h('x')] } };
  const good = encodeTree([one]);
  const patched = (at: number, v: number) => {
    const b = Buffer.from(good);
    b[at] = v;
    return b;
  };
  t.throws(() => decodeTree(patched(0, 0x73)), corrupt(/bad magic/));
  t.throws(() => decodeTree(patched(4, 3)), corrupt(/unknown version 3/)); // 2 is the version with entry extensions (codec-ext.test.ts)
  t.throws(() => decodeTree(patched(9 + 2 + 1, 7)), corrupt(/unknown kind 7/));
  t.throws(() => decodeTree(patched(9 + 2 + 1 + 1 + 28 + 32, 2)), corrupt(/unknown content ref 2/));
  // two valid entries in the wrong order
  const a = encodeTree([{ ...one, name: Buffer.from('a') }]);
  const b = encodeTree([{ ...one, name: Buffer.from('b') }]);
  const swapped = Buffer.concat([Buffer.from('STRT\x01', 'latin1'), Buffer.from('02000000', 'hex'), b.subarray(9), a.subarray(9)]);
  t.throws(() => decodeTree(swapped), corrupt(/not sorted/));
  const dup = Buffer.concat([Buffer.from('STRT\x01', 'latin1'), Buffer.from('02000000', 'hex'), a.subarray(9), a.subarray(9)]);
  t.throws(() => decodeTree(dup), corrupt(/not sorted/));
  // a count larger than the entries present
  t.throws(() => decodeTree(patched(5, 2)), corrupt(/truncated/));
});

test('chunk-list blobs: concatenated 32-byte hashes', (t) => {
  const list = [h('1'), h('2'), h('3')];
  const raw = encodeChunkList(list);
  t.is(raw.length, 96);
  t.deepEqual(decodeChunkList(raw), list);
  t.deepEqual(decodeChunkList(Buffer.alloc(0)), []);
  t.throws(() => decodeChunkList(raw.subarray(0, 95)), corrupt(/multiple of 32/));
});

test('the decoder refuses names that are not one path component (a restore would escape its target)', (t) => {
  // encodeTree does not check names either; a damaged or hostile repository can hold such trees
  for (const bad of ['', '.', '..', '../../etc/cron.d/x', 'a/b', 'nul\0byte']) {
    const bytes = encodeTree([{ ...base, name: Buffer.from(bad), kind: 'fifo', size: 0 }]);
    t.throws(() => decodeTree(bytes), corrupt(), JSON.stringify(bad));
  }
});

test('the worked example of docs/format.md §6.5', (t) => {
  const content = Buffer.from('hello\n');
  const ch = hashBytes(content);
  const meta = { uid: 1000, gid: 1000, mtimeNs: 1_700_000_000_000_000_000n };
  const bytes = encodeTree([
    { ...meta, name: Buffer.from('hello.txt'), kind: 'file', mode: 0o644, size: 6, content: { hash: ch, chunks: [ch] } },
    { ...meta, name: Buffer.from('link'), kind: 'symlink', mode: 0o777, size: 9, target: Buffer.from('hello.txt') },
  ]);
  t.is(ch.toString('hex'), '8e4c7c1b99dbfd50e7a95185fead5ee1448fa904a2fdd778eaf5f2dbfd629a99');
  t.is(bytes.length, 166);
  t.is(
    bytes.toString('hex'),
    '5354525401020000000900' + '68656c6c6f2e747874' + '00' + 'a4010000' + 'e8030000' + 'e8030000' + '00002a36fe9c9717' + '0600000000000000' +
      ch.toString('hex') + '00' + '01000000' + ch.toString('hex') +
      '0400' + '6c696e6b' + '02' + 'ff010000' + 'e8030000' + 'e8030000' + '00002a36fe9c9717' + '0900000000000000' + '09000000' + '68656c6c6f2e747874',
  );
  t.is(hashBytes(bytes).toString('hex'), '6fbd4713a161aa89375fe5c396f9e2d5fd42eaa540c4f94391da7131505d73d6');
});
