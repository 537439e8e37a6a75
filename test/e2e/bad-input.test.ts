// Hostile sources through the CLI: unreadable, changing and vanishing files, FIFOs and sockets,
// non-UTF-8 names, symlink loops, the repository inside the source, --exclude and .strataignore.
// Each: the snapshot completes, notices name the path, exit code 3 only when something was skipped.
import test, { type ExecutionContext } from 'ava';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { CLI, tmpDir, treeDiff, writeTree } from '../helpers/cli.js';

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}
interface Notice {
  path: string;
  code: string;
  message: string;
}
interface SnapJson {
  id: string;
  files: number;
  dirs: number;
  symlinks: number;
  others: number;
  bytes: number;
  skippedCount: number;
  skipped: Notice[];
  warningCount: number;
  warnings: Notice[];
}

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

/** Run the CLI (optionally as an unprivileged user via setpriv); never hangs longer than `timeoutMs`. */
function run(args: string[], opts: { repo?: string; cwd?: string; asNobody?: boolean; timeoutMs?: number } = {}): Result {
  const env = { ...process.env, ...(opts.repo ? { STRATA_REPO: opts.repo } : {}) };
  const [cmd, argv] = opts.asNobody
    ? ['setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, CLI, ...args]]
    : [process.execPath, [CLI, ...args]];
  const r = spawnSync(cmd, argv as string[], { cwd: opts.cwd, env, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 1 << 28 });
  return { code: r.status, signal: r.signal, stdout: r.stdout?.toString() ?? '', stderr: r.stderr?.toString() ?? '' };
}

/** Run the CLI in the background (for tests that act while it runs). */
function start(args: string[], repo: string): { proc: ChildProcess; done: Promise<Result> } {
  const proc = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, STRATA_REPO: repo }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Result>((resolve) => proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { proc, done };
}

/** Resolves once process `pid` has `file` open (watched through /proc/PID/fd). */
async function whenOpened(pid: number, file: string, timeoutMs = 20_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    let fds: string[] = [];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      return false; // exited
    }
    for (const fd of fds) {
      try {
        if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === file) return true;
      } catch {}
    }
    await new Promise((r) => setImmediate(r));
  }
  return false;
}

/** Resolves true once process `pid` sleeps in the kernel waiting for the other end of a FIFO. */
async function blockedOnFifo(pid: number, timeoutMs = 5000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if (fs.readFileSync(`/proc/${pid}/wchan`, 'utf8').includes('partner')) return true; // wait_for_partner
    } catch {}
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

function initRepo(t: ExecutionContext, repo: string, extra: string[] = [], asNobody = false): string {
  const r = run(['init', '--repo', repo, ...extra], { asNobody });
  if (r.code !== 0) t.fail(`init exited ${r.code}: ${r.stderr}`);
  return repo;
}

function snapshot(t: ExecutionContext, src: string, repo: string, extra: string[] = [], opts: Parameters<typeof run>[1] = {}): { r: Result; s: SnapJson } {
  const r = run(['snapshot', src, '--json', ...extra], { repo, ...opts });
  t.is(r.signal, null, 'the snapshot finished on its own');
  let s: SnapJson;
  try {
    s = JSON.parse(r.stdout) as SnapJson;
  } catch {
    t.fail(`snapshot exited ${r.code} without JSON: ${r.stderr}`);
    throw new Error('no JSON');
  }
  return { r, s };
}

/** Paths of everything in the latest snapshot (ls -R --json). */
function lsPaths(t: ExecutionContext, repo: string, ref = 'latest'): Map<string, any> {
  const r = run(['ls', '-R', ref, '--json'], { repo });
  t.is(r.code, 0, r.stderr);
  return new Map((JSON.parse(r.stdout) as any[]).map((e) => [e.path, e]));
}

const byPath = (list: Notice[], p: string) => list.find((n) => n.path === p);

function newSource(t: ExecutionContext): { base: string; src: string; repo: string } {
  const base = tmpDir(t);
  const src = path.join(base, 'src');
  fs.mkdirSync(src);
  return { base, src, repo: path.join(base, 'repo') };
}

// ---------------------------------------------------------------------------------------------

