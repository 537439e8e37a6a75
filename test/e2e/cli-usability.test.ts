// Issue #17 through the CLI: the warts a restic user trips over, one test per
// numbered item (and #11 item 10: every numeric/enumerated option validated).
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { fmtBytes } from '../../src/cli/output.js';
import { acquireLock } from '../../src/store/lock.js';
import { Repository } from '../../src/store/repository.js';
import { CLI, TEST_PASSWORD, json, newRepo, ok, pseudoRandom, strata, tmpDir, writeTree } from '../helpers/cli.js';

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

function sourceTree(t: Parameters<typeof tmpDir>[0], files: Record<string, string | Buffer>): string {
  const src = fs.realpathSync(tmpDir(t, 'strata-src-'));
  writeTree(src, files);
  return src;
}

test('1: -e PATTERN before DIR no longer swallows DIR (snapshot and watch)', (t) => {
  const repo = newRepo(t);
  const src = sourceTree(t, { 'a.txt': 'a', 'b.log': 'b' });
  const r = strata(['snapshot', '-e', '*.log', src, '--json'], { repo });
  t.is(r.code, 0, r.stderr);
  t.deepEqual(ok(t, ['ls', 'latest'], { repo }).trim().split('\n'), ['a.txt']);
  // watch parses its arguments the same way: the error is about --reconcile, not a missing DIR
  const w = strata(['watch', '-e', '*.log', src, '--reconcile', '0'], { repo });
  t.is(w.code, EXIT.USAGE);
  t.regex(w.stderr, /--reconcile must be at least 1000 ms/);
  t.notRegex(w.stderr, /missing required argument/);
});

test('2: latest~N stays within the source of latest; a path command with several sources names them', (t) => {
  const repo = newRepo(t);
  const a = sourceTree(t, { 'f.txt': 'one' });
  const b = sourceTree(t, { 'g.txt': 'other source' });
  ok(t, ['snapshot', a], { repo });
  ok(t, ['snapshot', b], { repo });
  fs.writeFileSync(path.join(a, 'f.txt'), 'two!');
  ok(t, ['snapshot', a], { repo });
  // newest is a's second: latest~1 is a's first, not b's snapshot
  const changes = json(t, ['diff', 'latest~1', 'latest'], { repo, cwd: '/' });
  t.deepEqual(changes.map((c: any) => [c.status, c.path]), [['modified', 'f.txt']]);
  // restore latest from outside both sources: refused, naming them
  const out = path.join(tmpDir(t), 'out');
  const r = strata(['restore', 'latest', '--target', out], { repo, cwd: '/' });
  t.is(r.code, EXIT.FATAL);
  t.regex(r.stderr, /latest is ambiguous: the repository has snapshots of 2 sources/);
  t.true(r.stderr.includes(a) && r.stderr.includes(b));
  // from inside b, latest is b's
  ok(t, ['restore', 'latest', '--target', out], { repo, cwd: b });
  t.is(fs.readFileSync(path.join(out, 'g.txt'), 'utf8'), 'other source');
});

test('3: --source names a source that no longer exists on disk (textual match)', (t) => {
  const repo = newRepo(t);
  const src = sourceTree(t, { 'kept.txt': 'precious' });
  ok(t, ['snapshot', src], { repo });
  fs.rmSync(src, { recursive: true, force: true });
  t.is(ok(t, ['cat', 'latest:kept.txt', '--source', src], { repo }), 'precious');
  t.is(json(t, ['snapshots', '--source', src], { repo }).length, 1);
});

