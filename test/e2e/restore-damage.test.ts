// Restores that survive damage and interruption (issue #13, #11 items 5-6):
// a damaged blob leaves one file out and everything else restored (exit =
// integrity error, --dry-run says what would fail); SIGINT/SIGTERM remove the
// temporaries and print one line; a SIGKILLed restore's leftovers (private:
// 0600 files, 0700 dirs) are swept by the next one; restore holds a shared
// lock (prune refuses meanwhile, a prune's lock stops restore) and survives
// prunes killed at their fault points; non-root restores over read-only dirs;
// a file written during the snapshot is never dropped. Tests that poll a running
// restore are serial: the others' spawnSync would block the polling.
import test, { type ExecutionContext } from 'ava';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { hashBytes } from '../../src/hash.js';
import { CLI, json, newRepo, ok, pseudoRandom, strata, tmpDir, writeTree } from '../helpers/cli.js';
import { compareTrees, isRoot } from '../restore/compare.js';

/** Every `.strata-restore-*` name under `dir`. */
function temporaries(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.strata-restore-')) out.push(path.join(d, e.name));
      if (e.isDirectory()) walk(path.join(d, e.name));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/**
 * Flip a byte inside the stored blob named `hash` (found through the packs' entry tables, docs/format.md §3:
 * plaintext packs only — the tests using it make a `--no-encryption` repository).
 */
function corruptBlob(repo: string, hash: Buffer): void {
  const packs: string[] = [];
  const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : packs.push(path.join(d, e.name))));
  walk(path.join(repo, 'packs'));
  for (const p of packs) {
    const b = fs.readFileSync(p);
    if (!b.subarray(b.length - 8).equals(Buffer.from('STRTRL\x00\x01', 'latin1'))) continue; // not a plaintext pack
    const n = b.readUInt32LE(b.length - 44);
    const table = b.length - 44 - 48 * n;
    for (let i = 0; i < n; i++) {
      const e = table + 48 * i;
      if (!b.subarray(e, e + 32).equals(hash)) continue;
      const off = b.readUInt32LE(e + 36);
      const len = b.readUInt32LE(e + 40);
      b[off + (len >> 1)]! ^= 0x5a;
      fs.chmodSync(p, 0o600);
      fs.writeFileSync(p, b);
      return;
    }
  }
  throw new Error('blob not found in any pack');
}

test('a damaged file is left out, everything else is restored, exit = integrity error; --dry-run tells', (t) => {
  const repo = newRepo(t, { plain: true });
  const src = path.join(tmpDir(t), 'src');
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 30; i++) files[`d${i % 3}/f${i}.bin`] = pseudoRandom(20_000 + i, i + 1);
  files['d1/bad.bin'] = pseudoRandom(150_000, 99);
  writeTree(src, files);
  ok(t, ['snapshot', src], { repo });
  corruptBlob(repo, hashBytes(files['d1/bad.bin']!));

  const dryOut = path.join(tmpDir(t), 'dry');
  const dry = strata(['restore', 'latest', '--target', dryOut, '--dry-run', '--json'], { repo });
  t.is(dry.code, EXIT.INTEGRITY);
  const fails = JSON.parse(dry.stdout).actions.filter((a: any) => a.op === 'fail');
  t.deepEqual(fails.map((a: any) => a.path), ['d1/bad.bin']);
  t.false(fs.existsSync(dryOut));

  const out = path.join(tmpDir(t), 'out');
  const r = strata(['restore', 'latest', '--target', out], { repo });
  t.is(r.code, EXIT.INTEGRITY, r.stderr);
  // the dry run's verified read dropped the corrupted blob from the cache's index (issue 11: lost blobs leave the index)
  t.regex(r.stderr, /d1\/bad\.bin: not restored: .*(corrupt|not in the index)/i);
  t.regex(r.stdout, /restored 30 files.*1 NOT restored \(damaged or missing data, left out\)/);
  t.false(fs.existsSync(path.join(out, 'd1/bad.bin')), 'left out, not written with wrong bytes');
  for (const [rel, data] of Object.entries(files)) if (rel !== 'd1/bad.bin') t.true(fs.readFileSync(path.join(out, rel)).equals(data), rel);
  t.deepEqual(temporaries(out), []);
});

