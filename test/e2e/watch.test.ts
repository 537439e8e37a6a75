// `strata watch` on real directories, with watchman and with inotify: the
// races that break log-replay mirrors, nested mkdir -p, moved-in trees,
// bursts, kill -9 and reconcile. Convergence = the daemon's latest root equals
// a fresh full snapshot's root, and a restore equals the tree byte for byte.
import test, { type ExecutionContext } from 'ava';
import { execSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { newRepo, ok, tmpDir, treeDiff } from '../helpers/cli.js';
import { converge, hasWatchman, sleep, snapshotsOf, startWatch, waitFor } from '../helpers/watch.js';

const backends = ['watchman', 'inotify'] as const;
const sh = (cwd: string, script: string) => execSync(script, { cwd, shell: '/bin/sh', stdio: 'pipe' });

function setup(t: ExecutionContext) {
  const repo = newRepo(t);
  const base = tmpDir(t, 'strata-watch-');
  const A = path.join(base, 'A');
  fs.mkdirSync(A);
  return { repo, base, A };
}

function restoreEquals(t: ExecutionContext, repo: string, dir: string) {
  const out = path.join(tmpDir(t), 'out');
  ok(t, ['restore', 'latest', '--target', out], { repo });
  t.deepEqual(treeDiff(dir, out), []);
}

for (const backend of backends) {
  const btest = backend === 'watchman' && !hasWatchman ? test.skip : test.serial;

  btest(`${backend}: seed races converge (rename chains, dir renamed before copy)`, async (t) => {
    const { repo, A } = setup(t);
    const d = startWatch(t, repo, A, ['--backend', backend]);
    await waitFor(() => snapshotsOf(d).length >= 1, 20000, 'initial snapshot');
    sh(A, 'echo 1 > file1');
    await converge(d, repo, A);
    sh(A, 'echo 1 > file2; mv file1 file3; mv file2 file1; rm file3');
    await converge(d, repo, A);
    sh(A, 'mkdir dir1; echo 1 > dir1/file1; mv dir1 dir2');
    await converge(d, repo, A);
    t.deepEqual(ok(t, ['ls', '-R', 'latest'], { repo }).trim().split('\n'), ['dir2/', 'dir2/file1', 'file1']);
    restoreEquals(t, repo, A);
    t.is(await d.stop(), 0);
    t.regex(d.stderr(), new RegExp(`with ${backend}`));
  });

  btest(`${backend}: mkdir -p with writes right after, and writes there seconds later`, async (t) => {
    const { repo, A } = setup(t);
    const d = startWatch(t, repo, A, ['--backend', backend]);
    await waitFor(() => snapshotsOf(d).length >= 1, 20000, 'initial snapshot');
    sh(A, 'mkdir -p a/b/c/d && echo x > a/b/c/d/f1 && echo y > a/b/f2 && for i in $(seq 1 200); do echo $i > a/b/c/n$i; done');
    await converge(d, repo, A);
    await sleep(2500);
    sh(A, 'echo later > a/b/c/d/late && echo more >> a/b/f2');
    await converge(d, repo, A);
    t.is(ok(t, ['cat', 'latest:a/b/c/d/late'], { repo }), 'later\n');
    restoreEquals(t, repo, A);
    await d.stop();
  });

  btest(`${backend}: a tree moved in from outside, written inside later, and one moved out`, async (t) => {
    const { repo, base, A } = setup(t);
    sh(base, 'mkdir -p outside/m/n/o && echo 1 > outside/m/n/o/f && echo 2 > outside/m/g');
    sh(A, 'mkdir -p keep/sub && echo k > keep/sub/k');
    const d = startWatch(t, repo, A, ['--backend', backend]);
    await waitFor(() => snapshotsOf(d).length >= 1, 20000, 'initial snapshot');
    sh(base, 'mv outside/m A/m');
    await converge(d, repo, A);
    await sleep(1500);
    sh(A, 'echo late > m/n/o/late && echo late2 > m/n/late2');
    await converge(d, repo, A);
    sh(base, 'mv A/keep outside/keep');
    await converge(d, repo, A);
    t.deepEqual(ok(t, ['ls', 'latest'], { repo }).trim().split('\n'), ['m/']);
    restoreEquals(t, repo, A);
    await d.stop();
  });

  btest(`${backend}: a burst of 10,000 creates and deletes`, async (t) => {
    const { repo, A } = setup(t);
    const d = startWatch(t, repo, A, ['--backend', backend]);
    await waitFor(() => snapshotsOf(d).length >= 1, 20000, 'initial snapshot');
    fs.mkdirSync(path.join(A, 'burst'));
    for (let i = 0; i < 10000; i++) fs.writeFileSync(path.join(A, 'burst', `f${i}`), `${i}\n`);
    for (let i = 0; i < 10000; i += 2) fs.unlinkSync(path.join(A, 'burst', `f${i}`));
    await converge(d, repo, A, 60000);
    t.is(snapshotsOf(d).at(-1).files, 5000);
    await d.stop();
  });
}

test.serial('kill -9 between the event and the snapshot: restart loses nothing', async (t) => {
  const { repo, A } = setup(t);
  sh(A, 'echo base > base.txt');
  const d1 = startWatch(t, repo, A, ['--quiet-ms', '60000', '--max-delay-ms', '60000']);
  await waitFor(() => snapshotsOf(d1).length >= 1, 20000, 'initial snapshot');
  sh(A, 'mkdir -p new/deep && echo 1 > new/deep/f && echo changed > base.txt');
  await sleep(1000); // events arrive and are persisted; the snapshot is a minute away
  d1.proc.kill('SIGKILL');
  await d1.exited;
  const d2 = startWatch(t, repo, A);
  await converge(d2, repo, A);
  t.is(ok(t, ['cat', 'latest:new/deep/f'], { repo }), '1\n');
  t.is(ok(t, ['cat', 'latest:base.txt'], { repo }), 'changed\n');
  await d2.stop();
});

test.serial('reconcile catches what the watcher missed and counts it', async (t) => {
  const { repo, A } = setup(t);
  // a watcher that drops every event: only the reconcile can see changes
  const d = startWatch(t, repo, A, ['--reconcile', '2s'], { STRATA_TEST_DROP_EVENTS: '1' });
  await waitFor(() => snapshotsOf(d).length >= 1, 20000, 'initial snapshot');
  sh(A, 'echo a > a.txt && mkdir sub && echo b > sub/b.txt');
  await converge(d, repo, A, 20000);
  await waitFor(() => d.lines.some((l) => l.trigger === 'reconcile' && l.missed > 0), 10000, 'a reconcile snapshot');
  const rec = d.lines.find((l) => l.trigger === 'reconcile' && l.missed > 0);
  t.true(d.lines.every((l) => l.type === 'snapshot' && typeof l.id === 'string'), 'stdout is one JSON line per snapshot');
  t.is(rec.missed, 3); // a.txt, sub, sub/b.txt
  t.regex(d.stderr(), /changes no event announced/);
  await d.stop();
});

test.serial('nothing changed: no new snapshot; SIGTERM exits 0', async (t) => {
  const { repo, A } = setup(t);
  sh(A, 'echo a > a.txt');
  const d = startWatch(t, repo, A);
  await waitFor(() => snapshotsOf(d).length >= 1, 20000, 'initial snapshot');
  sh(A, 'cat a.txt > /dev/null; touch -c nonexistent');
  await sleep(1500);
  t.is(snapshotsOf(d).length, 1);
  t.is(await d.stop('SIGTERM'), 0);
  // restart: catch-up finds nothing new, writes nothing
  const d2 = startWatch(t, repo, A);
  await sleep(2500);
  t.is(snapshotsOf(d2).length, 0);
  t.is(await d2.stop(), 0);
});

test.serial('SIGINT during the catch-up scan: the daemon exits 0 promptly, and the next start catches up', async (t) => {
  const { repo, A } = setup(t);
  for (let i = 0; i < 40; i++) fs.writeFileSync(path.join(A, `f${i}.bin`), Buffer.alloc(2 << 20, i));
  const d = startWatch(t, repo, A);
  await waitFor(() => /watching/.test(d.stderr()), 20000, 'the daemon to start watching');
  const t0 = Date.now();
  const code = await Promise.race([d.stop('SIGINT'), sleep(15000).then(() => 'hung' as const)]);
  t.is(code, 0, `exit after SIGINT during the catch-up (${Date.now() - t0} ms): ${d.stderr()}`);
  const d2 = startWatch(t, repo, A);
  await waitFor(() => snapshotsOf(d2).length >= 1, 30000, 'the catch-up snapshot');
  t.is(await d2.stop(), 0);
  restoreEquals(t, repo, A);
});

test.serial('.strataignore and --exclude apply under watch; editing .strataignore re-reads below it', async (t) => {
  const { repo, A } = setup(t);
  sh(A, "mkdir -p src build && echo '*.tmp' > .strataignore && echo a > src/a.ts && echo t > src/x.tmp && echo b > build/out.js");
  const d = startWatch(t, repo, A, ['--exclude', 'build/']);
  await waitFor(() => snapshotsOf(d).length >= 1, 20000, 'initial snapshot');
  sh(A, 'echo t2 > src/y.tmp && echo c > src/c.ts && echo b2 > build/more.js');
  await waitFor(() => snapshotsOf(d).length >= 2, 20000, 'a snapshot');
  t.deepEqual(ok(t, ['ls', '-R', 'latest'], { repo }).trim().split('\n'), ['.strataignore', 'src/', 'src/a.ts', 'src/c.ts']);
  sh(A, "echo '# nothing ignored' > .strataignore");
  await waitFor(() => snapshotsOf(d).length >= 3, 20000, 'a snapshot after editing .strataignore');
  t.deepEqual(ok(t, ['ls', 'latest:src'], { repo }).trim().split('\n'), ['a.ts', 'c.ts', 'x.tmp', 'y.tmp']);
  await d.stop();
});

test.serial('over the inotify watch limit: warns how to raise it and falls back to periodic scans', async (t) => {
  const { repo, A } = setup(t);
  for (let i = 0; i < 12; i++) fs.mkdirSync(path.join(A, `d${i}`));
  const d = startWatch(t, repo, A, ['--reconcile', '2s'], { STRATA_TEST_WATCH_LIMIT: '10' });
  await waitFor(() => snapshotsOf(d).length >= 1, 20000, 'initial snapshot');
  t.regex(d.stderr(), /max_user_watches/);
  t.regex(d.stderr(), /sysctl/);
  sh(A, 'echo polled > d3/f');
  await converge(d, repo, A, 20000);
  t.is(ok(t, ['cat', 'latest:d3/f'], { repo }), 'polled\n');
  await d.stop();
});

(hasWatchman ? test.serial : test.skip)('watchman shut down three times in a row while files change: each change captured within 30 s', async (t) => {
  const { repo, A } = setup(t);
  const d = startWatch(t, repo, A);
  await waitFor(() => snapshotsOf(d).length >= 1, 20000, 'initial snapshot');
  sh(A, 'echo 1 > before');
  await converge(d, repo, A);
  for (let round = 0; round < 3; round++) {
    execSync('watchman shutdown-server', { stdio: 'ignore' });
    sh(A, `echo ${round} > after${round} && mkdir -p x${round}/y && echo 3 > x${round}/y/z`);
    await sleep(300);
    sh(A, `echo more >> after${round}`);
    await converge(d, repo, A, 30000);
  }
  t.regex(d.stderr(), /watcher error/);
  // back on events after the last restart (two restarts close together may share one re-subscription:
  // the second arrives while the first is still backing off) — never left polling
  await waitFor(() => {
    const err = d.stderr();
    return (err.match(/events are trusted/g) ?? []).length >= 1 && err.lastIndexOf('events are trusted') > err.lastIndexOf('watcher error');
  }, 30000, 'a re-subscription after the last restart');
  sh(A, 'echo 4 > later');
  await converge(d, repo, A, 30000);
  t.is(ok(t, ['cat', 'latest:later'], { repo }), '4\n');
  t.is(ok(t, ['cat', 'latest:after2'], { repo }), '2\nmore\n');
  t.is(await d.stop(), 0);
});

test.serial('watch --keep-last thins its own snapshots; prune runs between its snapshots and loses nothing', async (t) => {
  const { repo, A } = setup(t);
  const d = startWatch(t, repo, A, ['--keep-last', '2']);
  await waitFor(() => snapshotsOf(d).length >= 1, 20000, 'initial snapshot');
  for (let i = 0; i < 4; i++) {
    sh(A, `echo ${i} > f${i} && mkdir -p d${i} && echo x > d${i}/g`);
    await converge(d, repo, A);
    // thinned after each snapshot, not once a minute
    t.true(JSON.parse(ok(t, ['snapshots', '--json'], { repo })).length <= 2, `after change ${i}`);
  }
  ok(t, ['prune'], { repo, env: { STRATA_LOCK_WAIT: '60' } });
  sh(A, 'echo after > after-prune && rm -r d0');
  await converge(d, repo, A);
  ok(t, ['check', '--read-data'], { repo });
  restoreEquals(t, repo, A);
  t.is(await d.stop(), 0);
});