test('4: paths inside snapshots may be absolute or relative to the current directory inside the source', (t) => {
  const repo = newRepo(t);
  const src = sourceTree(t, { 'include/stdio.h': 'int printf();\n', 'top.txt': 'top' });
  ok(t, ['snapshot', src], { repo });
  const inc = path.join(src, 'include');
  const log = json(t, ['log', 'stdio.h'], { repo, cwd: inc });
  t.is(log.length, 1);
  t.is(log[0].status, 'added');
  t.is(ok(t, ['cat', 'latest:stdio.h'], { repo, cwd: inc }), 'int printf();\n');
  t.is(ok(t, ['cat', `latest:${path.join(inc, 'stdio.h')}`], { repo, cwd: '/' }), 'int printf();\n');
  t.is(json(t, ['log', path.join(src, 'top.txt')], { repo, cwd: '/' }).length, 1);
  t.is(ok(t, ['cat', 'latest:include/stdio.h'], { repo, cwd: '/' }), 'int printf();\n', 'root-relative outside the source as before');
  const bad = strata(['cat', 'latest:/etc/hostname'], { repo, cwd: '/' });
  t.is(bad.code, EXIT.FATAL);
  t.regex(bad.stderr, /\/etc\/hostname is not inside the snapshot's source/);
});

test('5: local times with their offset (--utc for UTC); one unit grammar (mo = months, a bare m refused in --keep-within)', (t) => {
  const repo = newRepo(t);
  const src = sourceTree(t, { 'a.txt': 'a' });
  ok(t, ['snapshot', src], { repo });
  const local = ok(t, ['snapshots'], { repo, env: { TZ: 'Asia/Kolkata' } });
  t.regex(local, /^[0-9a-f]{8} {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+05:30 /m);
  const utc = ok(t, ['snapshots', '--utc'], { repo, env: { TZ: 'Asia/Kolkata' } });
  t.regex(utc, /^[0-9a-f]{8} {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d Z /m);
  const amb = strata(['forget', '--keep-within', '2m', '--dry-run'], { repo });
  t.is(amb.code, EXIT.USAGE);
  t.regex(amb.stderr, /ambiguous: write 'mo' for months/);
  const mo = json(t, ['forget', '--keep-within', '2mo', '--dry-run'], { repo });
  t.is(mo.removed.length, 0);
  // m is minutes in --at: a snapshot 0 minutes old is not found 10 minutes ago
  t.is(strata(['ls', '--at', '10m ago', 'a.txt'], { repo }).code, EXIT.FATAL);
  t.is(strata(['ls', '--at', '1mo ago'], { repo }).code, EXIT.FATAL);
});

test('6: subcommand --help shows the global options; -q prints no summary', (t) => {
  const h = strata(['snapshot', '--help']);
  t.is(h.code, 0);
  t.regex(h.stdout, /Global Options:[^]*--repo[^]*--json[^]*--quiet/);
  const repo = newRepo(t);
  const src = sourceTree(t, { 'a.txt': 'a' });
  const q = strata(['-q', 'snapshot', src], { repo });
  t.is(q.code, 0, q.stderr);
  t.is(q.stdout, '');
  t.is(q.stderr, '');
});

test('7: --json errors are restic exit_error objects on stderr; ls says kind; one quoting for non-UTF-8 names', (t) => {
  const none = strata(['--json', 'snapshots', '--repo', path.join(tmpDir(t), 'nothing')]);
  t.is(none.code, EXIT.NO_REPO);
  t.like(JSON.parse(none.stderr), { message_type: 'exit_error', code: EXIT.NO_REPO });
  t.regex(JSON.parse(none.stderr).message, /repository .*nothing does not exist/);
  const usage = strata(['snapshot', '--json', '--bogus']);
  t.is(usage.code, EXIT.USAGE);
  t.like(JSON.parse(usage.stderr.trim()), { message_type: 'exit_error', code: EXIT.USAGE });

  const repo = newRepo(t);
  const src = sourceTree(t, {});
  fs.writeFileSync(Buffer.from(`${src}/n\xff`, 'latin1'), 'raw byte name');
  fs.writeFileSync(path.join(src, 'n\\xff'), 'literal backslash name');
  fs.writeFileSync(path.join(src, '"q"'), 'quoted-looking name');
  ok(t, ['snapshot', src], { repo });
  const names = ok(t, ['ls', 'latest'], { repo }).trim().split('\n').sort();
  t.deepEqual(names, ['"\\"q\\""', '"n\\xff"', 'n\\xff']);
  t.is(ok(t, ['cat', 'latest:"n\\xff"'], { repo }), 'raw byte name');
  t.is(ok(t, ['cat', 'latest:n\\xff'], { repo }), 'literal backslash name');
  t.is(ok(t, ['cat', 'latest:"\\"q\\""'], { repo }), 'quoted-looking name');
  t.is(ok(t, ['cat', 'latest:"q"'], { repo }), 'quoted-looking name', 'a literal quoted-looking name still matches');
  const ls = json(t, ['ls', 'latest'], { repo });
  const raw = ls.find((e: any) => e.name === '"n\\xff"');
  t.is(raw.kind, 'file');
  t.false('type' in raw);
  t.deepEqual(Buffer.from(raw.name_bytes, 'base64'), Buffer.from('n\xff', 'latin1'));
  t.false('name_bytes' in ls.find((e: any) => e.name === 'n\\xff'));
  // log accepts the same spelling cat does
  t.is(json(t, ['log', '"n\\xff"'], { repo }).length, 1);
  t.deepEqual(json(t, ['find', 'n*'], { repo }).map((h: any) => h.path).sort(), ['"n\\xff"', 'n\\xff']);
});

test('8: setuid/setgid/sticky shown; symlinks in find show their target; rates and plurals formatted; dry run does not claim 0 B added', (t) => {
  const repo = newRepo(t);
  const src = sourceTree(t, { 'tool': '#!/bin/sh\n', 'shared/x': 'x' });
  fs.chmodSync(path.join(src, 'tool'), 0o4755);
  fs.chmodSync(path.join(src, 'shared'), 0o3775);
  fs.symlinkSync('tool', path.join(src, 'link'));
  const snap = ok(t, ['snapshot', src], { repo });
  t.regex(snap, /contents 2 files, 1 dir,/);
  const long = ok(t, ['ls', '-l', 'latest'], { repo });
  t.regex(long, /^-rwsr-xr-x .* tool$/m);
  t.regex(long, /^drwxrwsr-t .* shared\/$/m);
  const js = json(t, ['ls', 'latest'], { repo });
  t.is(js.find((e: any) => e.name === 'tool').permissions, '-rwsr-xr-x');
  t.is(js.find((e: any) => e.name === 'tool').mode, 0o4755);
  fs.writeFileSync(path.join(src, 'tool'), '#!/bin/sh\necho\n');
  ok(t, ['snapshot', src], { repo });
  const found = ok(t, ['find', 'link'], { repo });
  t.regex(found, /^link {2}4 B {2}-> tool {2}in 2 snapshots/m);
  const fj = json(t, ['find', 'link'], { repo });
  t.is(fj[0].hash, null);
  t.is(fj[0].target, 'tool');
  t.is(fmtBytes(529.4117647058823), '529 B');
  const dry = ok(t, ['snapshot', '--dry-run', src], { repo });
  t.notRegex(dry, /added 0 B/);
  t.regex(dry, /nothing written/);
});

test('9: a full repository disk is reported once as such, not as per-file source errors', (t) => {
  if (!isRoot) return t.pass('needs root to mount a small tmpfs');
  const mnt = tmpDir(t, 'strata-full-');
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mnt]).status !== 0) return t.pass('cannot mount tmpfs here');
  t.teardown(() => {
    spawnSync('umount', ['-l', mnt]);
  });
  const repo = path.join(mnt, 'repo');
  ok(t, ['init', '--repo', repo, '--compression', '0']);
  ok(t, ['snapshot', sourceTree(t, { 'warm.txt': 'the index has its pages' })], { repo });
  // fill the disk but for 1 MiB: the next pack write runs out
  const free = Number(spawnSync('df', ['-B1', '--output=avail', mnt]).stdout.toString().trim().split('\n')[1]);
  fs.writeFileSync(path.join(mnt, 'filler'), Buffer.alloc(Math.max(0, free - (1 << 20))));
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 12; i++) files[`d${i % 3}/f${i}.bin`] = Buffer.from(Array.from({ length: 512 * 1024 }, (_, j) => (j * 7919 + i * 104729) % 251));
  const src = sourceTree(t, files);
  const r = strata(['snapshot', src], { repo });
  t.is(r.code, EXIT.FATAL, r.stderr);
  t.notRegex(r.stderr, /skipped: /);
  // (while the LMDB index lives inside the repository, lmdb itself logs its failed commit too: not our lines)
  const ours = r.stderr.split('\n').filter((l) => l.startsWith('strata:'));
  t.is(ours.length, 1, r.stderr);
  t.regex(ours[0]!, new RegExp(`^strata: disk full: the file system at ${mnt} `)); // the store's E_NO_SPACE (store/space.ts)
  t.is(json(t, ['snapshots'], { repo }).length, 1, 'only the first snapshot');
});

