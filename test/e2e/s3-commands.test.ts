// The whole command set through the CLI on an s3: repository, against a real
// Ceph RADOS gateway (test/helpers/ceph.sh): init creating the bucket, snapshot
// with request counts, the reading commands, forget/prune, check --read-data,
// repair index, a cold-cache restore; and the permanent failures (wrong
// credentials, missing bucket, unreachable endpoint) as one line, a non-zero
// exit and nothing created.
import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { CLI, json, ok, pseudoRandom, strata, tmpDir, treeDiff, writeTree } from '../helpers/cli.js';
import { useCeph } from '../helpers/ceph.js';

const { it, ceph } = useCeph(test);

let n = 0;
/** A new repository address in a bucket of its own (created by init). */
function address(): string {
  return `s3:${ceph().endpoint}/cmds-${process.pid}-${++n}/repo/laptop`;
}

/** Options for the CLI: the gateway's keys and a cache folder of the test's own. */
function env(t: ExecutionContext, extra: NodeJS.ProcessEnv = {}) {
  return { env: { ...ceph().env(), STRATA_CACHE_DIR: tmpDir(t, 'strata-s3cache-'), ...extra } };
}

it('every command on an s3: repository', async (t) => {
  const repo = address();
  const o = env(t);
  const src = tmpDir(t);
  writeTree(src, { 'a.txt': 'alpha\n', 'src/main.ts': 'one\n', 'src/lib/u.ts': 'u\n', 'big.bin': pseudoRandom(12 << 20, 7) });

  const init = json(t, ['init', '--repo', repo], o);
  t.is(init.repo, repo);
  const again = strata(['init', '--repo', repo], o);
  t.not(again.code, 0);
  t.regex(again.stderr, /^strata: cannot init .*a repository already exists\n$/);

  const s1 = json(t, ['snapshot', src, '--repo', repo], o);
  t.is(s1.files, 4);
  t.truthy(s1.requests, 'request counts in the summary');
  t.true(s1.requests.puts >= 3, `puts ${s1.requests.puts}`);
  for (const k of ['gets', 'puts', 'lists', 'deletes', 'heads', 'retries']) t.is(typeof s1.requests[k], 'number', k);

  fs.writeFileSync(path.join(src, 'src/main.ts'), 'two\n');
  fs.renameSync(path.join(src, 'a.txt'), path.join(src, 'src/a-moved.txt'));
  const s2 = json(t, ['snapshot', src, '--repo', repo], o);
  t.is(s2.parent, s1.id);
  t.true(s2.blobsAdded < 10);
  const s3 = json(t, ['snapshot', src, '--repo', repo], o);
  t.true(s3.unchanged);
  t.log(`requests: first ${JSON.stringify(s1.requests)}, one change ${JSON.stringify(s2.requests)}, no change ${JSON.stringify(s3.requests)}`);
  t.true(s3.requests.lists + s3.requests.gets + s3.requests.puts + s3.requests.heads + s3.requests.deletes <= 20, 'a no-change snapshot costs a handful of requests');

  t.deepEqual(json(t, ['snapshots', '--repo', repo], o).map((s: any) => s.id), [s1.id, s2.id, s3.id]);
  t.deepEqual(ok(t, ['ls', '-R', 'latest', '--repo', repo], o).trim().split('\n'), ['big.bin', 'src/', 'src/a-moved.txt', 'src/lib/', 'src/lib/u.ts', 'src/main.ts']);
  t.is(ok(t, ['cat', 'latest:src/main.ts', '--repo', repo], o), 'two\n');
  t.is(ok(t, ['cat', `${s1.id.slice(0, 8)}:src/main.ts`, '--repo', repo], o), 'one\n');
  t.true(strata(['cat', 'latest:big.bin', '--repo', repo], o).stdoutBuf.equals(pseudoRandom(12 << 20, 7)));
  t.true(json(t, ['find', '*.ts', '--repo', repo], o).length >= 2);
  t.is(json(t, ['log', 'src/main.ts', '--repo', repo], o).length >= 2, true);
  const diff = json(t, ['diff', s1.id.slice(0, 10), s2.id.slice(0, 10), '--repo', repo], o);
  t.deepEqual(diff.map((c: any) => c.status).sort(), ['modified', 'renamed']);

  const out = path.join(tmpDir(t), 'out');
  ok(t, ['restore', 'latest', '--target', out, '--repo', repo], o);
  t.deepEqual(treeDiff(src, out), []);

  // a cold cache (another machine, or the cache removed): restore rebuilds it from the bucket
  const cold = env(t);
  const out2 = path.join(tmpDir(t), 'out');
  const r = strata(['restore', 'latest', '--target', out2, '--repo', repo], cold);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /no cache for repository s3:/);
  t.deepEqual(treeDiff(src, out2), []);
  const single = path.join(tmpDir(t), 'one');
  ok(t, ['restore', 'latest:src/lib/u.ts', '--target', single, '--repo', repo], env(t));
  t.is(fs.readFileSync(path.join(single, 'u.ts'), 'utf8'), 'u\n');

  const f = json(t, ['forget', '--keep-last', '1', '--repo', repo], o);
  t.is(f.removed.length, 2);
  const pr = json(t, ['prune', '--repo', repo], o);
  t.true(pr.blobsRemoved > 0, 'the old main.ts and a.txt paths are gone');
  const chk = json(t, ['check', '--read-data', '--repo', repo], o);
  t.true(chk.ok, JSON.stringify(chk.problems));
  t.true(chk.stats.bytesRead > 12 << 20);
  const rep = json(t, ['repair', 'index', '--repo', repo], o);
  t.true(rep.packsIndexed > 0);
  t.deepEqual(rep.packsDamaged, []);
  // a fresh cache (not `cold`: a cache that last saw the forgotten snapshots reports them as missing files — a
  // check/cache issue of local repositories as well, reported, not in this module)
  t.true(json(t, ['check', '--read-data', '--repo', repo], env(t)).ok);
  const out3 = path.join(tmpDir(t), 'out');
  ok(t, ['restore', 'latest', '--target', out3, '--repo', repo], o);
  t.deepEqual(treeDiff(src, out3), []);
});

