// src/fs/native.ts and the native/ addon: it is built and loaded (not the
// fallback), sets nanosecond times on files, dirs and symlinks, finds data
// extents of a sparse file, and reads/writes/removes xattrs without following
// symlinks; errors carry the errno name.
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataExtents, getXattr, listXattrs, nativeMissing, removeXattr, setTimes, setXattr } from '../../src/fs/native.js';
import { tmpDir } from '../helpers/cli.js';

test('the addon is loaded', (t) => {
  t.is(nativeMissing(), null);
});

test('nanosecond times on a file, a directory and a symlink (not its target)', (t) => {
  const d = tmpDir(t);
  const f = path.join(d, 'f');
  fs.writeFileSync(f, 'x');
  fs.symlinkSync('f', path.join(d, 'l'));
  setTimes(Buffer.from(f), 1_900_000_000_000_000_001n, 1_600_000_000_999_999_999n, false);
  setTimes(Buffer.from(path.join(d, 'l')), 1_800_000_000_000_000_002n, -1_000_000_001n, true);
  setTimes(Buffer.from(d), 3n, 1_500_000_000_123_456_789n, true);
  const sf = fs.lstatSync(f, { bigint: true });
  t.is(sf.atimeNs, 1_900_000_000_000_000_001n);
  t.is(sf.mtimeNs, 1_600_000_000_999_999_999n);
  const sl = fs.lstatSync(path.join(d, 'l'), { bigint: true });
  t.is(sl.mtimeNs, -1_000_000_001n);
  t.is(sl.atimeNs, 1_800_000_000_000_000_002n);
  t.is(fs.lstatSync(d, { bigint: true }).mtimeNs, 1_500_000_000_123_456_789n);
  const err = t.throws(() => setTimes(Buffer.from(path.join(d, 'missing')), 0n, 0n, true));
  t.is((err as NodeJS.ErrnoException).code, 'ENOENT');
});

test('data extents of a sparse file', (t) => {
  const p = path.join(tmpDir(t), 's');
  const fd = fs.openSync(p, 'w+');
  try {
    fs.writeSync(fd, Buffer.alloc(100, 1), 0, 100, 8 << 20);
    fs.ftruncateSync(fd, 32 << 20);
    const ext = dataExtents(fd, 32 << 20)!;
    t.is(ext.length, 1);
    t.true(ext[0]![0] <= 8 << 20 && ext[0]![1] >= (8 << 20) + 100 && ext[0]![1] - ext[0]![0] <= 1 << 20, JSON.stringify(ext));
  } finally {
    fs.closeSync(fd);
  }
});

test('xattrs: set, list, get, remove; on a symlink itself', (t) => {
  const d = tmpDir(t);
  const f = Buffer.from(path.join(d, 'f'));
  fs.writeFileSync(f, 'x');
  const value = Buffer.from([0, 1, 2, 255]);
  setXattr(f, Buffer.from('user.k'), value);
  t.deepEqual(listXattrs(f).map(String), ['user.k']);
  t.true(getXattr(f, Buffer.from('user.k')).equals(value));
  removeXattr(f, Buffer.from('user.k'));
  t.deepEqual(listXattrs(f), []);
  t.is((t.throws(() => getXattr(f, Buffer.from('user.k'))) as NodeJS.ErrnoException).code, 'ENODATA');
  const l = Buffer.from(path.join(d, 'l'));
  fs.symlinkSync('f', l);
  // user.* is not allowed on symlinks: the call must not follow the link to f
  t.is((t.throws(() => setXattr(l, Buffer.from('user.k'), value)) as NodeJS.ErrnoException).code, 'EPERM');
  t.deepEqual(listXattrs(f), []);
});