test('11: snapshots flags snapshots that skipped files; show lists the skipped paths and all metadata', (t) => {
  const base = tmpDir(t);
  const asNobody = isRoot && spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, CLI, '--version']).status === 0;
  if (isRoot && !asNobody) return t.pass('root without setpriv cannot make a file unreadable');
  fs.chownSync(base, NOBODY, NOBODY);
  const src = path.join(base, 'src');
  writeTree(src, { 'ok.txt': 'fine', 'secret.txt': 'no' });
  fs.chmodSync(path.join(src, 'secret.txt'), 0);
  if (isRoot) spawnSync('chown', ['-R', `${NOBODY}:${NOBODY}`, src]);
  const repo = path.join(base, 'repo');
  const asUser = (args: string[]) =>
    isRoot
      ? spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, CLI, ...args], { env: { ...process.env, STRATA_REPO: repo } })
      : spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, STRATA_REPO: repo } });
  t.is(asUser(['init']).status, 0);
  const snap = asUser(['snapshot', src]);
  t.is(snap.status, EXIT.PARTIAL, snap.stderr.toString());
  const list = ok(t, ['snapshots'], { repo });
  t.regex(list, /\(1 skipped: strata show [0-9a-f]{8}\)/);
  const show = ok(t, ['show', 'latest'], { repo });
  t.regex(show, /^snapshot [0-9a-f]{64}$/m);
  t.regex(show, /skipped +1 path\n +secret\.txt: .*\[EACCES\]/);
  const sj = json(t, ['show', 'latest'], { repo });
  t.is(sj.skippedCount, 1);
  t.is(sj.skipped[0].path, 'secret.txt');
  t.is(typeof sj.rootMeta.mode, 'number');
});

