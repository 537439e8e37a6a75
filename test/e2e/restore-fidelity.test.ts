// Faithful restores through the CLI (issue #13): hard links, sparse files,
// xattrs and POSIX ACLs, nanosecond atimes/mtimes for files, dirs and
// symlinks, modes and owners, devices, the restore root's own metadata;
// sockets skipped with a warning; --no-xattrs; dry run over an identical tree
// changes nothing; a target inside the repository is refused.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { json, newRepo, ok, strata, tmpDir } from '../helpers/cli.js';
import { buildRichTree, compareTrees, isRoot, setAllTimes, xattrDump } from '../restore/compare.js';

// these tests record atimes too (off by default: docs/format.md §6.1a); strata() passes process.env on
process.env.STRATA_RECORD_ATIME = '1';

const noSockets = { skip: (_rel: string, st: fs.BigIntStats) => st.isSocket() };

function richSource(t: Parameters<typeof tmpDir>[0]): string {
  const src = path.join(tmpDir(t), 'src');
  buildRichTree(src);
  execFileSync('python3', ['-c', 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])', path.join(src, 'sock')]);
  fs.chmodSync(src, 0o751);
  setAllTimes(src);
  return src;
}

test('a rich tree comes back exactly: ino groups, blocks, ns times, modes, owners, xattrs, ACLs, devices, bytes', (t) => {
  const repo = newRepo(t);
  const src = richSource(t);
  const snap = json(t, ['snapshot', src], { repo });
  t.true(snap.bytesRead < 1 << 20, `sparse file read by its data only: bytesRead ${snap.bytesRead}`);
  const out = path.join(tmpDir(t), 'out');
  const r = strata(['restore', 'latest', '--target', out], { repo });
  t.is(r.code, EXIT.OK, r.stderr);
  t.regex(r.stderr, /sock: socket skipped/);
  t.false(fs.existsSync(path.join(out, 'sock')));
  t.regex(r.stdout, /3 hard links/); // b.txt, sub/c.txt → a.txt; other/pair2 → pair1
  t.deepEqual(compareTrees(src, out, noSockets), []);
  // the restore root got the source root's mode and times
  const so = fs.lstatSync(out, { bigint: true });
  t.is(so.mode & 0o7777n, 0o751n);
  t.is(so.mtimeNs, 1500000000999999999n);
  // sparse: holes stayed holes
  const sp = fs.statSync(path.join(out, 'sparse.img'));
  t.true(sp.blocks * 512 < 1 << 20, `restored sparse file allocates ${sp.blocks * 512} bytes`);
  t.regex(xattrDump(path.join(out, 'attrs.txt')), /system\.posix_acl_access/);
  t.regex(execFileSync('getfacl', ['-p', path.join(out, 'acldir')], { encoding: 'utf8' }), /default:user:nobody:r-x/);

  // a dry run over the identical tree has nothing to do (devices, fifos and links included)
  const dry = json(t, ['restore', 'latest', '--target', out, '--dry-run'], { repo });
  t.deepEqual(
    dry.actions.filter((a: any) => a.op !== 'skip'),
    [],
  );
  // and a real restore over it changes nothing either
  ok(t, ['restore', 'latest', '--target', out], { repo });
  t.deepEqual(compareTrees(src, out, noSockets), []);
});

test('restoring over an existing target fixes its metadata; a subtree restore links what it holds', (t) => {
  const repo = newRepo(t);
  const src = richSource(t);
  ok(t, ['snapshot', src], { repo });
  const out = tmpDir(t);
  fs.chmodSync(out, 0o700);
  ok(t, ['restore', 'latest', '--target', out], { repo });
  t.is(fs.statSync(out).mode & 0o7777, 0o751);
  t.deepEqual(compareTrees(src, out, noSockets), []);
  // a single file restore: just that name, no dangling links
  const one = path.join(tmpDir(t), 'one');
  ok(t, ['restore', 'latest:sub/c.txt', '--target', one], { repo });
  t.is(fs.readFileSync(path.join(one, 'c.txt'), 'utf8'), 'hello\n');
  t.is(fs.statSync(path.join(one, 'c.txt')).nlink, 1);
});

test('--no-xattrs leaves extended attributes and ACLs out', (t) => {
  const repo = newRepo(t);
  const src = richSource(t);
  ok(t, ['snapshot', src], { repo });
  const out = path.join(tmpDir(t), 'out');
  ok(t, ['restore', 'latest', '--target', out, '--no-xattrs'], { repo });
  t.is(xattrDump(path.join(out, 'attrs.txt')), '');
  t.is(xattrDump(path.join(out, 'acldir')), '');
  t.deepEqual(compareTrees(src, out, { ...noSockets, xattrs: false, blocks: false }), []); // ext4 counts an xattr block in `blocks`
});

test('a target inside the repository is refused', (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'f'), 'x');
  ok(t, ['snapshot', src], { repo });
  for (const target of [repo, path.join(repo, 'packs'), path.join(repo, 'new/deeper')]) {
    const r = strata(['restore', 'latest', '--target', target], { repo });
    t.is(r.code, EXIT.USAGE, target);
    t.regex(r.stderr, /^strata: .*inside the repository/m);
  }
  t.false(fs.existsSync(path.join(repo, 'new')));
  // --delete into a parent of the repository would delete it
  const r = strata(['restore', 'latest', '--target', path.dirname(repo), '--delete'], { repo });
  t.is(r.code, EXIT.USAGE);
  t.true(fs.existsSync(path.join(repo, 'config')));
});