test('decoded on worker threads (STRATA_DECODE_THREADS=1): the same bytes; a damaged blob fails its file alone, named', (t) => {
  const repo = newRepo(t, { plain: true });
  const src = path.join(tmpDir(t), 'src');
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 40; i++) files[`d${i % 4}/f${i}.bin`] = i % 2 ? pseudoRandom(30_000 + i, i + 1) : Buffer.from(`text ${i} `.repeat(3000 + i));
  files['big/large.bin'] = pseudoRandom(5 << 20, 77);
  files['d2/bad.bin'] = pseudoRandom(150_000, 99);
  writeTree(src, files);
  ok(t, ['snapshot', src], { repo });
  const env = { STRATA_DECODE_THREADS: '1' };
  const good = path.join(tmpDir(t), 'good');
  ok(t, ['restore', 'latest', '--target', good], { repo, env });
  for (const [rel, data] of Object.entries(files)) t.true(fs.readFileSync(path.join(good, rel)).equals(data), rel);

  corruptBlob(repo, hashBytes(files['d2/bad.bin']!));
  const out = path.join(tmpDir(t), 'out');
  const r = strata(['restore', 'latest', '--target', out], { repo, env });
  t.is(r.code, EXIT.INTEGRITY, r.stderr);
  t.regex(r.stderr, /d2\/bad\.bin: not restored: .*blob [0-9a-f]{64} in pack [0-9a-f]{64} is corrupted/i);
  t.false(fs.existsSync(path.join(out, 'd2/bad.bin')), 'left out, not written with wrong bytes');
  for (const [rel, data] of Object.entries(files)) if (rel !== 'd2/bad.bin') t.true(fs.readFileSync(path.join(out, rel)).equals(data), rel);
  t.deepEqual(temporaries(out), []);
});

/** A source whose restore takes a while: three 40 MiB files of distinct content. */
function bigSource(t: ExecutionContext): string {
  const src = path.join(tmpDir(t), 'src');
  writeTree(src, { 'a/one.bin': pseudoRandom(40 << 20, 3), 'a/two.bin': pseudoRandom(40 << 20, 4), 'b/three.bin': pseudoRandom(40 << 20, 5) });
  return src;
}

/** Start a restore; resolve once `ready()` holds (polled), then with its exit. */
function startRestore(repo: string, target: string, ready: () => boolean): { whenReady: Promise<boolean>; done: Promise<{ code: number | null; stderr: string; stdout: string }>; kill: (s: NodeJS.Signals) => void } {
  const c = spawn(process.execPath, [CLI, 'restore', 'latest', '--target', target], { env: { ...process.env, STRATA_REPO: repo } });
  let stderr = '';
  let stdout = '';
  c.stderr.on('data', (d) => (stderr += d));
  c.stdout.on('data', (d) => (stdout += d));
  let exited = false;
  const done = new Promise<{ code: number | null; stderr: string; stdout: string }>((res) => c.on('exit', (code) => ((exited = true), res({ code, stderr, stdout }))));
  const whenReady = new Promise<boolean>((res) => {
    const poll = () => {
      if (exited) return res(false);
      if (ready()) return res(true);
      setTimeout(poll, 2);
    };
    poll();
  });
  return { whenReady, done, kill: (s) => c.kill(s) };
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  test.serial(`${sig} during a restore removes its temporaries and prints one line`, async (t) => {
    const repo = newRepo(t);
    const src = bigSource(t);
    ok(t, ['snapshot', src], { repo });
    // a temporary in a/ (sorted first): b/three.bin is still to come, so the signal lands mid-restore.
    // On a loaded machine the poll may miss the window: then try again into a fresh target.
    let out = '';
    let r: ReturnType<typeof startRestore> | undefined;
    for (let attempt = 1; attempt <= 4 && !r; attempt++) {
      out = path.join(tmpDir(t), 'out');
      const run = startRestore(repo, out, () => temporaries(path.join(out, 'a')).length > 0);
      t.teardown(() => run.kill('SIGKILL'));
      if (await run.whenReady) r = run;
      else t.log(`attempt ${attempt}: the restore finished before a temporary was seen`);
    }
    if (!r) return t.fail('never saw a temporary while a restore ran');
    r.kill('SIGSTOP'); // freeze it where it is (the machine is shared and slow)
    r.kill(sig);
    r.kill('SIGCONT');
    const { code, stderr } = await r.done;
    t.is(code, sig === 'SIGINT' ? 130 : 143);
    const lines = stderr.trim().split('\n');
    t.is(lines.length, 1, stderr);
    // every file whose content was being fetched had its temporary (several are in flight at once)
    t.regex(lines[0]!, new RegExp(`^strata: interrupted \\(${sig}\\): restored \\d+ of [\\d,]+ files? .* removed [1-3] temporary files?; the rest was not restored: run the same restore again`));
    t.deepEqual(temporaries(out), []);
    const locks = path.join(repo, 'locks');
    t.deepEqual(fs.existsSync(locks) ? fs.readdirSync(locks) : [], [], 'the lock was released');
    // the next restore completes it
    ok(t, ['restore', 'latest', '--target', out], { repo });
    t.deepEqual(compareTrees(src, out, { atime: false, xattrs: false }), []);
  });
}