test('12: check reports stale locks and leftover temporaries; unlock removes stale locks', async (t) => {
  const repo = newRepo(t);
  const src = sourceTree(t, { 'a.txt': 'a' });
  ok(t, ['snapshot', src], { repo });
  const r = await Repository.open(repo, { password: async () => TEST_PASSWORD });
  try {
    // a writer on this host whose process is gone: stale
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
    const l = await acquireLock(r.store, { exclusive: false, command: 'snapshot', info: { pid: dead } });
    void l;
  } finally {
    await r.close();
  }
  fs.writeFileSync(path.join(repo, '.tmp-leftover'), Buffer.alloc(4096));
  const c = strata(['check'], { repo });
  t.is(c.code, 0, c.stderr);
  t.regex(c.stdout, /stale lock: shared lock by snapshot \(pid \d+ .*run 'strata unlock'/);
  t.regex(c.stdout, /leftover: 1 temporary file \(4\.00 KiB\)/);
  t.regex(c.stdout, /no integrity problems found \(but 1 stale lock, 1 leftover temporary file: see above\)/);
  const cj = json(t, ['check'], { repo });
  t.is(cj.staleLocks.length, 1);
  t.deepEqual(cj.temporaries, { files: 1, bytes: 4096 });
  const u = ok(t, ['unlock'], { repo });
  t.regex(u, /^removed shared lock by snapshot/m);
  t.regex(u, /1 lock removed/);
  t.is(json(t, ['check'], { repo }).staleLocks.length, 0);
});

/** Run the CLI; send SIGINT once `ready()` says it is under way (polled), so load on the machine cannot make the signal come too early. */
function runUntil(args: string[], repo: string, ready: () => boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, STRATA_REPO: repo } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const poll = setInterval(() => {
      if (ready()) {
        clearInterval(poll);
        p.kill('SIGINT');
      }
    }, 20);
    p.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, stdout, stderr });
    });
  });
}

const hasFiles = (dir: string, n: number) => () => {
  try {
    return fs.readdirSync(dir, { recursive: true }).length >= n;
  } catch {
    return false;
  }
};

// serial: a concurrent test's spawnSync would block the poll below until the command had finished
const holdsLock = (repo: string) => () => hasFiles(path.join(repo, 'locks'), 1)();

