// Issue 11, item 8, for the watch daemon: its snapshots reuse the parent's
// clean entries without reading them, so after `check` dropped a corrupted
// blob from the index (in another process) the daemon's next snapshot must not
// reference it again: it walks everything once and stores the data anew.
import test from 'ava';
import { execSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { newRepo, ok, pseudoRandom, strata, tmpDir, treeDiff } from '../helpers/cli.js';
import { converge, snapshotsOf, startWatch, waitFor } from '../helpers/watch.js';

test.serial('watch: after check drops a corrupted blob, the next daemon snapshot stores it again instead of referencing it', async (t) => {
  const repo = newRepo(t, { plain: true });
  const A = path.join(tmpDir(t, 'strata-watch-'), 'A');
  fs.mkdirSync(A);
  fs.writeFileSync(path.join(A, 'big.bin'), pseudoRandom(1 << 20, 3));
  fs.writeFileSync(path.join(A, 'small.txt'), 'small\n');
  const d = startWatch(t, repo, A, ['--backend', 'inotify']);
  await waitFor(() => snapshotsOf(d).length >= 1, 20000, 'initial snapshot');
  // flip a byte of big.bin's stored (incompressible, so raw) bytes
  const packs = fs.readdirSync(path.join(repo, 'packs'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('.'));
  const needle = pseudoRandom(1 << 20, 3).subarray(5000, 5064);
  const victim = packs.map((e) => path.join(e.parentPath, e.name)).find((p) => fs.readFileSync(p).includes(needle))!;
  t.truthy(victim);
  const buf = fs.readFileSync(victim);
  buf[buf.indexOf(needle) + 7] ^= 0xff;
  fs.chmodSync(victim, 0o600);
  fs.writeFileSync(victim, buf);
  const c = strata(['check', '--read-data'], { repo, env: { STRATA_LOCK_WAIT: '60' } });
  t.is(c.code, EXIT.INTEGRITY);
  t.regex(c.stderr, /dropped from the index: 1 corrupted blob/);
  // another file changes in the same directory: the daemon patches that directory from its parent tree
  execSync('echo changed > small.txt', { cwd: A });
  await converge(d, repo, A);
  const out = path.join(tmpDir(t), 'out');
  const r = strata(['restore', 'latest', '--target', out], { repo });
  t.is(r.code, EXIT.OK, r.stderr);
  t.deepEqual(treeDiff(A, out), []);
  ok(t, ['check'], { repo });
  t.is(await d.stop(), 0);
});
