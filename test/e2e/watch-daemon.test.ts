// The watch daemon left alone: several sources, a hanging subscribe, roots
// that move away and come back, SIGTERM in every state, quick create+delete,
// one daemon per source, hooks (one that hangs), `strata status --json`, and
// --print-service. Each test checks that no watchman watch is left behind.
import test, { type ExecutionContext } from 'ava';
import { execSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { newRepo, ok, strata, tmpDir } from '../helpers/cli.js';
import { converge, type Daemon, hasWatchman, pidAlive, sleep, snapshotsOf, sourceState, startWatch, status, stopTimed, waitFor, waitStatus, watchedRoots } from '../helpers/watch.js';

const backends = ['watchman', 'inotify'] as const;
const sh = (cwd: string, script: string) => execSync(script, { cwd, shell: '/bin/sh', stdio: 'pipe' });

function setup(t: ExecutionContext, names = ['A']) {
  const repo = newRepo(t);
  const base = fs.realpathSync(tmpDir(t, 'strata-wd-'));
  const dirs = names.map((n) => path.join(base, n));
  for (const d of dirs) fs.mkdirSync(d);
  return { repo, base, dirs, A: dirs[0]! };
}

function noWatchesLeft(t: ExecutionContext, base: string) {
  t.deepEqual(
    watchedRoots().filter((r) => r.startsWith(base)),
    [],
    'no watchman watch left behind',
  );
}

async function waitState(repo: string, dir: string, want: string, ms = 15000) {
  await waitFor(() => sourceState(repo, dir) === want, ms, `state ${want} of ${dir}`);
}

for (const backend of backends) {
  const btest = backend === 'watchman' && !hasWatchman ? test.skip : test.serial;

  btest(`${backend}: a subscribe that hangs recovers (polling meanwhile); status --json in each state`, async (t) => {
    const { repo, base, A } = setup(t);
    const d = startWatch(t, repo, A, ['--backend', backend, '--backend-timeout', '3s', '--poll', '1s'], { STRATA_TEST_WATCH_FAULT: 'hang-subscribe:2' });
    t.not((await waitStatus(repo, A, 'starting')).code, EXIT.OK, 'starting: not protected yet');
    sh(A, 'echo 1 > during-hang');
    await waitFor(() => /injected fault/.test(d.stderr()), 10000, 'the subscribe timeout');
    const polling = await waitStatus(repo, A, 'polling');
    t.is(polling.code, EXIT.OK, 'polling still protects');
    t.is(polling.report.daemons[0].backendState, 'polling');
    t.regex(polling.report.daemons[0].sources[0].lastError.message, /did not answer/);
    sh(A, 'echo 2 > while-polling');
    await converge(d, repo, A, 20000);
    await waitFor(() => /events are trusted/.test(d.stderr()), 20000, 're-subscribed');
    await waitState(repo, A, 'watching');
    sh(A, 'mkdir -p sub && echo 3 > sub/after');
    await converge(d, repo, A, 30000);
    const watching = status(repo);
    t.is(watching.code, EXIT.OK);
    const s = watching.report.daemons[0].sources[0];
    t.like(s, { path: A, state: 'watching', protected: true, pendingDirs: 0 });
    t.is(s.lastSnapshot.id, snapshotsOf(d).at(-1).id);
    t.is(watching.report.daemons[0].pid, d.proc.pid);
    t.is(await d.stop('SIGTERM'), 0);
    const after = status(repo);
    t.not(after.code, EXIT.OK, 'no daemon: not protected');
    t.deepEqual(after.report.daemons, []);
    noWatchesLeft(t, base);
  });

  btest(`${backend}: the root moved away, recreated and written; --on-error runs once each way`, async (t) => {
    const { repo, base, A } = setup(t);
    const hookLog = path.join(base, 'hook.log');
    const d = startWatch(t, repo, A, ['--backend', backend, '--on-error', `echo "$STRATA_STATE|$STRATA_SOURCE|$STRATA_ERROR" >> ${hookLog}`]);
    await waitFor(() => snapshotsOf(d).length >= 1, 20000, 'initial snapshot');
    sh(A, 'echo old > old');
    await converge(d, repo, A);
    fs.renameSync(A, path.join(base, 'moved'));
    const missing = await waitStatus(repo, A, 'missing', 10000);
    t.not(missing.code, EXIT.OK);
    t.false(missing.report.protected);
    await waitFor(() => /moved away or deleted/.test(d.stderr()), 5000, 'the log line');
    sh(base, 'echo x > moved/not-followed');
    fs.mkdirSync(A);
    sh(A, 'echo new > new');
    await waitState(repo, A, 'watching', 15000);
    await converge(d, repo, A);
    sh(A, 'mkdir later && echo later > later/f');
    await converge(d, repo, A);
    t.deepEqual(ok(t, ['ls', '-R', 'latest'], { repo }).trim().split('\n'), ['later/', 'later/f', 'new']);
    t.is(status(repo).code, EXIT.OK);
    await waitFor(() => fs.existsSync(hookLog) && fs.readFileSync(hookLog, 'utf8').split('\n').length >= 3, 10000, 'two hook runs');
    const lines = fs.readFileSync(hookLog, 'utf8').trim().split('\n');
    t.is(lines.length, 2, lines.join('\n'));
    t.regex(lines[0]!, new RegExp(`^missing\\|${A}\\|source was moved away or deleted`));
    t.is(lines[1], `recovered|${A}|`);
    t.is(await d.stop('SIGTERM'), 0);
    noWatchesLeft(t, base);
  });

  btest(`${backend}: SIGTERM exits 0 within 5 s in every state`, async (t) => {
    const { repo, base, A } = setup(t);
    const cases: [string, string[], NodeJS.ProcessEnv, () => Promise<void>][] = [
      ['starting (subscribe hanging)', ['--backend-timeout', '60s'], { STRATA_TEST_WATCH_FAULT: 'hang-subscribe:1' }, () => waitState(repo, A, 'starting')],
      ['polling (every subscribe hangs)', ['--backend-timeout', '500ms'], { STRATA_TEST_WATCH_FAULT: 'hang-subscribe:1000' }, () => waitState(repo, A, 'polling')],
      ['watching', [], {}, () => waitState(repo, A, 'watching')],
      [
        'snapshotting',
        ['--quiet-ms', '10'],
        {},
        async () => {
          await waitState(repo, A, 'watching');
          for (let i = 0; i < 30; i++) fs.writeFileSync(path.join(A, `big${i}`), Buffer.alloc(2 << 20, i + 1));
          await sleep(300);
        },
      ],
      [
        'missing',
        [],
        {},
        async () => {
          await waitState(repo, A, 'watching');
          fs.rmSync(A, { recursive: true });
          await waitState(repo, A, 'missing');
        },
      ],
    ];
    for (const [state, args, env, reach] of cases) {
      fs.mkdirSync(A, { recursive: true });
      const d = startWatch(t, repo, A, ['--backend', backend, ...args], env);
      await reach();
      const r = await stopTimed(d, 'SIGTERM');
      t.is(r.code, 0, `${state}: exit code (${d.stderr()})`);
      t.true(r.ms < 5000, `${state}: exited after ${r.ms} ms`);
    }
    noWatchesLeft(t, base);
  });

  btest(`${backend}: a quick create+delete still marks the parent dirty`, async (t) => {
    const { repo, base, A } = setup(t);
    fs.mkdirSync(path.join(A, 'a'));
    const d = startWatch(t, repo, A, ['--backend', backend]);
    await waitFor(() => snapshotsOf(d).length >= 1, 20000, 'initial snapshot');
    const before = snapshotsOf(d).length;
    await sleep(50);
    sh(A, 'touch a/tmp; rm a/tmp');
    await converge(d, repo, A, 20000);
    t.true(snapshotsOf(d).length > before, 'a snapshot recorded the new mtime of a/');
    // watchman reports the pair; parcel's inotify backend either reports both halves (in two batches)
    // or drops the pair and delivers an empty batch, which triggers a stat scan ('poll')
    const trigger = snapshotsOf(d).at(-1).trigger;
    if (backend === 'watchman') t.is(trigger, 'events');
    else t.true(trigger === 'events' || trigger === 'poll', trigger);
    t.is(await d.stop(), 0);
    noWatchesLeft(t, base);
  });

  for (const n of [2, 10]) {
    btest(`${backend}: ${n} sources in one daemon, the seed races in each; one does not wait for another's quiet period`, async (t) => {
      const names = Array.from({ length: n }, (_, i) => `S${i}`);
      const { repo, base, dirs } = setup(t, names);
      // two sources: a longer quiet period, so "the busy one waits" holds on a loaded machine
      const d = startWatch(t, repo, dirs, ['--backend', backend, '--max-delay-ms', '20000', ...(n === 2 ? ['--quiet-ms', '1500'] : [])]);
      await waitFor(() => dirs.every((s) => snapshotsOf(d, s).length >= 1), 30000, 'initial snapshots');
      for (const s of dirs) sh(s, 'echo 1 > file1 && echo 1 > file2; mv file1 file3; mv file2 file1; rm file3; mkdir dir1; echo 1 > dir1/file1; mv dir1 dir2');
      for (const s of dirs) await converge(d, repo, s, 30000, s);
      for (const s of dirs) t.deepEqual(ok(t, ['ls', '-R', 'latest', '--source', s], { repo }).trim().split('\n'), ['dir2/', 'dir2/file1', 'file1']);
      if (n === 2) await busyAndCalm(t, d, repo, dirs);
      t.is(status(repo).report.daemons[0].sources.length, n);
      t.is(await d.stop('SIGTERM'), 0);
      noWatchesLeft(t, base);
    });
  }
}

/**
 * One source kept busy: another's change is snapshotted after its own quiet period, while the busy
 * one still has changes pending (a snapshot of one does not wait for the other's quiet period).
 */
async function busyAndCalm(t: ExecutionContext, d: Daemon, repo: string, dirs: string[]) {
  const [busy, calm] = [dirs[0]!, dirs[1]!];
  const calmBefore = snapshotsOf(d, calm).length;
  const end = Date.now() + 5000;
  let i = 0;
  const written = Date.now();
  sh(calm, 'echo calm > calm');
  let calmAt = 0;
  while (Date.now() < end) {
    fs.writeFileSync(path.join(busy, `b${i++ % 5}`), `${i}`);
    if (!calmAt && snapshotsOf(d, calm).length > calmBefore) calmAt = Date.now();
    await sleep(100);
  }
  t.true(calmAt > 0, 'the calm source was snapshotted while the busy one kept changing');
  // (whether the busy source got a snapshot meanwhile depends on scheduling gaps > --quiet-ms on a
  // loaded machine, so it is not asserted; its last writes are pending at this point)
  t.true(calmAt - written < 4500, `calm snapshotted ${calmAt - written} ms after its change`);
  await converge(d, repo, busy, 30000, busy);
  await converge(d, repo, calm, 30000, calm);
}

test.serial('a second daemon on a source already watched is refused, naming the running one; a stale lock is taken over', async (t) => {
  const { repo, base, dirs } = setup(t, ['A', 'B']);
  const [A, B] = dirs as [string, string];
  const d1 = startWatch(t, repo, [A, B]);
  await waitFor(() => snapshotsOf(d1).length >= 2, 20000, 'initial snapshots');
  const r = strata(['watch', B, path.join(base, 'C')], { repo });
  t.is(r.code, EXIT.LOCKED);
  t.regex(r.stderr, new RegExp(`^strata: ${B} is already watched for this repository by strata watch \\(pid ${d1.proc.pid}`));
  t.is(r.stderr.trim().split('\n').length, 1, 'one line');
  t.is(status(repo).report.daemons.length, 1);
  t.is(await d1.stop(), 0);
  const d2 = startWatch(t, repo, B);
  await waitState(repo, B, 'watching');
  d2.proc.kill('SIGKILL'); // leaves its lock and status file behind
  await d2.exited;
  t.deepEqual(status(repo).report.daemons, [], 'a dead daemon is not reported');
  const d3 = startWatch(t, repo, B);
  await waitState(repo, B, 'watching');
  t.is(await d3.stop(), 0);
  noWatchesLeft(t, base);
});

test.serial('hooks: --on-snapshot gets its environment; a hanging hook never blocks the daemon and is killed', async (t) => {
  const { repo, base, A } = setup(t);
  const log = path.join(base, 'hook.log');
  const pids = path.join(base, 'hook.pids');
  const hook = `echo "$STRATA_SNAPSHOT_ID|$STRATA_SOURCE|$STRATA_REPOSITORY" >> ${log}; echo $$ >> ${pids}; echo oops >&2; sleep 300`;
  const d = startWatch(t, repo, A, ['--on-snapshot', hook, '--hook-timeout', '2s']);
  await waitFor(() => snapshotsOf(d).length >= 1, 20000, 'initial snapshot');
  for (let i = 0; i < 3; i++) {
    sh(A, `echo ${i} > f${i}`);
    await converge(d, repo, A, 15000);
  }
  await waitFor(() => /hook --on-snapshot still running after 2000 ms: killed/.test(d.stderr()), 10000, 'a hook killed');
  sh(A, 'echo last > last');
  await converge(d, repo, A, 15000);
  const ids = snapshotsOf(d).map((s) => s.id);
  await waitFor(() => fs.readFileSync(log, 'utf8').trim().split('\n').length === ids.length, 5000, 'one hook run per snapshot');
  const runs = fs.readFileSync(log, 'utf8').trim().split('\n');
  t.deepEqual(runs.map((l) => l.split('|')[0]).sort(), [...ids].sort());
  for (const l of runs) t.deepEqual(l.split('|').slice(1), [A, repo]);
  t.is(await d.stop('SIGTERM'), 0);
  const hookPids = fs.readFileSync(pids, 'utf8').trim().split('\n').map(Number);
  await sleep(200);
  t.deepEqual(hookPids.filter(pidAlive), [], 'no hook process left behind');
  // a failing hook is one warning line
  const d2 = startWatch(t, repo, A, ['--on-snapshot', 'echo broken >&2; exit 7']);
  sh(A, 'echo again > again');
  await converge(d2, repo, A, 15000);
  await waitFor(() => /hook --on-snapshot exited 7: broken/.test(d2.stderr()), 5000, 'the failure logged');
  t.is(await d2.stop(), 0);
  noWatchesLeft(t, base);
});

test('watch --print-service prints a systemd user unit for the given arguments', (t) => {
  const base = fs.realpathSync(tmpDir(t));
  const [A, B] = [path.join(base, 'A'), path.join(base, 'B')];
  fs.mkdirSync(A);
  fs.mkdirSync(B);
  const r = strata(['watch', 'A', 'B', '--print-service', '--reconcile', '30m', '--keep-daily', '7'], {
    cwd: base,
    repo: path.join(base, 'repo'),
    env: { STRATA_PASSWORD_FILE: 'pw', STRATA_CACHE_DIR: '/var/cache/x' },
  });
  t.is(r.code, EXIT.OK, r.stderr);
  const lines = r.stdout.split('\n');
  const exec = lines.find((l) => l.startsWith('ExecStart='))!;
  t.regex(exec, /dist\/cli\/main\.js watch /);
  t.true(exec.endsWith(` watch ${A} ${B} --reconcile 30m --keep-daily 7`), exec);
  t.true(lines.includes(`Environment=STRATA_REPO=${path.join(base, 'repo')}`));
  t.true(lines.includes(`Environment=STRATA_PASSWORD_FILE=${path.join(base, 'pw')}`));
  t.true(lines.includes('Environment=STRATA_CACHE_DIR=/var/cache/x'));
  t.true(lines.includes('[Install]') && lines.includes('WantedBy=default.target'));
  t.false(fs.existsSync(path.join(base, 'repo')), 'nothing started, nothing created');
});