test('a SIGKILLed restore leaves private leftovers; the next restore sweeps them; a prune after it runs', (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  writeTree(src, { 'd/f1': 'one', 'd/f2': 'two', 'd/f3': 'three', 'e/g': 'g' });
  fs.chmodSync(path.join(src, 'd'), 0o755);
  fs.chmodSync(path.join(src, 'd/f2'), 0o644);
  ok(t, ['snapshot', src], { repo });
  const out = path.join(tmpDir(t), 'out');
  const k = strata(['restore', 'latest', '--target', out], { repo, env: { STRATA_FAULT_POINT: 'restore:2' } });
  t.is(k.code, -1, 'killed');
  // the killed one and the files fetched with it (several are in flight at once) stay as temporaries
  const left = temporaries(out);
  t.true(left.length >= 1 && left.length <= 3, `${left.length} temporaries`);
  for (const l of left) t.is(fs.statSync(l).mode & 0o777, 0o600, 'a temporary is private until renamed');
  t.is(fs.statSync(path.join(out, 'd')).mode & 0o777, 0o700, 'a directory is private until its mode is applied');
  t.is(fs.statSync(out).mode & 0o777, 0o700);
  // the killed restore's lock is stale (its process is gone): prune is not blocked
  ok(t, ['prune'], { repo });
  const r = strata(['restore', 'latest', '--target', out], { repo });
  t.is(r.code, EXIT.OK, r.stderr);
  t.regex(r.stdout, new RegExp(`removed ${left.length} leftover temporaries`));
  t.deepEqual(temporaries(out), []);
  t.deepEqual(compareTrees(src, out, { atime: false, xattrs: false }), []);
});

test.serial('restore holds a shared lock: prune refuses while it runs; a prune lock stops a restore; prunes killed at each step do not hurt restores', async (t) => {
  const repo = newRepo(t);
  const src = bigSource(t);
  ok(t, ['snapshot', src], { repo });
  // a prune's exclusive lock, fresh and held by a live process (this one)
  const lock = path.join(repo, 'locks', 'f'.repeat(32));
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  fs.writeFileSync(lock, JSON.stringify({ host: os.hostname(), pid: process.pid, time: new Date().toISOString(), exclusive: true, command: 'prune' }));
  const blocked = strata(['restore', 'latest', '--target', path.join(tmpDir(t), 'x')], { repo });
  t.is(blocked.code, EXIT.LOCKED, blocked.stderr);
  t.regex(blocked.stderr, /locked.*prune/);
  fs.rmSync(lock);

  const locksOf = () => (fs.existsSync(path.join(repo, 'locks')) ? fs.readdirSync(path.join(repo, 'locks')).map((n) => fs.readFileSync(path.join(repo, 'locks', n), 'utf8')) : []);
  let out = '';
  let r: ReturnType<typeof startRestore> | undefined;
  for (let attempt = 1; attempt <= 4 && !r; attempt++) {
    out = path.join(tmpDir(t), 'out');
    const run = startRestore(repo, out, () => temporaries(path.join(out, 'a')).length > 0 && locksOf().some((l) => l.includes('"restore"')));
    t.teardown(() => run.kill('SIGKILL'));
    if (await run.whenReady) r = run;
    else t.log(`attempt ${attempt}: the restore finished before its lock was seen`);
  }
  if (!r) return t.fail('never saw a restore lock while a restore ran');
  r.kill('SIGSTOP'); // hold it mid-restore while prune tries
  const p = strata(['prune'], { repo });
  r.kill('SIGCONT');
  t.is(p.code, EXIT.LOCKED, p.stderr);
  t.regex(p.stderr, /restore/);
  const done = await r.done;
  t.is(done.code, EXIT.OK, done.stderr);
  t.deepEqual(compareTrees(src, out, { atime: false, xattrs: false }), []);

  // prune killed at each of its first steps (with something to delete), a restore after each
  fs.writeFileSync(path.join(src, 'a/one.bin'), pseudoRandom(1 << 20, 77));
  const first = json(t, ['snapshots'], { repo })[0]?.id ?? json(t, ['snapshots'], { repo }).snapshots?.[0]?.id;
  ok(t, ['snapshot', src], { repo });
  if (first) ok(t, ['forget', first], { repo });
  for (let k = 1; k <= 3; k++) {
    const kp = strata(['prune'], { repo, env: { STRATA_FAULT_POINT: `prune:${k}` } });
    const o = path.join(tmpDir(t), `after-prune-${k}`);
    const rr = strata(['restore', 'latest', '--target', o], { repo });
    t.is(rr.code, EXIT.OK, `after prune killed at ${k} (exit ${kp.code}): ${rr.stderr}`);
    t.deepEqual(compareTrees(src, o, { atime: false, xattrs: false }), []);
  }
});

