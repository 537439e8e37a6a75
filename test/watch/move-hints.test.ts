// src/watch/move-hints.ts: kernel watches on the parents of big directories
// (from a snapshot's trees) report a rename there at once, as marks on the old
// and the new name and a created mark on the new one; small directories and
// files get no hint (watchman reports those quickly enough).
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DirtyMark } from '../../src/snapshot/dirty-tree.js';
import { takeSnapshot } from '../../src/snapshot/snapshotter.js';
import { Repository } from '../../src/store/repository.js';
import { MoveHints } from '../../src/watch/move-hints.js';
import { tmpDir, writeTree } from '../helpers/cli.js';
import { sleep, waitFor } from '../helpers/watch.js';

test('a big directory renamed is hinted at once; a small one and a file are not', async (t) => {
  const dir = tmpDir(t);
  const src = path.join(dir, 'src');
  const files: Record<string, string> = { 'top.txt': 'x\n', 'small/a.txt': 'a\n' };
  for (let b = 0; b < 5; b++) for (let f = 0; f < 10; f++) files[`outer/big/m${b}/f${f}.txt`] = `${b} ${f}\n`;
  fs.mkdirSync(src);
  writeTree(src, files);
  const repo = await Repository.init(path.join(dir, 'repo'));
  t.teardown(() => repo.close());
  const r = await takeSnapshot(repo, { source: src });
  const hints: DirtyMark[][] = [];
  const h = new MoveHints(src, (m) => hints.push(m), { minEntries: 40 });
  t.teardown(() => h.close());
  await h.refresh(repo, Buffer.from(r.root, 'hex'));
  t.is(h.watching, 2, 'the root (holds outer/) and outer/ (holds big/)');

  fs.renameSync(path.join(src, 'small'), path.join(src, 'small2')); // a directory appeared in a watched parent: hinted
  fs.renameSync(path.join(src, 'top.txt'), path.join(src, 'top2.txt')); // a file: not
  await waitFor(() => hints.length >= 1, 5000, 'the hint for small2');
  await sleep(200);
  t.deepEqual(hints, [[{ dir: '', names: ['small2'] }, { dir: 'small2', created: true }]], 'small/ itself is not big: only the name that is now a directory');

  hints.length = 0;
  fs.renameSync(path.join(src, 'outer/big'), path.join(src, 'outer/moved'));
  await waitFor(() => hints.length >= 2, 5000, 'hints for big and moved');
  await sleep(200);
  t.deepEqual(
    hints.flat().sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    [{ dir: 'outer', names: ['big'] }, { dir: 'outer', names: ['moved'] }, { dir: 'outer/moved', created: true }],
  );
  h.close();
  hints.length = 0;
  fs.renameSync(path.join(src, 'outer/moved'), path.join(src, 'outer/big'));
  await sleep(300);
  t.deepEqual(hints, [], 'closed: no more hints');
});
