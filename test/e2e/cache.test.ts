// The index as a disposable per-host cache, through the CLI: deleting it
// between any two commands, a damaged or foreign cache set aside, two hosts
// (two caches) on one repository with a prune in between, a repository made
// by the previous release, and repository addresses that are refused.
import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT } from '../../src/cli/exit-codes.js';
import { pseudoRandom, strata, tmpDir, treeDiff, writeTree, type Run } from '../helpers/cli.js';

function run(t: ExecutionContext, args: string[], repo: string, cache: string, expectCode = 0): Run {
  const r = strata(args, { repo, env: { STRATA_CACHE_DIR: cache } });
  if (r.code !== expectCode) t.fail(`strata ${args.join(' ')} exited ${r.code} (wanted ${expectCode}): ${r.stderr}`);
  return r;
}

function setup(t: ExecutionContext): { base: string; repo: string; src: string } {
  const base = tmpDir(t);
  const src = path.join(base, 'src');
  writeTree(src, { 'a/big.bin': pseudoRandom(1536 << 10, 1), 'a/small.txt': 'hello\n', 'b/c/deep.txt': 'deep\n', 'top.txt': 'top\n' });
  return { base, repo: path.join(base, 'repo'), src };
}

/** The full sequence of the issue; `between` runs before every command. */
function sequence(t: ExecutionContext, repo: string, src: string, cache: string, out: string, between: () => void): Record<string, string> {
  const res: Record<string, string> = {};
  const go = (name: string, args: string[]) => {
    between();
    const r = run(t, args, repo, cache);
    res[name] = r.stdout;
    return r;
  };
  go('init', ['init']);
  go('snap1', ['snapshot', src, '--json']);
  fs.writeFileSync(path.join(src, 'a/small.txt'), 'hello again\n');
  fs.writeFileSync(path.join(src, 'new.bin'), pseudoRandom(1 << 20, 2));
  fs.rmSync(path.join(src, 'b'), { recursive: true });
  go('snap2', ['snapshot', src, '--json']);
  go('ls', ['ls', '-R', 'latest']);
  go('log', ['log', 'a/small.txt']);
  go('diff', ['diff', 'latest~1', 'latest']);
  go('restore', ['restore', 'latest~1', '--target', out]);
  go('forget', ['forget', '--keep-last', '1']);
  go('prune', ['prune', '--json']);
  go('check', ['check', '--read-data']);
  go('snapshots', ['snapshots', '--json']);
  go('restore2', ['restore', 'latest', '--target', out + '-2']);
  return res;
}

test('the cache deleted between every two commands: everything works, says so, and agrees with a kept cache', (t) => {
  const a = setup(t);
  const cacheA = path.join(a.base, 'cache');
  const firstTree = path.join(a.base, 'first');
  fs.cpSync(a.src, firstTree, { recursive: true });
  let rebuilt = 0;
  const outA = path.join(a.base, 'out');
  const resA = sequence(t, a.repo, a.src, cacheA, outA, () => {
    if (fs.existsSync(cacheA)) rebuilt++;
    fs.rmSync(cacheA, { recursive: true, force: true });
  });
  t.true(rebuilt >= 10);
  t.deepEqual(treeDiff(firstTree, outA), []);
  t.deepEqual(treeDiff(a.src, outA + '-2'), []);
  // the same sequence with a cache that stays
  const b = setup(t);
  const cacheB = path.join(b.base, 'cache');
  const resB = sequence(t, b.repo, b.src, cacheB, path.join(b.base, 'out'), () => {});
  const strip = (s: string) => s.replaceAll(a.base, 'BASE').replaceAll(b.base, 'BASE').replace(/[0-9a-f]{8,64}/g, 'ID').replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, 'TIME').replace(/\d+(\.\d+)? ?(ms|s)\b/g, 'T');
  for (const k of ['ls', 'log', 'diff']) t.is(strip(resA[k]!), strip(resB[k]!), k);
  // (blob counts differ between the two: each repository has its own chunker seed)
  t.true(JSON.parse(resA.prune!).packsDeleted + JSON.parse(resA.prune!).packsRepacked > 0);
  t.is(JSON.parse(resA.snapshots!).length, 1);
  // nothing of the cache inside the repository
  t.false(fs.existsSync(path.join(a.repo, 'index', 'data.mdb')));
  t.false(fs.existsSync(path.join(a.repo, 'tmp')));
});