test('non-root: a restore over existing read-only directories works and puts their modes back', (t) => {
  if (!isRoot) return t.pass('needs root to switch to nobody');
  const base = tmpDir(t);
  fs.chmodSync(base, 0o755);
  const asNobody = (args: string[]) => spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, CLI, ...args], { encoding: 'utf8', env: { ...process.env, HOME: base } });
  const src = path.join(base, 'src');
  writeTree(src, { 'ro/f.txt': 'original\n', 'ro/deeper/g.txt': 'g\n', 'top.txt': 'top\n' });
  fs.chmodSync(path.join(src, 'ro/deeper'), 0o555);
  fs.chmodSync(path.join(src, 'ro'), 0o555);
  execFileSync('chown', ['-R', 'nobody:nogroup', base]);
  const repo = path.join(base, 'repo');
  t.is(asNobody(['init', '--repo', repo]).status, 0);
  t.is(asNobody(['snapshot', src, '--repo', repo]).status, 0);
  const out = path.join(base, 'out');
  const r1 = asNobody(['restore', 'latest', '--target', out, '--repo', repo]);
  t.is(r1.status, EXIT.OK, r1.stderr);
  t.is(fs.statSync(path.join(out, 'ro')).mode & 0o777, 0o555);
  // change what is inside the read-only dirs, then restore over them as nobody
  fs.writeFileSync(path.join(out, 'ro/f.txt'), 'changed!!\n');
  fs.writeFileSync(path.join(out, 'ro/deeper/extra'), 'extra');
  execFileSync('chown', ['-R', 'nobody:nogroup', out]);
  const r2 = asNobody(['restore', 'latest', '--target', out, '--repo', repo, '--delete']);
  t.is(r2.status, EXIT.OK, r2.stderr);
  t.is(fs.readFileSync(path.join(out, 'ro/f.txt'), 'utf8'), 'original\n');
  t.false(fs.existsSync(path.join(out, 'ro/deeper/extra')));
  t.is(fs.statSync(path.join(out, 'ro')).mode & 0o777, 0o555);
  t.is(fs.statSync(path.join(out, 'ro/deeper')).mode & 0o777, 0o555);
  t.deepEqual(compareTrees(src, out, { atime: false, xattrs: false }), []);
});

test('a file appended to during the snapshot is never dropped', async (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  writeTree(src, { 'log.txt': pseudoRandom(3 << 20, 8), 'other.txt': 'x' });
  // a writer appending all the time
  const w = spawn(process.execPath, ['-e', `const fs=require('fs');const p=process.argv[1];for(;;){fs.appendFileSync(p,'line of log\\n')}`, path.join(src, 'log.txt')]);
  t.teardown(() => w.kill('SIGKILL'));
  await new Promise((r) => setTimeout(r, 200));
  const r = strata(['snapshot', src, '--json'], { repo });
  w.kill('SIGKILL');
  t.is(r.code, EXIT.OK, r.stderr);
  const snap = JSON.parse(r.stdout);
  const changed = snap.warnings.filter((x: any) => x.code === 'W_FILE_CHANGED');
  t.log(`changed-during-read warnings: ${changed.length}`);
  t.true(changed.every((x: any) => x.path === 'log.txt'));
  t.deepEqual(snap.skipped, []);
  const out = path.join(tmpDir(t), 'out');
  const rr = strata(['restore', 'latest', '--target', out], { repo });
  t.is(rr.code, EXIT.OK, rr.stderr);
  // stored as last read (marked changed-during-read) only when every attempt saw it change
  t.is(/log\.txt: restored as read while it kept changing/.test(rr.stderr), changed.length > 0, rr.stderr);
  const got = fs.readFileSync(path.join(out, 'log.txt'));
  t.true(got.length >= 3 << 20, 'log.txt is in the snapshot');
  t.true(got.subarray(0, 3 << 20).equals(pseudoRandom(3 << 20, 8)));
});
