// The daemon when its repository stops accepting snapshots (here: the local
// repository's snapshots/ folder replaced by a file, so every commit fails):
// the source turns to "error" in `strata status`, --on-error runs once with
// the reason, changes made meanwhile are not lost, and once the repository
// works again the hook says "recovered" and the latest snapshot equals the tree.
import test from 'ava';
import { execSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { newRepo, tmpDir } from '../helpers/cli.js';
import { converge, snapshotsOf, startWatch, waitFor, waitStatus } from '../helpers/watch.js';

test('a repository that refuses snapshots: status error, --on-error once each way, nothing lost', async (t) => {
  const repo = newRepo(t);
  const base = fs.realpathSync(tmpDir(t, 'strata-wu-'));
  const A = path.join(base, 'A');
  fs.mkdirSync(A);
  const hookLog = path.join(base, 'hook.log');
  const d = startWatch(t, repo, A, ['--backend', 'inotify', '--on-error', `echo "$STRATA_STATE|$STRATA_SOURCE|$STRATA_ERROR" >> ${hookLog}`]);
  await waitFor(() => snapshotsOf(d).length >= 1, 20000, 'initial snapshot');
  fs.writeFileSync(path.join(A, 'before'), 'before\n');
  await converge(d, repo, A);

  const snaps = path.join(repo, 'snapshots');
  fs.renameSync(snaps, snaps + '.away');
  fs.writeFileSync(snaps, 'not a folder\n');
  t.teardown(() => {
    if (fs.existsSync(snaps + '.away')) {
      fs.rmSync(snaps, { force: true });
      fs.renameSync(snaps + '.away', snaps);
    }
  });
  const count = snapshotsOf(d).length;
  execSync('mkdir -p during/deep && echo 1 > during/deep/one && echo 2 > during-two', { cwd: A, shell: '/bin/sh' });
  const failing = await waitStatus(repo, A, 'error', 20000);
  t.not(failing.code, EXIT.OK, 'status says the source is not protected');
  t.truthy(failing.report.daemons[0].sources[0].lastError?.message);
  await waitFor(() => /snapshot failed: .*retrying/.test(d.stderr()), 10000, 'the log line');
  await waitFor(() => fs.existsSync(hookLog), 10000, 'the --on-error hook');
  t.is(snapshotsOf(d).length, count, 'nothing committed while the repository refuses');

  fs.rmSync(snaps);
  fs.renameSync(snaps + '.away', snaps);
  await waitStatus(repo, A, 'watching', 30000);
  await converge(d, repo, A, 30000);
  await waitFor(() => fs.readFileSync(hookLog, 'utf8').trim().split('\n').length >= 2, 10000, 'the recovery hook run');
  const lines = fs.readFileSync(hookLog, 'utf8').trim().split('\n');
  t.is(lines.length, 2, lines.join('\n'));
  t.regex(lines[0]!, new RegExp(`^error\\|${A}\\|.+`));
  t.is(lines[1], `recovered|${A}|`);
  t.is(await d.stop('SIGTERM'), 0);
});
