// A repository on read-only media (a read-only bind mount), read as root and
// as an unprivileged user with a cache elsewhere: snapshots, ls, cat, restore
// and check work, take no lock, write nothing; and a read that a prune pulls
// the data from under fails loudly, never with wrong bytes.
import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isStrataError } from '../../src/errors.js';
import { listSnapshots } from '../../src/snapshot/manifest.js';
import { Repository } from '../../src/store/repository.js';
import { fileChunks, resolvePath } from '../../src/tree/trees.js';
import { rootEntry } from '../../src/snapshot/manifest.js';
import { CLI, pseudoRandom, strata, tmpDir, treeDiff, writeTree, TEST_PASSWORD } from '../helpers/cli.js';

const NOBODY = 65534;

function sh(cmd: string, args: string[]): { code: number; err: string } {
  const r = spawnSync(cmd, args);
  return { code: r.status ?? -1, err: r.stderr?.toString() ?? '' };
}

/** A repository with one snapshot, bind-mounted read-only at `ro`; unmounted at teardown. */
function readOnlyRepo(t: ExecutionContext, owner?: number): { base: string; repo: string; ro: string; src: string } | null {
  if (process.getuid?.() !== 0) return null;
  const base = tmpDir(t);
  fs.chmodSync(base, 0o755);
  const repo = path.join(base, 'repo');
  const src = path.join(base, 'src');
  writeTree(src, { 'a/big.bin': pseudoRandom(2 << 20, 3), 'a/small.txt': 'small\n', 'top.txt': 'top\n' });
  const env = { STRATA_CACHE_DIR: path.join(base, 'writer-cache') };
  if (strata(['init'], { repo, env }).code !== 0 || strata(['snapshot', src], { repo, env }).code !== 0) throw new Error('setup failed');
  if (owner !== undefined) sh('chown', ['-R', `${owner}:${owner}`, repo]);
  const ro = path.join(base, 'ro');
  fs.mkdirSync(ro);
  if (sh('mount', ['--bind', repo, ro]).code !== 0) return null;
  t.teardown(() => void sh('umount', [ro]));
  if (sh('mount', ['-o', 'remount,ro,bind', ro]).code !== 0) return null;
  return { base, repo, ro, src };
}

function readsWork(t: ExecutionContext, ro: string, src: string, base: string, as: string[], cache: string): void {
  const cli = (args: string[]) => {
    const r = spawnSync(as[0] ?? process.execPath, [...as.slice(1), ...(as.length ? [process.execPath] : []), CLI, '--repo', ro, ...args], { env: { ...process.env, STRATA_CACHE_DIR: cache } });
    return { code: r.status ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  };
  const must = (args: string[]) => {
    const r = cli(args);
    if (r.code !== 0) t.fail(`strata ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r;
  };
  t.is(JSON.parse(must(['snapshots', '--json']).stdout).length, 1);
  t.regex(must(['ls', '-R', 'latest']).stdout, /a\/small\.txt/);
  t.is(must(['cat', 'latest:a/small.txt']).stdout, 'small\n');
  const out = path.join(base, `out-${as.length ? 'user' : 'root'}`);
  fs.mkdirSync(out);
  if (as.length) fs.chownSync(out, NOBODY, NOBODY);
  must(['restore', 'latest', '--target', out]);
  t.deepEqual(treeDiff(src, out), []);
  const c = must(['check', '--read-data']);
  t.regex(c.stdout, /no integrity problems found/);
  t.regex(c.stderr, /cannot be written \((EROFS|EACCES)\): reading it without a lock/);
  const c2 = must(['--no-lock', 'check']);
  t.is(c2.stderr, '', 'no lock attempted under --no-lock');
  // writing is refused clearly
  const w = cli(['snapshot', src]);
  t.not(w.code, 0);
  t.regex(w.stderr, /^strata: .*(read-only|EROFS|permission|EACCES)/i);
}

test('a read-only bind-mounted repository serves snapshots/ls/cat/restore/check as root', (t) => {
  const r = readOnlyRepo(t);
  if (!r) return t.pass('needs root and bind mounts');
  const before = sh('find', [r.repo, '-newer', path.join(r.repo, 'config')]);
  readsWork(t, r.ro, r.src, r.base, [], path.join(r.base, 'reader-cache'));
  t.is(before.code, 0);
  t.deepEqual(fs.readdirSync(path.join(r.repo, 'locks')), [], 'no lock left behind');
});

test('a read-only bind-mounted repository serves snapshots/ls/cat/restore/check as an unprivileged user', (t) => {
  const r = readOnlyRepo(t, NOBODY);
  if (!r) return t.pass('needs root and bind mounts');
  const cache = path.join(r.base, 'nobody-cache');
  fs.mkdirSync(cache);
  fs.chownSync(cache, NOBODY, NOBODY);
  readsWork(t, r.ro, r.src, r.base, ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'], cache);
  const owned = fs.readdirSync(cache).map((e) => fs.statSync(path.join(cache, e)).uid);
  t.true(owned.every((u) => u === NOBODY));
});

test('a lock-free reader whose data a prune removes fails loudly (E_PACK_MISSING), never with wrong bytes', async (t) => {
  const base = tmpDir(t);
  const repo = path.join(base, 'repo');
  const src = path.join(base, 'src');
  writeTree(src, { 'f.bin': pseudoRandom(1 << 20, 5) });
  const env = { STRATA_CACHE_DIR: path.join(base, 'pruner-cache') };
  strata(['init'], { repo, env });
  strata(['snapshot', src], { repo, env });
  const reader = await Repository.open(repo, { cacheDir: path.join(base, 'reader-cache'), password: async () => TEST_PASSWORD });
  t.teardown(() => reader.close());
  const [snap] = await listSnapshots(reader);
  const entry = await resolvePath(reader, rootEntry(snap!), 'f.bin');
  // meanwhile another host forgets and prunes everything
  t.is(strata(['forget', snap!.id], { repo, env }).code, 0);
  t.is(strata(['prune'], { repo, env }).code, 0);
  const err = await t.throwsAsync(async () => {
    for (const h of await fileChunks(reader, entry.content!)) await reader.getBlob(h);
  });
  t.true(isStrataError(err, 'E_PACK_MISSING'), String(err));
  t.regex(err!.message, /pack [0-9a-f]{64} is missing from the repository/);
});
