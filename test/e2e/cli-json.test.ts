// Every command's --json output against its schema in docs/json.md (and every
// command has one, or is listed as writing bytes), errors included.
import test from 'ava';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, TEST_PASSWORD, newRepo, ok, strata, tmpDir, writeTree } from '../helpers/cli.js';
import { loadSchemas, validate } from '../cli/json-schema.js';

const NO_JSON = new Set(['cat', 'dump', 'completion', 'help']);

test('docs/json.md has a schema for every command', (t) => {
  const { commands } = loadSchemas();
  const help = ok(t, ['--help']);
  const names = [...help.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!);
  t.true(names.length >= 18);
  for (const n of names) t.true(NO_JSON.has(n) || n in commands, `no schema for ${n}`);
});

test('the checker rejects what does not match (so the next test can fail)', (t) => {
  const { defs, commands } = loadSchemas();
  t.deepEqual(validate({ id: 'x', version: 1, repo: '/r' }, commands.init!.schema, defs), []);
  t.true(validate({ id: 'x', version: '1', repo: '/r' }, commands.init!.schema, defs).length > 0);
  t.true(validate({ id: 'x', version: 1, repo: '/r', extra: 1 }, commands.init!.schema, defs).some((e) => /extra: not in the schema/.test(e)));
  t.true(validate([{ path: 'a' }], commands.ls!.schema, defs).some((e) => /kind: missing/.test(e)));
});