test('unreadable file and directory: skipped with EACCES and named, exit 3, the rest stored', (t) => {
  const { base, src, repo } = newSource(t);
  let asNobody = false;
  if (isRoot) {
    // root reads mode-000 files anyway: run the CLI as nobody instead
    asNobody = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, CLI, '--version'], { timeout: 10_000 }).status === 0;
    if (!asNobody) {
      t.log('running as root without a usable setpriv: chmod 000 cannot make a file unreadable here; only completion is checked');
    }
    fs.chownSync(base, NOBODY, NOBODY);
  }
  writeTree(src, { 'ok.txt': 'readable\n', 'secret.txt': 'secret\n', 'closed/inner.txt': 'inner\n', 'open/also-ok.txt': 'fine\n' });
  fs.chmodSync(path.join(src, 'secret.txt'), 0o000);
  fs.chmodSync(path.join(src, 'closed'), 0o000);
  initRepo(t, repo, [], asNobody);
  const { r, s } = snapshot(t, src, repo, [], { asNobody });
  const paths = lsPaths(t, repo);
  t.true(paths.has('ok.txt') && paths.has('open/also-ok.txt'), 'readable files are stored');
  if (!isRoot || asNobody) {
    t.is(r.code, 3, r.stderr);
    t.is(s.skippedCount, 2);
    t.like(byPath(s.skipped, 'secret.txt'), { code: 'EACCES' });
    t.like(byPath(s.skipped, 'closed'), { code: 'EACCES' });
    t.regex(r.stderr, /skipped: secret\.txt: .*\[EACCES\]/);
    t.regex(r.stderr, /skipped: closed: .*\[EACCES\]/);
    t.false(paths.has('secret.txt'));
    t.false(paths.has('closed'));
    t.is(s.files, 2);
  } else {
    t.is(r.code, 0);
  }
});

