// listDirectory: what goes into a directory's listing digest, and what is
// reported instead of listed (vanished entries, excluded ones, raw names).
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IgnoreRules } from '../../src/snapshot/ignore-rules.js';
import { EXCLUDED, MISSING, PRESENT, canScan, listDirectory, listScanned, startScan, type ListingHooks } from '../../src/snapshot/listing.js';
import { tmpDir } from '../helpers/cli.js';

function hooks(notices: string[] = [], before?: () => void): ListingHooks {
  let buf = Buffer.alloc(16);
  return {
    beforeEntry: () => (before?.(), undefined),
    notice: (rel, code) => void notices.push(`${rel.toString()} ${code}`),
    scratch: (n) => (buf.length >= n ? buf : (buf = Buffer.alloc(n))),
  };
}

const list = (dir: string, rules = IgnoreRules.root([], []), h = hooks()) => listDirectory(dir, Buffer.alloc(0), rules, h);

test('the digest follows names and every lstat field a tree entry depends on', async (t) => {
  const d = tmpDir(t);
  fs.writeFileSync(path.join(d, 'a'), 'one');
  fs.mkdirSync(path.join(d, 'sub'));
  const first = await list(d);
  t.is(first.dirCount, 1);
  t.is(first.fileCount, 1);
  t.is(first.fileBytes, 3);
  t.deepEqual((await list(d)).digest, first.digest, 'same listing, same digest');

  // same size, mtime put back: only ctime tells
  const st = fs.statSync(path.join(d, 'a'));
  fs.writeFileSync(path.join(d, 'a'), 'two');
  fs.utimesSync(path.join(d, 'a'), st.atime, st.mtime);
  const rewritten = await list(d);
  t.notDeepEqual(rewritten.digest, first.digest);

  fs.chmodSync(path.join(d, 'a'), 0o600);
  const chmodded = await list(d);
  t.notDeepEqual(chmodded.digest, rewritten.digest);

  fs.renameSync(path.join(d, 'a'), path.join(d, 'b'));
  t.notDeepEqual((await list(d)).digest, chmodded.digest, 'a rename changes the names');
});

test('excluded entries are marked, not counted, and the rules are part of the digest', async (t) => {
  const d = tmpDir(t);
  fs.writeFileSync(path.join(d, 'keep.txt'), 'x');
  fs.writeFileSync(path.join(d, 'drop.log'), 'y');
  const all = await list(d);
  const some = await list(d, IgnoreRules.root(['*.log'], []));
  t.is(some.fileCount, 1);
  const i = (some.names as string[]).indexOf('drop.log');
  t.is(some.state[i], EXCLUDED);
  t.is(some.state[1 - i], PRESENT);
  t.notDeepEqual(some.digest, all.digest);
});

test('an entry that vanishes between the listing and its lstat is reported and marked missing', async (t) => {
  const d = tmpDir(t);
  for (const n of ['a', 'b', 'c']) fs.writeFileSync(path.join(d, n), n);
  const notices: string[] = [];
  let removed = false;
  const l = await list(
    d,
    undefined,
    hooks(notices, () => {
      if (!removed) {
        removed = true;
        fs.rmSync(path.join(d, 'b'));
      }
    }),
  );
  const i = (l.names as string[]).indexOf('b');
  t.is(l.state[i], MISSING);
  t.deepEqual(notices, ['b ENOENT']);
  t.is(l.fileCount, 2);
});

test('a name that is not UTF-8 switches the whole listing to raw bytes', async (t) => {
  const d = tmpDir(t);
  const raw = Buffer.from([0x66, 0xff, 0x6f]);
  fs.writeFileSync(Buffer.concat([Buffer.from(d + '/'), raw]), 'z');
  fs.writeFileSync(path.join(d, 'plain'), 'p');
  const l = await list(d);
  t.false(l.text);
  t.true((l.names as Buffer[]).some((n) => n.equals(raw)));
  t.is(l.fileCount, 2);
});

// the addon's scanDir (read + lstat on the thread pool) must give exactly the listing the JS way gives:
// same names, fields and states, so the same digest (records written by either are reused by the other)
const scanned = (dir: string, rules = IgnoreRules.root([], []), h = hooks()) => {
  const abs = Buffer.from(dir);
  return listScanned(abs, Buffer.alloc(0), rules, h, startScan(abs)!);
};

test('the addon listing equals the JS listing: names, every field, states, digest', async (t) => {
  if (!canScan()) return t.pass('addon not built: only the JS listing exists');
  const d = tmpDir(t);
  fs.writeFileSync(path.join(d, 'b.txt'), 'bee');
  fs.writeFileSync(path.join(d, 'a.log'), 'a');
  fs.mkdirSync(path.join(d, 'sub'));
  fs.symlinkSync('b.txt', path.join(d, 'link'));
  fs.writeFileSync(Buffer.concat([Buffer.from(d + '/'), Buffer.from([0x6e, 0xff])]), 'raw');
  fs.writeFileSync(path.join(d, 'é'), 'utf8 name');
  fs.writeFileSync(path.join(d, '.strataignore'), 'sub\n');
  for (const rules of [IgnoreRules.root([], []), IgnoreRules.root(['*.log'], [])]) {
    const js = await listDirectory(Buffer.from(d), Buffer.alloc(0), rules, hooks());
    const nat = await scanned(d, rules);
    t.deepEqual(nat.names.map((n) => Buffer.from(n as Buffer)), (js.names as Buffer[]).map((n) => Buffer.from(n)));
    t.deepEqual([...nat.slots], [...js.slots]);
    t.deepEqual([...nat.extra], [...js.extra]);
    t.deepEqual([...nat.state], [...js.state]);
    t.is(nat.dirCount, js.dirCount);
    t.is(nat.fileCount, js.fileCount);
    t.is(nat.fileBytes, js.fileBytes);
    t.deepEqual(nat.rules.fingerprint, js.rules.fingerprint);
    t.deepEqual(nat.digest, js.digest);
  }
  t.true((await scanned(d)).state.includes(EXCLUDED), 'the .strataignore inside applies');
});

test('the addon listing: an entry whose lstat failed is reported and marked missing, and changes the digest', async (t) => {
  if (!canScan()) return t.pass('addon not built');
  const d = tmpDir(t);
  for (const n of ['a', 'b', 'c']) fs.writeFileSync(path.join(d, n), n);
  const abs = Buffer.from(d);
  const whole = await scanned(d);
  for (const [errno, code] of [[2, 'ENOENT'], [13, 'EACCES']] as const) {
    const raw = await startScan(abs)!;
    raw.errs[1] = errno; // as if 'b' vanished (or was unreadable) between the read and its lstat
    raw.slots.fill(0n, 9, 18);
    raw.extra.fill(0n, 3, 6);
    const notices: string[] = [];
    const l = await listScanned(abs, Buffer.alloc(0), IgnoreRules.root([], []), hooks(notices), Promise.resolve(raw));
    t.is(l.state[1], MISSING);
    t.deepEqual(notices, [`b ${code}`]);
    t.is(l.fileCount, 2);
    t.notDeepEqual(l.digest, whole.digest);
  }
});

test('the addon listing of a directory that is gone rejects with its errno code', async (t) => {
  if (!canScan()) return t.pass('addon not built');
  const d = tmpDir(t);
  await t.throwsAsync(startScan(Buffer.from(path.join(d, 'nope')))!, { code: 'ENOENT' });
  fs.writeFileSync(path.join(d, 'file'), 'x');
  await t.throwsAsync(startScan(Buffer.from(path.join(d, 'file')))!, { code: 'ENOTDIR' });
});
