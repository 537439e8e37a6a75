// Issue 11, item 2, through the CLI: a full disk under the repository, on a
// small tmpfs and on a small loop-mounted ext4 image that each test makes
// (and unmounts in teardown). The command must stop at once with one line
// naming the full disk, blame no source file, leave no lock or scratch
// behind, exit non-zero (not by a signal) and leave the repository usable.
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { CLI, json, ok, pseudoRandom, tmpDir, treeDiff, writeTree } from '../helpers/cli.js';

/** Mount a file system of `mib` MiB on a new directory; unmounted and removed in teardown. */
function mountSmall(t: any, kind: 'tmpfs' | 'ext4', mib: number): string {
  const base = tmpDir(t, `strata-${kind}-`);
  const mnt = path.join(base, 'mnt');
  fs.mkdirSync(mnt);
  if (kind === 'tmpfs') {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m`, 'tmpfs', mnt]);
  } else {
    const img = path.join(base, 'disk.img');
    fs.writeFileSync(img, '');
    fs.truncateSync(img, mib << 20);
    execFileSync('mkfs.ext4', ['-q', '-F', '-m', '0', img]);
    execFileSync('mount', ['-o', 'loop', img, mnt]);
  }
  // registered after tmpDir's teardown, so it runs first (ava runs teardowns in reverse)
  t.teardown(() => {
    spawnSync('umount', ['-l', mnt]);
  });
  return mnt;
}

/** Run the CLI with a time limit: a hang is a failure, not a stuck suite. */
function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 90_000, maxBuffer: 1 << 26 });
  return { code: r.status, signal: r.signal, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** Fill the file system at `mnt` up to `leave` free bytes. */
function fill(mnt: string, leave: number): string {
  const f = path.join(mnt, 'filler');
  const chunk = Buffer.alloc(1 << 20);
  const fd = fs.openSync(f, 'w');
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch {}
  fs.closeSync(fd);
  fs.truncateSync(f, Math.max(0, fs.statSync(f).size - leave));
  return f;
}

/** Locks, temporaries and scratch sets left in the repository or (given) its cache root (mark sets: <cache>/<id>/tmp). */
const leftovers = (repo: string, cacheRoot?: string) => [
  ...fs.readdirSync(path.join(repo, 'locks')).map((n) => `locks/${n}`),
  ...fs.readdirSync(repo).filter((n) => n.startsWith('.tmp-')),
  ...(fs.existsSync(path.join(repo, 'tmp')) ? fs.readdirSync(path.join(repo, 'tmp')).map((n) => `tmp/${n}`) : []),
  ...(cacheRoot && fs.existsSync(cacheRoot)
    ? fs.readdirSync(cacheRoot).flatMap((id) => {
        const tmp = path.join(cacheRoot, id, 'tmp');
        return fs.existsSync(tmp) ? fs.readdirSync(tmp).map((n) => `cache/${id}/tmp/${n}`) : [];
      })
    : []),
];

for (const kind of ['tmpfs', 'ext4'] as const) {
  test.serial(`snapshot onto a full ${kind}: one line naming the disk, no source file blamed, no hang, no lock or scratch left, repository usable`, (t) => {
    const mnt = mountSmall(t, kind, 16);
    const repo = path.join(mnt, 'repo');
    ok(t, ['init', '--repo', repo]);
    const src = path.join(tmpDir(t), 'src');
    const files: Record<string, Buffer | string> = {};
    for (let i = 0; i < 14; i++) files[`big/f${i}.bin`] = pseudoRandom(2 << 20, i + 1);
    for (let i = 0; i < 200; i++) files[`small/s${i}.txt`] = `small ${i}\n`;
    writeTree(src, files);
    const r = run(['snapshot', src, '--repo', repo]);
    t.is(r.signal, null, 'exited by itself, not killed by the time limit or a signal');
    t.not(r.code, EXIT.OK);
    t.not(r.code, EXIT.PARTIAL);
    const lines = r.stderr.trim().split('\n');
    t.is(lines.length, 1, r.stderr.slice(0, 2000));
    t.regex(lines[0]!, new RegExp(`^strata: disk full: the file system at ${mnt} .*needed`));
    t.notRegex(r.stderr + r.stdout, /skipped|f\d+\.bin|s\d+\.txt/);
    t.deepEqual(leftovers(repo), []);
    // consistent: nothing committed, the packs that did get written are sound
    t.deepEqual(json(t, ['snapshots', '--repo', repo]), []);
    ok(t, ['check', '--read-data', '--repo', repo]);
  });
}

for (const kind of ['tmpfs', 'ext4'] as const) test.serial(`check --read-data on a full ${kind}: no SIGBUS from its scratch mark set; one line, no lock or scratch left`, (t) => {
  const mnt = mountSmall(t, kind, 24);
  const repo = path.join(mnt, 'repo');
  // the scratch mark set lives in the cache (format 2): put the cache on the full disk too
  const cacheRoot = path.join(mnt, 'cache');
  const cenv = { STRATA_CACHE_DIR: cacheRoot };
  ok(t, ['init', '--repo', repo], { env: cenv });
  const src = path.join(tmpDir(t), 'src');
  const files: Record<string, string> = {};
  for (let d = 0; d < 400; d++) files[`d${d}/f.txt`] = `dir ${d}\n`;
  writeTree(src, files);
  ok(t, ['snapshot', src, '--repo', repo], { env: cenv });
  const filler = fill(mnt, 16 << 10);
  const env = { ...cenv, STRATA_TEST_MARK_BATCH: '50' }; // spill the mark set early, as a large repository does
  const r = run(['check', '--read-data', '--repo', repo], env);
  t.is(r.signal, null);
  t.is(r.code, EXIT.FATAL, r.stderr);
  const lines = r.stderr.trim().split('\n');
  t.is(lines.length, 1, r.stderr.slice(0, 2000));
  t.regex(lines[0]!, new RegExp(`^strata: disk full: the file system at ${mnt} .*scratch mark set needed`));
  t.deepEqual(leftovers(repo, cacheRoot), []);
  fs.rmSync(filler);
  const again = run(['check', '--read-data', '--repo', repo], env);
  t.is(again.code, EXIT.OK, again.stderr);
  t.deepEqual(leftovers(repo, cacheRoot), []);
  void os;
});

test.serial('prune on a full tmpfs: stops before deleting anything, one line, no lock or scratch left, every snapshot still restores', async (t) => {
  const mnt = mountSmall(t, 'tmpfs', 24);
  const repo = path.join(mnt, 'repo');
  const { Repository } = await import('../../src/store/repository.js');
  const r0 = await Repository.init(repo, { packSize: 256 << 10, chunker: { min: 16 << 10, avg: 32 << 10, max: 128 << 10 } });
  await r0.close();
  const src = path.join(tmpDir(t), 'src');
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 40; i++) files[`f${i}.bin`] = pseudoRandom(40 << 10, i + 1);
  writeTree(src, files);
  ok(t, ['snapshot', src, '--repo', repo]);
  for (let i = 0; i < 40; i++) if (i % 4 !== 3) fs.rmSync(path.join(src, `f${i}.bin`));
  const keep = json(t, ['snapshot', src, '--repo', repo]);
  ok(t, ['forget', '--keep-last', '1', '--repo', repo]);
  const packsBefore = fs.readdirSync(path.join(repo, 'packs'), { recursive: true }).length;
  const filler = fill(mnt, 8 << 10);
  const r = run(['prune', '--no-repack-small', '--repo', repo]);
  t.is(r.signal, null);
  t.not(r.code, EXIT.OK);
  const lines = r.stderr.trim().split('\n');
  t.is(lines.length, 1, r.stderr.slice(0, 2000));
  t.regex(lines[0]!, new RegExp(`^strata: disk full: the file system at ${mnt} `));
  t.is(fs.readdirSync(path.join(repo, 'packs'), { recursive: true }).length, packsBefore, 'nothing was deleted');
  t.deepEqual(leftovers(repo), []);
  fs.rmSync(filler);
  ok(t, ['check', '--read-data', '--repo', repo]);
  const out = path.join(tmpDir(t), 'out');
  ok(t, ['restore', keep.id, '--target', out, '--repo', repo]);
});

test.serial('watch on a full tmpfs: a snapshot that fails for space is reported as such, and the daemon carries on once space is freed', async (t) => {
  const { converge, snapshotsOf, startWatch, waitFor } = await import('../helpers/watch.js');
  const mnt = mountSmall(t, 'tmpfs', 24);
  const repo = path.join(mnt, 'repo');
  ok(t, ['init', '--repo', repo]);
  const src = path.join(tmpDir(t), 'src');
  writeTree(src, { 'a.txt': 'a\n' });
  const d = startWatch(t, repo, src, ['--backend', 'inotify']);
  await waitFor(() => snapshotsOf(d).length >= 1, 20000, 'initial snapshot');
  const filler = fill(mnt, 3 << 20); // room for the daemon's own small writes (dirty marks), not for the data
  writeTree(src, { 'big.bin': pseudoRandom(8 << 20, 11) });
  await waitFor(() => /snapshot failed: disk full: the file system at/.test(d.stderr()), 30000, 'the disk-full warning').catch((e) => {
    throw new Error(`${e.message}\n${d.stderr()}`);
  });
  t.notRegex(d.stderr(), /skipped: big\.bin/);
  fs.rmSync(filler);
  writeTree(src, { 'b.txt': 'b\n' });
  await converge(d, repo, src, 60000);
  const out = path.join(tmpDir(t), 'out');
  ok(t, ['restore', 'latest', '--target', out, '--repo', repo]);
  t.deepEqual(treeDiff(src, out), []);
  t.is(await d.stop(), 0);
});