test.serial('a file appended to during the read is stored consistent or skipped as E_FILE_CHANGED (exit 3)', async (t) => {
  const { src, repo } = newSource(t);
  initRepo(t, repo);
  const big = path.join(src, 'growing.log');
  const initial = randomBytes(16 << 20);
  fs.writeFileSync(big, initial);
  fs.writeFileSync(path.join(src, 'steady.txt'), 'steady\n');
  // a separate process appends 4 KiB about every millisecond until killed
  const writer = spawn(
    process.execPath,
    [
      '-e',
      `const fs = require('fs'); const fd = fs.openSync(process.argv[1], 'a'); let i = 0;
       const b = Buffer.alloc(4096);
       const tick = () => { b.fill(i++ % 251); fs.writeSync(fd, b); setTimeout(tick, 1); };
       tick(); process.stdout.write('ready\\n');`,
      big,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.teardown(() => writer.kill('SIGKILL'));
  await new Promise<void>((resolve) => writer.stdout!.once('data', () => resolve()));
  const { proc, done } = start(['snapshot', src, '--json'], repo);
  const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
  const r = await done;
  clearTimeout(timer);
  writer.kill('SIGTERM');
  await new Promise((resolve) => writer.once('close', resolve));
  t.is(r.signal, null, 'the snapshot completed');
  const s = JSON.parse(r.stdout) as SnapJson;
  const final = fs.readFileSync(big);
  t.true(final.length > initial.length, 'the writer was appending during the snapshot');
  const paths = lsPaths(t, repo);
  t.true(paths.has('steady.txt'));
  const skipped = byPath(s.skipped, 'growing.log');
  if (skipped) {
    t.log('growing.log skipped as E_FILE_CHANGED');
    t.is(skipped.code, 'E_FILE_CHANGED');
    t.is(r.code, 3);
    t.regex(r.stderr, /skipped: growing\.log: .*\[E_FILE_CHANGED\]/);
    t.false(paths.has('growing.log'));
  } else {
    // stored: it must be the file as it was at some moment, i.e. a prefix of the final content
    t.is(r.code, 0, r.stderr);
    const cat = spawnSync(process.execPath, [CLI, 'cat', 'latest:growing.log'], { env: { ...process.env, STRATA_REPO: repo }, maxBuffer: 1 << 30 });
    t.is(cat.status, 0);
    const stored = cat.stdout;
    t.log(`growing.log stored at ${stored.length} bytes (final ${final.length})`);
    t.is(paths.get('growing.log').size, stored.length);
    t.true(stored.length >= initial.length);
    t.true(stored.equals(final.subarray(0, stored.length)), 'stored content is a prefix of the file');
  }
});

test.serial('a file deleted while being read is a warning (vanished), not a skipped file: exit 0', async (t) => {
  const { src, repo } = newSource(t);
  initRepo(t, repo);
  const victim = path.join(src, 'big.bin');
  fs.writeFileSync(victim, randomBytes(32 << 20));
  fs.writeFileSync(path.join(src, 'keep.txt'), 'keep\n');
  const { proc, done } = start(['snapshot', src, '--json'], repo);
  const opened = await whenOpened(proc.pid!, victim);
  if (opened) fs.unlinkSync(victim);
  const r = await done;
  t.true(opened, 'saw the CLI open big.bin');
  t.is(r.signal, null);
  const s = JSON.parse(r.stdout) as SnapJson;
  const paths = lsPaths(t, repo);
  t.true(paths.has('keep.txt'));
  t.false(paths.has('big.bin'));
  t.regex(r.stderr, /big\.bin: .*vanished/);
  t.like(byPath(s.warnings, 'big.bin'), { code: 'ENOENT' }, `warnings: ${JSON.stringify(s.warnings)}; skipped: ${JSON.stringify(s.skipped)}`);
  t.is(byPath(s.skipped, 'big.bin'), undefined, 'a file that no longer exists is not a skipped file');
  t.is(r.code, 0, 'nothing unreadable was left out');
});

test.serial('files and directories that vanish during the snapshot are reported as vanished; the rest is stored', async (t) => {
  const { src, repo } = newSource(t);
  initRepo(t, repo);
  const big = path.join(src, 'm-big.bin');
  fs.writeFileSync(big, randomBytes(32 << 20));
  for (let i = 0; i < 6; i++) {
    writeTree(src, { [`a-file${i}.txt`]: `early ${i}\n`, [`z-file${i}.txt`]: `late ${i}\n`, [`z-dir${i}/inner.txt`]: `inner ${i}\n` });
  }
  // the CLI handles entries in directory-listing order: victims listed after m-big.bin
  // are looked at only after it has been read, so they are gone by then
  const order = fs.readdirSync(src);
  const victims = order.filter((n) => n !== 'm-big.bin' && (n.startsWith('z-') || n.startsWith('a-')));
  const after = new Set(order.slice(order.indexOf('m-big.bin') + 1));
  t.true(after.size > 0, `listing order ${order.join(' ')}`);
  const { proc, done } = start(['snapshot', src, '--json'], repo);
  const opened = await whenOpened(proc.pid!, big);
  if (opened) for (const v of victims) fs.rmSync(path.join(src, v), { recursive: true });
  const r = await done;
  t.true(opened);
  t.is(r.signal, null);
  const s = JSON.parse(r.stdout) as SnapJson;
  t.is(r.code, 0, r.stderr);
  t.is(s.skippedCount, 0);
  const paths = lsPaths(t, repo);
  t.true(paths.has('m-big.bin'));
  for (const v of victims) {
    if (after.has(v)) {
      t.false(paths.has(v), `${v} is not in the snapshot`);
      t.like(byPath(s.warnings, v), { code: 'ENOENT' }, v);
      t.true(r.stderr.includes(`warning: ${v}: vanished`), v);
    } else {
      t.true(paths.has(v), `${v} was stored before it vanished`);
    }
  }
});

test('FIFOs and sockets are recorded and never opened; a FIFO without a writer does not hang', async (t) => {
  const { base, src, repo } = newSource(t);
  initRepo(t, repo);
  writeTree(src, { 'plain.txt': 'plain\n', 'sub/x.txt': 'x\n' });
  t.is(spawnSync('mkfifo', ['-m', '0640', path.join(src, 'pipe')]).status, 0);
  t.is(spawnSync('mkfifo', [path.join(src, 'sub/lonely-pipe')]).status, 0);
  const sockPath = path.join(src, 'sock');
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(sockPath, resolve));
  t.teardown(() => void server.close());
  // a writer blocked opening `pipe`: it gets through only if someone opens the FIFO for reading
  const marker = path.join(base, 'writer-got-through');
  const writer = spawn('sh', ['-c', `: > '${path.join(src, 'pipe')}'; touch '${marker}'`], { stdio: 'ignore' });
  t.teardown(() => writer.kill('SIGKILL'));
  t.true(await blockedOnFifo(writer.pid!), 'the FIFO writer is waiting for a reader');
  const { r, s } = snapshot(t, src, repo, [], { timeoutMs: 20_000 });
  t.is(r.code, 0, r.stderr);
  t.is(s.skippedCount, 0);
  t.false(fs.existsSync(marker), 'the FIFO was opened by the snapshot');
  for (const p of ['pipe', 'sub/lonely-pipe', 'sock']) {
    t.like(byPath(s.warnings, p), { code: 'W_SPECIAL' }, p);
    t.regex(r.stderr, new RegExp(`warning: ${p}: .*never opened`));
  }
  const paths = lsPaths(t, repo);
  t.like(paths.get('pipe'), { kind: 'fifo', mode: 0o640, size: 0 });
  t.like(paths.get('sub/lonely-pipe'), { kind: 'fifo' });
  t.like(paths.get('sock'), { kind: 'socket' });
  t.true(paths.has('plain.txt'));
  // a FIFO restores as a FIFO
  const out = path.join(base, 'out');
  const rr = run(['restore', 'latest:pipe', '--target', out], { repo });
  t.is(rr.code, 0, rr.stderr);
  const st = fs.lstatSync(path.join(out, 'pipe'));
  t.true(st.isFIFO());
  t.is(st.mode & 0o777, 0o640);
});

const raw = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

test('names that are not valid UTF-8 are kept as raw bytes, warned Go-quoted ("raw-\\xff"), restored byte for byte', (t) => {
  const { base, src, repo } = newSource(t);
  initRepo(t, repo);
  const srcB = Buffer.from(src + '/');
  const fileName = raw('raw-', [0xff, 0xfe], '.txt');
  const dirName = raw('caf', [0xe9]); // latin-1 "café"
  fs.writeFileSync(Buffer.concat([srcB, fileName]), 'latin bytes\n');
  fs.mkdirSync(Buffer.concat([srcB, dirName]));
  fs.writeFileSync(Buffer.concat([srcB, dirName, Buffer.from('/inner.txt')]), 'inner\n');
  fs.symlinkSync(fileName, Buffer.concat([srcB, Buffer.from('link')])); // target not UTF-8 either
  fs.writeFileSync(path.join(src, 'ünïcødé.txt'), 'valid UTF-8, no warning\n');
  const { r, s } = snapshot(t, src, repo);
  t.is(r.code, 0, r.stderr);
  t.is(s.skippedCount, 0);
  t.is(s.files, 3);
  t.like(byPath(s.warnings, '"raw-\\xff\\xfe.txt"'), { code: 'W_NAME_ENCODING' });
  t.like(byPath(s.warnings, '"caf\\xe9"'), { code: 'W_NAME_ENCODING' });
  t.is(s.warningCount, 2, JSON.stringify(s.warnings));
  t.true(r.stderr.includes('warning: "raw-\\xff\\xfe.txt": '), r.stderr);
  t.true(r.stderr.includes('warning: "caf\\xe9": '), r.stderr);
  const paths = lsPaths(t, repo);
  t.true(paths.has('"caf\\xe9"/inner.txt'));
  t.like(paths.get('link'), { kind: 'symlink', target: '"raw-\\xff\\xfe.txt"' });
  const out = path.join(base, 'out');
  const rr = run(['restore', 'latest', '--target', out], { repo });
  t.is(rr.code, 0, rr.stderr);
  t.deepEqual(treeDiff(src, out), []);
  const names = fs.readdirSync(out, { encoding: 'buffer' });
  t.true(names.some((n) => n.equals(fileName)));
  t.true(names.some((n) => n.equals(dirName)));
  t.deepEqual(fs.readlinkSync(Buffer.concat([Buffer.from(out + '/'), Buffer.from('link')]), { encoding: 'buffer' }), fileName);
});

test('a path shown Go-quoted can be used to address that entry (cat, ls, restore)', (t) => {
  const { base, src, repo } = newSource(t);
  initRepo(t, repo);
  const fileName = raw('raw-', [0xff, 0xfe], '.txt');
  fs.writeFileSync(Buffer.concat([Buffer.from(src + '/'), fileName]), 'latin bytes\n');
  const { s } = snapshot(t, src, repo);
  const shown = s.warnings[0]!.path; // as the warning and `ls` show it
  t.is(shown, '"raw-\\xff\\xfe.txt"');
  const c = run(['cat', `latest:${shown}`], { repo });
  t.is(c.code, 0, `strata cat latest:${shown} → ${c.stderr.trim()}`);
  t.is(c.stdout, 'latin bytes\n');
  const out = path.join(base, 'one');
  const rr = run(['restore', `latest:${shown}`, '--target', out], { repo });
  t.is(rr.code, 0, rr.stderr.trim());
});

test('symlink loops and links to directories outside are stored as links and never followed', (t) => {
  const { base, src, repo } = newSource(t);
  initRepo(t, repo);
  const outside = path.join(base, 'outside');
  const marker = `outside-secret-${randomBytes(8).toString('hex')}`;
  writeTree(outside, { 'secret.txt': marker, 'deep/more.txt': marker });
  writeTree(src, { 'real.txt': 'real\n', 'dir/file.txt': 'file\n' });
  const links: Record<string, string> = { loop: 'loop', a: 'b', b: 'a', out: outside, up: '..', self: '.', root: '/', 'dir/back': '..', 'dir/chain': '../a' };
  for (const [name, target] of Object.entries(links)) fs.symlinkSync(target, path.join(src, name));
  const { r, s } = snapshot(t, src, repo, [], { timeoutMs: 20_000 });
  t.is(r.code, 0, r.stderr);
  t.is(s.skippedCount, 0);
  t.is(s.files, 2, 'only the two regular files inside the source');
  t.is(s.dirs, 1);
  t.is(s.bytes, 'real\n'.length + 'file\n'.length);
  const paths = lsPaths(t, repo);
  for (const [name, target] of Object.entries(links)) t.like(paths.get(name), { kind: 'symlink', target, size: Buffer.byteLength(target) }, name);
  t.false([...paths.keys()].some((p) => p.startsWith('out/') || p.startsWith('self/') || p.startsWith('up/')));
  // nothing of the outside directory reached the repository
  const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  t.false(walk(repo).some((f) => fs.readFileSync(f).includes(marker)), 'outside content found in the repository');
  const restored = path.join(base, 'restored');
  const rr = run(['restore', 'latest', '--target', restored], { repo });
  t.is(rr.code, 0, rr.stderr);
  t.deepEqual(treeDiff(src, restored), []);
});

test('symlinks and special files are in the snapshot (counted files/dirs exclude them)', async (t) => {
  const { src, repo } = newSource(t);
  initRepo(t, repo);
  writeTree(src, { 'f.txt': 'f\n', 'd/g.txt': 'g\n' });
  fs.symlinkSync('f.txt', path.join(src, 'l1'));
  fs.symlinkSync('../f.txt', path.join(src, 'd/l2'));
  t.is(spawnSync('mkfifo', [path.join(src, 'd/p')]).status, 0);
  const { r, s } = snapshot(t, src, repo);
  t.is(r.code, 0);
  t.is(s.files, 2);
  t.is(s.dirs, 1);
  const ls = run(['ls', '-R', 'latest', '--json'], { repo });
  const types = (JSON.parse(ls.stdout) as { path: string; kind: string }[]).map((e) => `${e.path}:${e.kind}`).sort();
  t.deepEqual(types, ['d/g.txt:file', 'd/l2:symlink', 'd/p:fifo', 'd:dir', 'f.txt:file', 'l1:symlink']);
});

test('the repository inside the source is excluded automatically', (t) => {
  const { src } = newSource(t);
  writeTree(src, { 'a.txt': 'a\n', 'sub/b.txt': 'b\n' });
  // relative paths on purpose: --repo and the source are resolved from the working directory
  const r0 = run(['init', '--repo', '.strata'], { cwd: src });
  t.is(r0.code, 0, r0.stderr);
  for (let i = 0; i < 2; i++) {
    const r = run(['snapshot', '.', '--json', '--repo', '.strata'], { cwd: src });
    t.is(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as SnapJson;
    t.is(s.files, 2, `snapshot ${i + 1}`);
    t.is(s.skippedCount, 0);
  }
  const paths = lsPaths(t, path.join(src, '.strata'));
  t.deepEqual([...paths.keys()].sort(), ['a.txt', 'sub', 'sub/b.txt']);
});

test('the repository inside the source is excluded also when reached through a symlinked path', (t) => {
  const { base, src } = newSource(t);
  writeTree(src, { 'a.txt': 'a\n' });
  fs.symlinkSync(base, path.join(path.dirname(base), `${path.basename(base)}-alias`));
  const alias = path.join(path.dirname(base), `${path.basename(base)}-alias`);
  t.teardown(() => fs.rmSync(alias, { force: true }));
  const repo = path.join(alias, 'src', '.strata');
  initRepo(t, repo);
  const { r, s } = snapshot(t, path.join(alias, 'src'), repo);
  t.is(r.code, 0, r.stderr);
  t.deepEqual([...lsPaths(t, repo).keys()], ['a.txt'], 'the repository was snapshotted into itself');
  t.is(s.files, 1);
});

test('--exclude patterns and .strataignore files (gitignore rules, nested files relative to their folder)', (t) => {
  const { src, repo } = newSource(t);
  initRepo(t, repo);
  writeTree(src, {
    'keep.txt': 'k',
    'a.tmp': 'excluded by --exclude *.tmp',
    'deep/b.tmp': 'excluded by --exclude *.tmp',
    'build/out.bin': 'excluded by --exclude build/',
    'deep/build': 'a FILE named build: build/ matches directories only',
    'top-only.txt': 'excluded by --exclude /top-only.txt',
    'deep/top-only.txt': 'kept: the pattern is anchored at the source root',
    '.strataignore': 'secret*\n!secret-ok.txt\n',
    'secret.key': 'excluded by .strataignore',
    'deep/secret.pem': 'excluded by the root .strataignore at any depth',
    'secret-ok.txt': 're-included by !secret-ok.txt',
    'sub/.strataignore': '*.log\ncache/\n/anchored.txt\n',
    'sub/x.log': 'excluded by sub/.strataignore',
    'sub/inner/y.log': 'excluded by sub/.strataignore',
    'sub/cache/c.bin': 'excluded by sub/.strataignore',
    'sub/anchored.txt': 'excluded: anchored to sub/',
    'sub/inner/anchored.txt': 'kept: /anchored.txt is anchored to sub/',
    'sub/keep.md': 'kept',
    'x.log': 'kept: sub/.strataignore does not apply here',
    'other/cache/c.bin': 'kept: sub/.strataignore does not apply here',
  });
  const { r, s } = snapshot(t, src, repo, ['--exclude', '*.tmp', '--exclude', 'build/', '--exclude', '/top-only.txt']);
  t.is(r.code, 0, r.stderr);
  t.is(s.skippedCount, 0);
  t.is(s.warningCount, 0);
  t.is(r.stderr, '');
  const files = [...lsPaths(t, repo).entries()].filter(([, e]) => e.kind === 'file').map(([p]) => p).sort();
  t.deepEqual(files, [
    '.strataignore',
    'deep/build',
    'deep/top-only.txt',
    'keep.txt',
    'other/cache/c.bin',
    'secret-ok.txt',
    'sub/.strataignore',
    'sub/inner/anchored.txt',
    'sub/keep.md',
    'x.log',
  ]);
  t.is(s.files, files.length);
});

test('a source that is unusable is a clean fatal error, not a partial snapshot', (t) => {
  const { base, src, repo } = newSource(t);
  initRepo(t, repo);
  const missing = run(['snapshot', path.join(base, 'nope')], { repo });
  t.not(missing.code, 0);
  t.not(missing.code, 3);
  t.regex(missing.stderr, /nope/);
  // (a single file is a valid source since issue #17: test/e2e/cli-features.test.ts)
  const list = run(['snapshots', '--json'], { repo });
  t.deepEqual(JSON.parse(list.stdout), []);
});