test('every command with --json prints what docs/json.md says', async (t) => {
  const { defs, commands } = loadSchemas();
  const repo = newRepo(t);
  const base = tmpDir(t);
  const src = path.join(base, 'src');
  writeTree(src, { 'a.txt': 'alpha', 'd/b.txt': 'beta', 'd/sub/c.bin': Buffer.alloc(5000, 1) });
  fs.writeFileSync(Buffer.from(`${src}/raw-\xff`, 'latin1'), 'raw');
  fs.symlinkSync('a.txt', path.join(src, 'link'));
  const seen = new Set<string>();
  const check = (cmd: string, args: string[], expectCode = 0) => {
    const r = strata([...args, '--json'], { repo });
    t.is(r.code, expectCode, `${args.join(' ')}: ${r.stderr}`);
    const errs = validate(JSON.parse(r.stdout), commands[cmd]!.schema, defs);
    t.deepEqual(errs, [], `${args.join(' ')}`);
    seen.add(cmd);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  check('init', ['init', '--repo', path.join(base, 'other')]);
  check('snapshot', ['snapshot', src]);
  check('snapshot', ['snapshot', src, '--dry-run']);
  fs.writeFileSync(path.join(src, 'a.txt'), 'alpha 2');
  fs.renameSync(path.join(src, 'd'), path.join(src, 'e'));
  fs.chmodSync(path.join(src, 'link'), 0o777);
  check('snapshot', ['snapshot', src]);
  check('snapshots', ['snapshots']);
  check('show', ['show', 'latest']);
  check('ls', ['ls', '-R', 'latest']);
  check('find', ['find', '*']);
  check('log', ['log', 'a.txt']);
  check('log', ['log', 'link']);
  check('diff', ['diff', 'latest~1', 'latest']);
  const out = path.join(base, 'out');
  check('restore', ['restore', 'latest', '--target', out]);
  check('restore', ['restore', 'latest', '--target', path.join(base, 'dry'), '--dry-run']);
  check('restore', ['restore', 'latest:a.txt', 'latest:e', '--target', path.join(base, 'two')]);
  check('stats', ['stats']);
  check('stats', ['stats', 'latest']);
  check('forget', ['forget', '--keep-last', '5', '--dry-run']);
  check('forget', ['forget', '--keep-last', '1', '--prune']);
  check('prune', ['prune', '--dry-run']);
  check('prune', ['prune']);
  check('check', ['check', '--read-data']);
  check('repair', ['repair', 'index']);
  check('unlock', ['unlock']);
  check('repair', ['repair', 'snapshots', '--dry-run']);
  check('repair', ['repair', 'snapshots']);
  // keys: add one, remove it; passwd to the same password (the other checks keep opening with it)
  const samePw = path.join(base, 'pw-same');
  const newPw = path.join(base, 'pw-new');
  fs.writeFileSync(samePw, TEST_PASSWORD);
  fs.writeFileSync(newPw, 'another password');
  check('key', ['key', 'list']);
  const added = check('key', ['key', 'add', '--new-password-file', newPw]);
  check('key', ['key', 'remove', String(added.added)]);
  check('key', ['key', 'passwd', '--new-password-file', samePw]);
  check('migrate', ['migrate', '--to', path.join(base, 'migrated'), '--new-password-file', samePw]);
  const other = path.join(base, 'copy-dest');
  ok(t, ['init', '--repo', other]);
  const copied = strata(['copy', '--from-repo', repo, '--json'], { repo: other });
  t.is(copied.code, 0, copied.stderr);
  t.deepEqual(validate(JSON.parse(copied.stdout), commands.copy!.schema, defs), []);
  seen.add('copy');

  // errors
  const err = strata(['ls', 'deadbeef', '--json'], { repo });
  t.is(err.code, 1);
  t.deepEqual(validate(JSON.parse(err.stderr), commands.exit_error!.schema, defs), []);
  seen.add('exit_error');

  // watch: one JSON line per snapshot; the start-up catch-up takes one
  const src2 = path.join(base, 'src2');
  writeTree(src2, { 'w.txt': 'watched' });
  let statusSeen = false;
  const lines = await new Promise<string[]>((resolve) => {
    const p = spawn(process.execPath, [CLI, 'watch', src2, '--json', '--backend', 'inotify', '--tag', 'watched,w2'], { env: { ...process.env, STRATA_REPO: repo } });
    t.teardown(() => {
      if (p.exitCode === null) p.kill('SIGKILL');
    });
    let buf = '';
    const timer = setTimeout(() => p.kill('SIGINT'), 30_000);
    p.stdout.on('data', (d) => {
      buf += d;
      if (buf.includes('\n') && !statusSeen) {
        // status while the daemon runs (exit 0 when every source is protected, 1 while one is not yet)
        const st = strata(['status', '--json'], { repo });
        t.true(st.code === 0 || st.code === 1, st.stderr);
        const v = JSON.parse(st.stdout);
        t.deepEqual(validate(v, commands.status!.schema, defs), [], st.stdout);
        t.true(v.daemons.length >= 1, 'status sees the running daemon');
        statusSeen = true;
        p.kill('SIGINT');
      }
    });
    p.on('close', () => {
      clearTimeout(timer);
      resolve(buf.trim().split('\n').filter(Boolean));
    });
  });
  t.true(lines.length >= 1, 'watch printed a snapshot line');
  for (const l of lines) t.deepEqual(validate(JSON.parse(l), commands.watch!.schema, defs), [], l);
  t.deepEqual(JSON.parse(lines[0]!).tags, ['watched', 'w2'], 'watch --tag labels its snapshots');
  seen.add('watch');
  t.true(statusSeen, 'status ran while the daemon did');
  // status with no daemon: exit 1, no daemons
  const idle = strata(['status', '--json'], { repo });
  t.is(idle.code, 1, idle.stderr);
  t.deepEqual(validate(JSON.parse(idle.stdout), commands.status!.schema, defs), []);
  t.deepEqual(JSON.parse(idle.stdout).daemons, []);
  seen.add('status');

  // serve: one object once it listens, then nothing more on stdout until SIGINT (exit 0)
  const served = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [CLI, 'serve', '--json', '--listen', '127.0.0.1:0'], { env: { ...process.env, STRATA_REPO: repo } });
    t.teardown(() => {
      if (p.exitCode === null) p.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => p.kill('SIGINT'), 60_000);
    p.stderr.on('data', (d) => (stderr += d));
    p.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('\n')) p.kill('SIGINT');
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  t.is(served.code, 0, served.stderr);
  t.deepEqual(validate(JSON.parse(served.stdout), commands.serve!.schema, defs), [], served.stdout);
  seen.add('serve');
  for (const c of Object.keys(commands)) t.true(seen.has(c), `not exercised: ${c}`);
});
