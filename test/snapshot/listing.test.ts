// listDirectory: what goes into a directory's listing digest, and what is
// reported instead of listed (vanished entries, excluded ones, raw names).
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IgnoreRules } from '../../src/snapshot/ignore-rules.js';
import { EXCLUDED, MISSING, PRESENT, listDirectory, type ListingHooks } from '../../src/snapshot/listing.js';
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