test('a missing cache is rebuilt with one line on stderr; a damaged one is set aside, never opened', (t) => {
  const { base, repo, src } = setup(t);
  const cache = path.join(base, 'cache');
  run(t, ['init'], repo, cache);
  run(t, ['snapshot', src], repo, cache);
  const id = JSON.parse(fs.readFileSync(path.join(repo, 'config'), 'utf8')).id as string;
  fs.rmSync(cache, { recursive: true });
  const r1 = run(t, ['ls', 'latest'], repo, cache);
  t.is(r1.stderr.trim().split('\n').length, 1, r1.stderr);
  t.regex(r1.stderr, /^strata: no cache for repository .* building it from the repository\n$/);
  t.regex(r1.stdout, /top\.txt/);
  // garbage over the LMDB file: lmdb-js would crash (SIGBUS/SIGSEGV) on it; it is set aside instead
  const mdb = path.join(cache, id, 'index', 'data.mdb');
  const size = fs.statSync(mdb).size;
  fs.writeFileSync(mdb, pseudoRandom(size, 9));
  fs.utimesSync(mdb, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  const r2 = run(t, ['cat', 'latest:a/small.txt'], repo, cache);
  t.is(r2.stdout, 'hello\n');
  t.regex(r2.stderr, /the cache at .* is damaged .* set aside as .*\.bad-.* rebuilding it from the repository/);
  t.true(fs.readdirSync(cache).some((e) => e.startsWith(`${id}.bad-`)));
  // a truncated one too
  fs.truncateSync(mdb, 100);
  const r3 = run(t, ['check'], repo, cache);
  t.regex(r3.stderr, /damaged .* set aside/);
  t.regex(r3.stdout, /no integrity problems found/);
  // the cache folder is private
  t.is(fs.statSync(path.join(cache, id)).mode & 0o777, 0o700);
  t.is(fs.statSync(mdb).mode & 0o777, 0o600);
});

test('damaged data pages behind sound meta pages: read through a child process first, set aside, never a crash', (t) => {
  const { base, repo, src } = setup(t);
  const cache = path.join(base, 'cache');
  run(t, ['init'], repo, cache);
  for (let i = 0; i < 3; i++) {
    fs.writeFileSync(path.join(src, `more-${i}.bin`), pseudoRandom(3 << 20, 20 + i));
    run(t, ['snapshot', src], repo, cache);
  }
  const id = JSON.parse(fs.readFileSync(path.join(repo, 'config'), 'utf8')).id as string;
  const mdb = path.join(cache, id, 'index', 'data.mdb');
  // a clean cache is trusted as it is: no notice
  t.is(run(t, ['snapshots'], repo, cache).stderr, '');
  for (const age of [0, 60_000]) {
    // keep the two meta pages, overwrite every page after them (just now, and "a minute ago")
    const psize = fs.readFileSync(mdb).readUInt32LE(48);
    const size = fs.statSync(mdb).size;
    t.true(size > 4 * psize, `cache only ${size} bytes`);
    const fd = fs.openSync(mdb, 'r+');
    fs.writeSync(fd, pseudoRandom(size - 2 * psize, 30 + age), 0, size - 2 * psize, 2 * psize);
    fs.closeSync(fd);
    if (age) fs.utimesSync(mdb, new Date(Date.now() - age), new Date(Date.now() - age));
    const r = run(t, ['cat', 'latest:a/small.txt'], repo, cache);
    t.is(r.stdout, 'hello\n');
    t.regex(r.stderr, /the cache at .* is damaged \(reading it failed: .*\); set aside as .*\.bad-.* rebuilding it from the repository/);
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    // rebuilt and clean again: the next command opens it without a word
    t.is(run(t, ['ls', 'latest'], repo, cache).stderr, '');
  }
});

test('a cache of another repository is refused and rebuilt', (t) => {
  const one = setup(t);
  const two = setup(t);
  const cache = path.join(one.base, 'cache');
  run(t, ['init'], one.repo, cache);
  run(t, ['snapshot', one.src], one.repo, cache);
  run(t, ['init'], two.repo, cache);
  fs.writeFileSync(path.join(two.src, 'only-two.txt'), 'two\n');
  run(t, ['snapshot', two.src], two.repo, cache);
  const id1 = JSON.parse(fs.readFileSync(path.join(one.repo, 'config'), 'utf8')).id as string;
  const id2 = JSON.parse(fs.readFileSync(path.join(two.repo, 'config'), 'utf8')).id as string;
  // repository two's cache folder replaced by a copy of repository one's
  fs.rmSync(path.join(cache, id2), { recursive: true });
  fs.cpSync(path.join(cache, id1), path.join(cache, id2), { recursive: true });
  const r = run(t, ['ls', 'latest'], two.repo, cache);
  t.regex(r.stderr, new RegExp(`not this repository's \\(it belongs to repository ${id1}\\); set aside`));
  t.regex(r.stdout, /only-two\.txt/);
  const snaps = JSON.parse(run(t, ['snapshots', '--json'], two.repo, cache).stdout);
  t.is(snaps.length, 1, 'no snapshot of repository one leaks in');
  t.regex(run(t, ['check', '--read-data'], two.repo, cache).stdout, /no integrity problems found/);
});

test('two hosts (two caches) write alternately, one prunes: the other never references pruned data', (t) => {
  const { base, repo, src } = setup(t);
  const cacheA = path.join(base, 'cacheA');
  const cacheB = path.join(base, 'cacheB');
  const srcB = path.join(base, 'srcB');
  writeTree(srcB, { 'x.bin': pseudoRandom(1 << 20, 7), 'y.txt': 'yyy\n' });
  run(t, ['init'], repo, cacheA);
  run(t, ['snapshot', src], repo, cacheA);
  run(t, ['snapshot', srcB], repo, cacheB); // B's cache learns A's segment and writes its own
  // B's data goes away: its snapshot is forgotten and pruned by A
  fs.writeFileSync(path.join(srcB, 'x.bin'), pseudoRandom(1 << 20, 8));
  const bSnaps = JSON.parse(run(t, ['snapshots', '--json'], repo, cacheB).stdout) as { id: string; source: string }[];
  const bId = bSnaps.find((s) => s.source === fs.realpathSync(srcB))!.id;
  run(t, ['forget', bId], repo, cacheA);
  const pruned = JSON.parse(run(t, ['prune', '--json'], repo, cacheA).stdout);
  t.true(pruned.packsDeleted + pruned.packsRepacked > 0, JSON.stringify(pruned));
  // B's cache still lists blobs of the pruned packs; its next snapshot must store them again
  writeTree(srcB, { 'x.bin': pseudoRandom(1 << 20, 7) });
  const r = run(t, ['snapshot', srcB, '--json'], repo, cacheB);
  t.regex(r.stderr, /pruned or repaired since this cache was updated/);
  t.true(JSON.parse(r.stdout).bytesAdded > 512 << 10, 'the pruned content is stored again');
  const out = path.join(base, 'outB');
  run(t, ['restore', 'latest', '--source', srcB, '--target', out], repo, cacheB);
  t.deepEqual(treeDiff(srcB, out), []);
  // and a third, fresh cache agrees the repository is whole
  t.regex(run(t, ['check', '--read-data'], repo, path.join(base, 'cacheC')).stdout, /no integrity problems found/);
  t.regex(run(t, ['check', '--read-data'], repo, cacheA).stdout, /no integrity problems found/);
});

// A repository written by the first release (format 1, its LMDB index inside it), committed as a
// fixture so this runs everywhere: test/fixtures/format1-repo, made from FIXTURE_TREE by 6029e60.
const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/format1-repo');
const FIXTURE_TREE = { 'a/big.bin': pseudoRandom(96 << 10, 1), 'a/small.txt': 'hello\n', 'b/c/deep.txt': 'deep\n', 'top.txt': 'top\n' };

test('the fixture repository of the first release is read, restored, extended, pruned and checked', (t) => {
  const base = tmpDir(t);
  const repo = path.join(base, 'repo');
  fs.cpSync(FIXTURE, repo, { recursive: true });
  const cache = path.join(base, 'cache');
  const first = path.join(base, 'first');
  writeTree(first, FIXTURE_TREE);
  t.is(JSON.parse(fs.readFileSync(path.join(repo, 'config'), 'utf8')).version, 1);
  // read with no password (format 1 is plaintext) and a cold cache: the packs' trailers are read
  const env = { STRATA_CACHE_DIR: cache, STRATA_PASSWORD: '' };
  const r1 = strata(['snapshots', '--json'], { repo, env });
  t.is(r1.code, 0, r1.stderr);
  t.is(JSON.parse(r1.stdout).length, 1);
  const out = path.join(base, 'out');
  t.is(strata(['restore', 'latest', '--target', out], { repo, env }).code, 0);
  t.deepEqual(treeDiff(first, out), []);
  // extend it from a source like the one it was made of
  const src = path.join(base, 'src');
  writeTree(src, { ...FIXTURE_TREE, 'added.txt': 'new\n' });
  const s = strata(['snapshot', src], { repo, env });
  t.is(s.code, 0, s.stderr);
  t.is(JSON.parse(strata(['snapshots', '--json'], { repo, env }).stdout).length, 2);
  t.is(JSON.parse(fs.readFileSync(path.join(repo, 'config'), 'utf8')).version, 1, 'the config is left as it was');
  const out2 = path.join(base, 'out2');
  // two sources now (the fixture's and this one): `latest` of this one
  const r2 = strata(['restore', 'latest', '--source', src, '--target', out2], { repo, env });
  t.is(r2.code, 0, r2.stderr);
  t.deepEqual(treeDiff(src, out2), []);
  t.is(strata(['forget', '--keep-last', '1', '--prune'], { repo, env }).code, 0);
  const c = strata(['check', '--read-data'], { repo, env: { ...env, STRATA_CACHE_DIR: path.join(base, 'fresh') } });
  t.is(c.code, 0, c.stdout + c.stderr);
});

test('unsupported --repo schemes are refused clearly and create nothing', (t) => {
  const cwd = tmpDir(t);
  const cases: [string, string[]][] = [
    ['sftp:host:/x', ['init']],
    ['rest:http://host:8000/', ['snapshots']],
    ['rclone:remote:path', ['snapshot', cwd]],
    ['b2:bucket:path', ['init']],
    ['azure:c:/', ['init']],
    ['gs:bucket:/', ['ls', 'latest']],
    ['swift:c:/', ['init']],
    ['ftp://host/x', ['init']],
  ];
  for (const [addr, args] of cases) {
    const r = strata(['--repo', addr, ...args], { cwd, env: { STRATA_CACHE_DIR: path.join(cwd, 'cache') } });
    t.is(r.code, 2, `${addr}: ${r.stderr}`);
    t.regex(r.stderr, /^strata: repository address .* backend is not supported .*nothing was created\n$/, addr);
  }
  // and through STRATA_REPO too
  const r = strata(['init'], { cwd, env: { STRATA_REPO: 'sftp:host:/y', STRATA_CACHE_DIR: path.join(cwd, 'cache') } });
  t.is(r.code, 2);
  t.deepEqual(fs.readdirSync(cwd), []);
});

test('--repo s3:... opens an S3 store: an unknown host is one clear line, nothing created', (t) => {
  // the S3 commands themselves are tested against a real gateway in test/e2e/s3-*.test.ts
  const cwd = tmpDir(t);
  const r = strata(['--repo', 's3:https://example.invalid/bucket', 'init'], { cwd, env: { STRATA_CACHE_DIR: path.join(cwd, 'cache'), AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' } });
  t.is(r.code, EXIT.REMOTE_UNREACHABLE, r.stderr);
  t.regex(r.stderr, /^strata: s3:https:\/\/example\.invalid\/bucket: .*https:\/\/example\.invalid/);
  t.is(r.stderr.trim().split('\n').length, 1);
  t.deepEqual(fs.readdirSync(cwd), []);
});

test('--cache-dir wins over STRATA_CACHE_DIR', (t) => {
  const { base, repo, src } = setup(t);
  const envCache = path.join(base, 'env-cache');
  const flagCache = path.join(base, 'flag-cache');
  run(t, ['--cache-dir', flagCache, 'init'], repo, envCache);
  run(t, ['snapshot', '--cache-dir', flagCache, src], repo, envCache);
  t.false(fs.existsSync(envCache));
  t.true(fs.existsSync(path.join(flagCache, 'CACHEDIR.TAG')));
});

test('a snapshot forgotten on one host is gone for another: not listed, not a check problem, never restored by repair', (t) => {
  const { base, repo, src } = setup(t);
  const cacheA = path.join(base, 'cacheA');
  const cacheB = path.join(base, 'cacheB');
  run(t, ['init'], repo, cacheA);
  const s1 = JSON.parse(run(t, ['snapshot', src, '--json'], repo, cacheA).stdout);
  fs.writeFileSync(path.join(src, 'top.txt'), 'changed\n');
  run(t, ['snapshot', src], repo, cacheA);
  t.is(JSON.parse(run(t, ['snapshots', '--json'], repo, cacheB).stdout).length, 2); // B caches both
  run(t, ['forget', s1.id], repo, cacheA);
  const listed = JSON.parse(run(t, ['snapshots', '--json'], repo, cacheB).stdout) as { id: string }[];
  t.deepEqual(listed.map((s) => s.id).includes(s1.id), false);
  const again = run(t, ['forget', s1.id.slice(0, 12)], repo, cacheB, 1); // already gone
  t.regex(again.stderr, /no snapshot matches/);
  t.regex(run(t, ['check'], repo, cacheB).stdout, /no integrity problems found/);
  const rep = run(t, ['repair', 'index'], repo, cacheB);
  t.notRegex(rep.stdout, /restored snapshot file/);
  t.false(fs.existsSync(path.join(repo, 'snapshots', s1.id)));
});
