// `strata watch` and a big directory rename, with watchman and with inotify: a
// tree of 2,000 directories and 20,000 files, a directory holding a quarter of
// it renamed, a file inside it modified right after. The snapshot after the
// rename reuses the moved subtree without re-listing it (dirsMoved, dirsListed
// in the JSON line); watchman's later re-announcement of every moved entry
// costs no re-listing either; the daemon converges on the tree (a fresh full
// snapshot's root), the modification included, and a restore equals the disk.
import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { newRepo, ok, tmpDir, treeDiff } from '../helpers/cli.js';
import { converge, hasWatchman, snapshotsOf, startWatch, waitFor } from '../helpers/watch.js';

/** 4 × 10 × 50 directories of 10 small files each; t0/ holds a quarter of the tree */
function bigTree(root: string): void {
  for (let a = 0; a < 4; a++)
    for (let b = 0; b < 10; b++)
      for (let c = 0; c < 50; c++) {
        const d = path.join(root, `t${a}`, `m${b}`, `l${c}`);
        fs.mkdirSync(d, { recursive: true });
        for (let f = 0; f < 10; f++) fs.writeFileSync(path.join(d, `f${f}.txt`), `file ${a} ${b} ${c} ${f}\n`);
      }
}

for (const backend of ['watchman', 'inotify'] as const) {
  const btest = backend === 'watchman' && !hasWatchman ? test.skip : test.serial;

  btest(`${backend}: renaming a quarter of a 20,000-file tree re-lists a handful of directories`, async (t: ExecutionContext) => {
    const repo = newRepo(t);
    const A = path.join(tmpDir(t, 'strata-rename-'), 'A');
    bigTree(A);
    // hints for directories of 1,000+ entries (t0/ has 5,511)
    const d = startWatch(t, repo, A, ['--backend', backend, '--quiet-ms', '1'], { STRATA_MOVE_HINTS: '1000' });
    await waitFor(() => snapshotsOf(d).length >= 1 && /ready/.test(d.stderr()), 120000, 'the first snapshot');
    const before = snapshotsOf(d).length;
    const t0 = Date.now();
    fs.renameSync(path.join(A, 't0'), path.join(A, 't0-renamed'));
    fs.appendFileSync(path.join(A, 't0-renamed/m3/l7/f2.txt'), 'modified right after the move\n');
    await waitFor(() => snapshotsOf(d).slice(before).some((s) => s.dirsMoved > 0), 60000, 'a snapshot that reuses the moved directory');
    const moved = snapshotsOf(d).slice(before).find((s) => s.dirsMoved > 0);
    t.log(`${backend}: rename → snapshot with the moved tree reused: ${Date.now() - t0} ms (the line arrived then); ${JSON.stringify({ dirsListed: moved.dirsListed, dirsMoved: moved.dirsMoved, dirsScanned: moved.dirsScanned, durationMs: moved.durationMs })}`);
    t.true(moved.dirsListed <= 5, `re-listed ${moved.dirsListed} directories`);
    await converge(d, repo, A, 90000);
    const after = snapshotsOf(d).slice(before);
    t.log(after.map((s) => `${s.trigger}: listed ${s.dirsListed}, moved ${s.dirsMoved}, ${s.durationMs} ms`).join('; '));
    // event snapshots never re-list the moved tree (inotify's resync after a moved tree is a full scan by design)
    for (const s of after.filter((x) => x.trigger === 'events')) t.true(s.dirsListed <= 5, `an event snapshot re-listed ${s.dirsListed} directories`);
    t.is(ok(t, ['cat', 'latest:t0-renamed/m3/l7/f2.txt'], { repo }), 'file 0 3 7 2\nmodified right after the move\n');
    t.is(ok(t, ['diff', 'latest', A], { repo }).trim(), 'no differences');
    const out = path.join(tmpDir(t), 'out');
    ok(t, ['restore', 'latest', '--target', out], { repo });
    t.deepEqual(treeDiff(A, out), []);
    t.is(await d.stop(), 0);
  });
}
