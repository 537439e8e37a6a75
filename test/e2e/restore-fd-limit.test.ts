// A restore under a low open-file limit (ulimit -n): the restorer keeps many temporaries open at once
// and sizes its windows by the limit (fs/fd-limit.ts), so no file fails with EMFILE. Before, 1,200
// files restored under `ulimit -n 200` all failed ("too many open files").
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CLI, newRepo, ok, tmpDir, treeDiff, writeTree } from '../helpers/cli.js';

test('1,200 files restore completely under ulimit -n 128', (t) => {
  const repo = newRepo(t, { plain: true });
  const src = path.join(tmpDir(t), 'src');
  const files: Record<string, string> = {};
  for (let i = 0; i < 1200; i++) files[`d${i % 12}/f${i}.txt`] = `file ${i}\n`.repeat(1 + (i % 50));
  writeTree(src, files);
  ok(t, ['snapshot', src], { repo });
  const out = path.join(tmpDir(t), 'out');
  const r = spawnSync('bash', ['-c', 'ulimit -n 128 && exec "$0" "$@"', process.execPath, CLI, 'restore', 'latest', '--target', out, '--json'], {
    env: { ...process.env, STRATA_REPO: repo },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  t.is(r.status, 0, r.stderr.slice(0, 2000));
  t.like(JSON.parse(r.stdout), { files: 1200, errors: 0 });
  t.deepEqual(treeDiff(src, out), []);
});