it('STRATA_REPO names an s3: repository too, and repositories under two prefixes of one bucket stay apart', async (t) => {
  const bucket = `shared-${process.pid}`;
  const a = `s3:${ceph().endpoint}/${bucket}/hosts/a`;
  const a2 = `s3:${ceph().endpoint}/${bucket}/hosts/a2`;
  const o = env(t);
  const src = tmpDir(t);
  writeTree(src, { 'x.txt': 'x\n' });
  ok(t, ['init'], { env: { ...o.env, STRATA_REPO: a } });
  ok(t, ['init', '--repo', a2], o);
  json(t, ['snapshot', src], { env: { ...o.env, STRATA_REPO: a } });
  t.is(json(t, ['snapshots', '--repo', a], o).length, 1);
  t.is(json(t, ['snapshots', '--repo', a2], o).length, 0);
});

it('permanent failures: one line, a non-zero exit, nothing created', async (t) => {
  const good = address();
  const o = env(t);
  ok(t, ['init', '--repo', good], o);
  const src = tmpDir(t);
  writeTree(src, { 'x.txt': 'x\n' });
  const cacheOf = (x: { env: NodeJS.ProcessEnv }) => x.env.STRATA_CACHE_DIR!;
  const oneLine = (r: { stderr: string }) => r.stderr.trim().split('\n').length === 1 && r.stderr.startsWith('strata: ');

  // wrong credentials, for a reading command, a snapshot and an init
  for (const args of [['snapshots'], ['snapshot', src], ['init']]) {
    const bad = env(t, { AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
    const target = args[0] === 'init' ? address() : good;
    const r = strata([...args, '--repo', target], bad);
    t.is(r.code, EXIT.REMOTE_AUTH, `${args[0]}: ${r.stderr}`);
    t.true(oneLine(r), r.stderr);
    t.regex(r.stderr, /access denied by http:\/\/127\.0\.0\.1:\d+ \(SignatureDoesNotMatch\)/);
    t.false(fs.existsSync(cacheOf(bad)) && fs.readdirSync(cacheOf(bad)).some((e) => e !== 'CACHEDIR.TAG'), 'no cache created');
    if (args[0] === 'init') t.is(strata(['snapshots', '--repo', target], o).code, 10, 'no bucket created');
  }
  // no keys at all
  const nokeys = env(t, { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });
  const nk = strata(['snapshots', '--repo', good], nokeys);
  t.is(nk.code, EXIT.REMOTE_AUTH);
  t.regex(nk.stderr, /no credentials/);

  // a missing bucket, for commands other than init
  const missing = `s3:${ceph().endpoint}/no-such-bucket-${process.pid}/x`;
  for (const args of [['snapshots'], ['snapshot', src], ['restore', 'latest', '--target', path.join(tmpDir(t), 'o')]]) {
    const e = env(t);
    const r = strata([...args, '--repo', missing], e);
    t.is(r.code, 10, `${args[0]}: ${r.stderr}`);
    t.true(oneLine(r), r.stderr);
    t.regex(r.stderr, /bucket no-such-bucket-\d+ does not exist at http:\/\/127\.0\.0\.1:\d+ \(strata init creates it\)/);
    t.false(fs.existsSync(cacheOf(e)) && fs.readdirSync(cacheOf(e)).some((x) => x !== 'CACHEDIR.TAG'), 'no cache created');
  }
  // ...and still missing afterwards: only init creates buckets
  const still = strata(['snapshots', '--repo', missing], o);
  t.is(still.code, 10);
  // an existing bucket without a repository under the prefix
  const empty = strata(['snapshots', '--repo', `${good}-other`], o);
  t.is(empty.code, 10);
  t.regex(empty.stderr, /is not a strata repository \(no config file\)/);

  // an unreachable endpoint (nothing listens on port 1) and an unknown host
  for (const [addr, re] of [
    ['s3:http://127.0.0.1:1/bucket/x', /http:\/\/127\.0\.0\.1:1 is unreachable \(ECONNREFUSED\)/],
    ['s3:http://no-such-host.invalid:7480/bucket/x', /cannot resolve the host of http:\/\/no-such-host\.invalid:7480/],
  ] as const) {
    for (const args of [['snapshots'], ['init']]) {
      const e = env(t);
      const r = strata([...args, '--repo', addr], e);
      t.is(r.code, EXIT.REMOTE_UNREACHABLE, `${args[0]} ${addr}: ${r.stderr}`);
      t.true(oneLine(r), r.stderr);
      t.regex(r.stderr, re);
      t.false(fs.existsSync(cacheOf(e)) && fs.readdirSync(cacheOf(e)).some((x) => x !== 'CACHEDIR.TAG'), 'no cache created');
    }
  }
  // a bad address is a usage error before any request
  const badAddr = strata(['snapshots', '--repo', 's3:http://127.0.0.1:1/B_ad'], o);
  t.is(badAddr.code, 2);
  t.true(oneLine(badAddr), badAddr.stderr);
});

test('local commands do not load the AWS SDK; s3: ones do', (t) => {
  // a module hook reports every resolution of the SDK on stderr
  const dir = tmpDir(t);
  const hook = path.join(dir, 'hook.mjs');
  fs.writeFileSync(hook, "import { writeSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); if (r.url.includes('@aws-sdk/client-s3')) writeSync(2, 'SDK LOADED\\n'); return r; }\n");
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['--no-warnings', '--experimental-loader', hook, CLI, ...args], { encoding: 'utf8', env: { ...process.env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' } });
  const local = run(['init', '--repo', path.join(dir, 'repo')]);
  t.is(local.status, 0, local.stderr);
  t.notRegex(local.stderr, /SDK LOADED/);
  const snap = run(['snapshots', '--repo', path.join(dir, 'repo')]);
  t.is(snap.status, 0, snap.stderr);
  t.notRegex(snap.stderr, /SDK LOADED/);
  const s3 = run(['snapshots', '--repo', 's3:http://127.0.0.1:1/bucket/x']);
  t.is(s3.status, EXIT.REMOTE_UNREACHABLE);
  t.regex(s3.stderr, /SDK LOADED/);
});
