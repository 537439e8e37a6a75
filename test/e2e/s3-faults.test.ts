// `watch` and `snapshot` on an s3: repository while the Ceph gateway misbehaves:
// the watch daemon picks up changes (the seed races) and reports requests per
// snapshot; radosgw stopped and restarted under a running watch (the daemon
// keeps its dirty set, says so, catches up); radosgw paused (SIGSTOP) in the
// middle of a snapshot and resumed. Afterwards nothing is lost and the
// repository checks clean.
import test, { type ExecutionContext } from 'ava';
import { execSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, json, ok, pseudoRandom, tmpDir, treeDiff, writeTree } from '../helpers/cli.js';
import { useCeph } from '../helpers/ceph.js';
import { converge, hasWatchman, sleep, snapshotsOf, startWatch, waitFor } from '../helpers/watch.js';

const { serial, ceph } = useCeph(test);
const sh = (cwd: string, script: string) => execSync(script, { cwd, shell: '/bin/sh', stdio: 'pipe' });

/** A new s3: repository; the gateway's keys go to every CLI child of this process (converge runs its own). */
function newS3Repo(t: ExecutionContext, name: string): string {
  Object.assign(process.env, ceph().env());
  const repo = `s3:${ceph().endpoint}/faults-${process.pid}/${name}`;
  ok(t, ['init', '--repo', repo]);
  return repo;
}

function restoreEquals(t: ExecutionContext, repo: string, dir: string) {
  const out = path.join(tmpDir(t), 'out');
  ok(t, ['restore', 'latest', '--target', out], { repo });
  t.deepEqual(treeDiff(dir, out), []);
}

for (const backend of ['inotify', 'watchman'] as const) {
  const btest = backend === 'watchman' && !hasWatchman ? test.skip : serial;
  btest(`watch (${backend}) on an s3: repository: the seed races converge; requests per snapshot are reported`, async (t) => {
    const repo = newS3Repo(t, `watch-${backend}`);
    const A = path.join(tmpDir(t, 'strata-watch-'), 'A');
    fs.mkdirSync(A);
    writeTree(A, { 'keep.txt': 'keep\n' });
    const d = startWatch(t, repo, A, ['--backend', backend, '--reconcile', '1h']);
    await waitFor(() => snapshotsOf(d).length >= 1, 30000, 'initial snapshot');
    sh(A, 'echo 1 > file1');
    await converge(d, repo, A);
    sh(A, 'echo 1 > file2; mv file1 file3; mv file2 file1; rm file3');
    await converge(d, repo, A);
    sh(A, 'mkdir dir1; echo 1 > dir1/file1; mv dir1 dir2');
    await converge(d, repo, A);
    t.deepEqual(ok(t, ['ls', '-R', 'latest'], { repo }).trim().split('\n'), ['dir2/', 'dir2/file1', 'file1', 'keep.txt']);
    // one small change: what a watch snapshot costs
    const before = snapshotsOf(d).length;
    sh(A, 'echo 2 >> keep.txt');
    await waitFor(() => snapshotsOf(d).length > before, 30000, 'a snapshot of one change');
    const one = snapshotsOf(d).at(-1);
    t.truthy(one.requests, 'requests on the per-snapshot line');
    const total = ['gets', 'puts', 'lists', 'deletes', 'heads'].reduce((n, k) => n + one.requests[k], 0);
    t.log(`one-change watch snapshot: ${JSON.stringify(one.requests)} (${total} requests)`);
    // today: the shared lock (put, list, get; a refresh = put + head + delete before the index segment and
    // before the manifest; release), one LIST each of locks/, index/ and snapshots/ (one page while each holds
    // < 1,000 names), the packs, the segment and the manifest: bounded, and not growing with the repository
    t.true(total <= 20, `a watch snapshot costs a bounded number of requests (${total})`);
    t.true(one.requests.lists <= 3, 'no listing of packs per watch snapshot');
    t.true(one.requests.gets <= 3, 'no reading of other snapshots per watch snapshot');
    restoreEquals(t, repo, A);
    t.is(await d.stop(), 0);
    t.true(json(t, ['check', '--read-data'], { repo }).ok);
  });
}

serial('radosgw stopped and restarted under a running watch: nothing lost, it catches up', async (t) => {
  const repo = newS3Repo(t, 'outage');
  const A = path.join(tmpDir(t, 'strata-watch-'), 'A');
  fs.mkdirSync(A);
  writeTree(A, { 'a.txt': 'a\n', 'big.bin': pseudoRandom(3 << 20, 5) });
  const d = startWatch(t, repo, A, ['--backend', 'inotify', '--reconcile', '1h', '--max-delay-ms', '2000']);
  t.teardown(() => ceph().startRgw().catch(() => {})); // never leave the gateway down for the next test
  await waitFor(() => snapshotsOf(d).length >= 1, 30000, 'initial snapshot');
  await converge(d, repo, A);

  ceph().stopRgw();
  const before = snapshotsOf(d).length;
  writeTree(A, { 'during/1.txt': 'written while the gateway was down\n', 'during/2.bin': pseudoRandom(2 << 20, 9) });
  fs.appendFileSync(path.join(A, 'a.txt'), 'more\n');
  fs.rmSync(path.join(A, 'big.bin'));
  await waitFor(() => /snapshot failed: .*unreachable.*(will retry|retrying)/.test(d.stderr()), 30000, 'the daemon to say the endpoint is down');
  t.is(snapshotsOf(d).length, before, 'no snapshot while the gateway is down');
  writeTree(A, { 'during/3.txt': 'and more\n' });
  await sleep(1500);

  await ceph().startRgw();
  await converge(d, repo, A, 60000);
  t.deepEqual(ok(t, ['ls', '-R', 'latest'], { repo }).trim().split('\n'), ['a.txt', 'during/', 'during/1.txt', 'during/2.bin', 'during/3.txt']);
  restoreEquals(t, repo, A);
  t.is(await d.stop(), 0);
  const chk = json(t, ['check', '--read-data'], { repo });
  t.true(chk.ok, JSON.stringify(chk.problems));
});

serial('radosgw paused (SIGSTOP) in the middle of a snapshot, then resumed: the snapshot completes', async (t) => {
  const repo = newS3Repo(t, 'pause');
  const src = tmpDir(t);
  writeTree(src, { 'one.bin': pseudoRandom(24 << 20, 11), 'two.bin': pseudoRandom(24 << 20, 12), 'small.txt': 'small\n' });
  const child = spawn(process.execPath, [CLI, 'snapshot', src, '--json', '--repo', repo], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (x) => (stdout += x));
  child.stderr.on('data', (x) => (stderr += x));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  t.teardown(() => {
    ceph().resumeRgw();
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const started = Date.now();
  await sleep(1500); // the SDK is loaded and the first pack is on its way by then
  const pausedAt = Date.now() - started;
  ceph().pauseRgw();
  await sleep(4000);
  const stillRunning = child.exitCode === null;
  ceph().resumeRgw();
  const code = await exited;
  t.log(`paused at ${pausedAt} ms for 4 s; the snapshot ${stillRunning ? 'was still running' : 'had finished'}; exit ${code} after ${Date.now() - started} ms`);
  t.true(stillRunning, 'the pause hit the snapshot in flight');
  t.is(code, 0, stderr);
  const s = JSON.parse(stdout);
  t.is(s.files, 3);
  restoreEquals(t, repo, src);
  const chk = json(t, ['check', '--read-data'], { repo });
  t.true(chk.ok, JSON.stringify(chk.problems));
});