test.serial('13: Ctrl-C on snapshot and restore says what was saved / restored (exit 130)', async (t) => {
  const repo = newRepo(t);
  const src = sourceTree(t, {});
  // files with data, long to chunk, compress and encrypt (sparse ones are not: their holes are skipped, not read)
  for (let i = 0; i < 4; i++) {
    fs.mkdirSync(path.join(src, `d${i}`));
    fs.writeFileSync(path.join(src, `d${i}`, 'small.txt'), `small ${i}`);
    fs.writeFileSync(path.join(src, `d${i}`, 'big.img'), pseudoRandom(64 << 20, i + 1));
  }
  const s = await runUntil(['snapshot', src], repo, holdsLock(repo));
  t.is(s.code, EXIT.INTERRUPTED, s.stderr + s.stdout);
  t.regex(s.stderr, /^strata: interrupted \(SIGINT\): snapshot of .* not saved; \d+ files? \(.*\) looked at, .* read; data already stored is reused/m);
  t.is(json(t, ['snapshots'], { repo }).length, 0, 'nothing committed');

  // many files: the restorer lets signals in between files
  const block = Buffer.alloc(256 << 10, 7);
  const many: Record<string, Buffer> = {};
  for (let i = 0; i < 1200; i++) many[`d${i % 10}/f${i}`] = block;
  const small = sourceTree(t, many);
  ok(t, ['snapshot', small], { repo });
  const out = path.join(tmpDir(t), 'out');
  const r = await runUntil(['restore', 'latest', '--target', out, '--source', small], repo, hasFiles(out, 20));
  t.is(r.code, EXIT.INTERRUPTED, r.stderr);
  t.regex(r.stderr, /^strata: interrupted \(SIGINT\): restored \d+ of 1,200 files \(.* of 300\.0 MiB\) into .*out; removed [\d,]+ temporary files?; the rest was not restored/m);
  const restored = Number(/restored (\d+) of/.exec(r.stderr)![1]);
  t.true(restored < 1200, 'stopped early');
  // JSON mode: the same, as an exit_error object with the counts
  const out2 = path.join(tmpDir(t), 'out2');
  const j = await runUntil(['restore', 'latest', '--target', out2, '--source', small, '--json'], repo, hasFiles(out2, 20));
  t.is(j.code, EXIT.INTERRUPTED, j.stderr);
  const e = JSON.parse(j.stderr.trim().split('\n').at(-1)!);
  t.like(e, { message_type: 'exit_error', code: EXIT.INTERRUPTED, totalFiles: 1200 });
  t.true(e.files < 1200);
});

test('#11 item 10: numeric and enumerated options are validated with the accepted range (exit 2)', (t) => {
  const d = tmpDir(t);
  const cases: [string[], RegExp][] = [
    [['init', '--repo', path.join(d, 'r1'), '--compression', 'abc'], /--compression wants a whole number from 0 to 22/],
    [['init', '--repo', path.join(d, 'r2'), '--compression', '99'], /--compression must be from 0 to 22/],
    [['init', '--repo', path.join(d, 'r3'), '--chunk-avg', 'abc'], /--chunk-avg wants a size/],
    [['init', '--repo', path.join(d, 'r4'), '--chunk-avg', '0'], /--chunk-avg must be from 256 to 8388608 bytes/],
    [['forget', '--repo', d, '--keep-last', '0x3'], /--keep-last wants a whole number from 0 to/],
    [['ls', '--repo', d, '--at', '2026-01-01T00:00+25:00', 'x'], /zone offset \+25:00 is out of range \(-14:00 to \+14:00\)/],
    [['watch', '--repo', d, d, '--reconcile', '0'], /--reconcile must be at least 1000 ms/],
    [['watch', '--repo', d, d, '--backend', 'fanotify'], /--backend must be one of auto, watchman, inotify/],
    [['find', '--repo', d, 'x', '--type', 'q'], /--type must be one of f, d, l/],
  ];
  for (const [args, re] of cases) {
    const r = strata(args);
    t.is(r.code, EXIT.USAGE, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr, re, args.join(' '));
    t.is(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
  for (const i of [1, 2, 3, 4]) t.false(fs.existsSync(path.join(d, `r${i}`)), 'nothing created on bad input');
  ok(t, ['init', '--repo', path.join(d, 'good'), '--compression', '0', '--chunk-avg', '64K']);
});

test('10: prune --dry-run estimates what prune then frees', (t) => {
  const repo = newRepo(t);
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) files[`f${i}.txt`] = `file ${i} `.repeat(200 + i * 37);
  const src = sourceTree(t, files);
  ok(t, ['snapshot', src], { repo });
  for (let round = 0; round < 4; round++) {
    for (let i = round; i < 40; i += 4) fs.writeFileSync(path.join(src, `f${i}.txt`), `round ${round} file ${i} `.repeat(150 + i * 11));
    ok(t, ['snapshot', src], { repo });
  }
  ok(t, ['forget', '--keep-last', '2'], { repo });
  const est = json(t, ['prune', '--dry-run'], { repo });
  const real = json(t, ['prune'], { repo });
  t.true(real.bytesFreed > 0);
  t.is(est.packsDeleted, real.packsDeleted);
  t.is(est.packsRepacked, real.packsRepacked);
  t.true(Math.abs(est.bytesFreed - real.bytesFreed) <= Math.max(64, real.bytesFreed * 0.01), `estimated ${est.bytesFreed}, freed ${real.bytesFreed}`);
});