test('without the native addon: restores still work, times to the microsecond, one warning', (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'f'), 'x');
  setAllTimes(src);
  ok(t, ['snapshot', src], { repo });
  const out = path.join(tmpDir(t), 'out');
  const r = strata(['restore', 'latest', '--target', out], { repo, env: { STRATA_NO_NATIVE: '1' } });
  t.is(r.code, EXIT.OK, r.stderr);
  t.is(r.stderr.match(/native addon not loaded/g)?.length, 1);
  const a = fs.statSync(path.join(src, 'f'), { bigint: true });
  const b = fs.statSync(path.join(out, 'f'), { bigint: true });
  t.is(b.mtimeNs / 1000n, a.mtimeNs / 1000n);
  t.is(b.mtimeNs % 1000n, 0n);
});

test('devices with a large major and minor round-trip (root only)', (t) => {
  if (!isRoot) return t.pass('needs root');
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  fs.mkdirSync(src);
  execFileSync('mknod', [path.join(src, 'dev'), 'c', '4095', '1048575']);
  ok(t, ['snapshot', src], { repo });
  const out = path.join(tmpDir(t), 'out');
  ok(t, ['restore', 'latest', '--target', out], { repo });
  t.is(fs.lstatSync(path.join(out, 'dev')).rdev, fs.lstatSync(path.join(src, 'dev')).rdev);
});

test('a target file system without xattrs: one warning, everything else restored, exit 0 (root: ramfs)', (t) => {
  if (!isRoot) return t.pass('needs root to mount');
  const repo = newRepo(t);
  const src = richSource(t);
  ok(t, ['snapshot', src], { repo });
  const mnt = tmpDir(t);
  execFileSync('mount', ['-t', 'ramfs', 'none', mnt]);
  t.teardown(() => execFileSync('umount', [mnt]));
  const out = path.join(mnt, 'out');
  const r = strata(['restore', 'latest', '--target', out], { repo });
  t.is(r.code, EXIT.OK, r.stderr);
  t.is(r.stderr.match(/does not support extended attributes/g)?.length, 1, r.stderr);
  // ramfs allocates no blocks the ext4 way: compare all but blocks and xattrs
  t.deepEqual(compareTrees(src, out, { ...noSockets, xattrs: false, blocks: false }), []);
});

test('a sparse file read by its extents gives exactly the chunks of a full read (same root), and restores with holes', (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  fs.mkdirSync(src);
  const p = path.join(src, 'disk.img');
  const fd = fs.openSync(p, 'w');
  const islands: Array<[number, Buffer]> = [
    [0, Buffer.from('at the start')],
    [(3 << 20) + 12345, Buffer.alloc(70_000, 9)],
    [30 << 20, Buffer.from('middle')],
    [(61 << 20) + 7, Buffer.alloc(5000, 1)],
    [(96 << 20) - 3, Buffer.from('end')],
  ];
  for (const [off, b] of islands) fs.writeSync(fd, b, 0, b.length, off);
  fs.closeSync(fd);
  const sparse = json(t, ['snapshot', src], { repo });
  t.true(sparse.bytesRead < 1 << 20, `bytesRead ${sparse.bytesRead}`);
  // the same file read byte by byte (no addon: no SEEK_DATA) must give the same tree
  const full = json(t, ['snapshot', src, '--full'], { repo, env: { STRATA_NO_NATIVE: '1' } });
  t.is(full.bytesRead, 96 << 20, 'read in full');
  t.is(full.root, sparse.root);
  const out = path.join(tmpDir(t), 'out');
  ok(t, ['restore', 'latest', '--target', out], { repo });
  t.true(fs.readFileSync(path.join(out, 'disk.img')).equals(fs.readFileSync(p)));
  t.is(fs.statSync(path.join(out, 'disk.img')).blocks, fs.statSync(p).blocks);
});

test('by default atimes are not recorded: reading a file is not a change', (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'f'), 'x');
  const env = { STRATA_RECORD_ATIME: '' };
  const first = json(t, ['snapshot', src], { repo, env });
  fs.readFileSync(path.join(src, 'f')); // moves its atime (relatime: atime <= mtime)
  const second = json(t, ['snapshot', src], { repo, env });
  t.true(second.unchanged);
  t.is(second.root, first.root);
  const out = path.join(tmpDir(t), 'out');
  ok(t, ['restore', 'latest', '--target', out], { repo });
  const st = fs.statSync(path.join(out, 'f'), { bigint: true });
  t.is(st.atimeNs, st.mtimeNs);
});

test('snapshot --atime records file atimes to the nanosecond; restore puts them back', (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  fs.mkdirSync(src);
  const f = path.join(src, 'f');
  fs.writeFileSync(f, 'x');
  execFileSync('python3', ['-c', 'import os,sys; os.utime(sys.argv[1], ns=(1600000000123456789, 1700000000987654321))', f]);
  json(t, ['snapshot', src, '--atime'], { repo, env: { STRATA_RECORD_ATIME: '' } });
  const out = path.join(tmpDir(t), 'out');
  ok(t, ['restore', 'latest', '--target', out], { repo });
  const st = fs.statSync(path.join(out, 'f'), { bigint: true });
  t.is(st.atimeNs, 1_600_000_000_123_456_789n);
  t.is(st.mtimeNs, 1_700_000_000_987_654_321n);
});
