// History through the CLI on real snapshots: log of a path, restore and cat by
// latest~N and --at, diff with renames, find, restore over an existing
// directory (--delete, --dry-run), and the error messages.
import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { json, newRepo, ok, strata, tmpDir, treeDiff, writeTree } from '../helpers/cli.js';

function snap(t: ExecutionContext, repo: string, src: string): string {
  return json(t, ['snapshot', src], { repo }).id as string;
}

function fails(t: ExecutionContext, args: string[], repo: string, re: RegExp, code?: number): void {
  const r = strata(args, { repo });
  t.not(r.code, 0, `strata ${args.join(' ')} should fail`);
  if (code !== undefined) t.is(r.code, code, r.stderr);
  t.regex(r.stderr, re);
  t.is(r.stderr.trim().split('\n').length, 1, `one-line error expected: ${r.stderr}`);
}

test('log: every distinct version of a file across edits, deletes and re-creations', (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  const main = path.join(src, 'src/main.ts');
  writeTree(src, { 'src/main.ts': 'v1\n', 'README.md': 'readme\n' });
  const s1 = snap(t, repo, src); // added
  fs.writeFileSync(path.join(src, 'README.md'), 'other file changed\n');
  snap(t, repo, src); // main.ts untouched: not listed
  fs.writeFileSync(main, 'version two\n');
  const s3 = snap(t, repo, src); // modified
  fs.rmSync(main);
  const s4 = snap(t, repo, src); // removed
  snap(t, repo, src); // unchanged snapshot
  fs.writeFileSync(main, 'v1\n');
  const s6 = snap(t, repo, src); // re-added, same content as the first version
  fs.chmodSync(main, 0o700);
  snap(t, repo, src); // metadata only: not a new version
  fs.rmSync(main);
  fs.mkdirSync(main);
  const s8 = snap(t, repo, src); // a directory now

  const log = json(t, ['log', 'src/main.ts'], { repo });
  t.deepEqual(
    log.map((v: any) => [v.snapshot, v.status, v.size]),
    [
      [s1, 'added', 3],
      [s3, 'modified', 12],
      [s4, 'removed', null],
      [s6, 're-added', 3],
      [s8, 'type-changed', 0],
    ],
  );
  for (const v of log) for (const k of ['snapshot', 'time', 'status', 'size', 'hash']) t.true(k in v, k);
  t.is(log[0].hash, log[3].hash);
  t.regex(log[0].hash, /^[0-9a-f]{64}$/);
  t.not(log[0].hash, log[1].hash);

  const text = ok(t, ['log', './src//main.ts'], { repo }).trim().split('\n');
  t.is(text.length, 7); // header, 5 versions, summary
  t.regex(text[1]!, new RegExp(`^${s1.slice(0, 8)} .* added +3 B +${log[0].hash.slice(0, 12)}$`));
  t.regex(text[3]!, /removed +- +-$/);
  t.regex(text[6]!, /^5 changes to src\/main.ts in 8 snapshots$/);

  // a directory's history: changes whenever something inside changes
  const dirLog = json(t, ['log', 'src'], { repo });
  t.deepEqual(
    dirLog.map((v: any) => v.status),
    ['added', 'modified', 'modified', 'modified', 'modified', 'modified'],
  );

  // another source with the same relative path: its own lineage, not a flip-flop
  const other = path.join(tmpDir(t), 'other');
  writeTree(other, { 'src/main.ts': 'something else\n' });
  snap(t, repo, other);
  const all = json(t, ['log', 'src/main.ts'], { repo });
  t.is(all.length, 6);
  t.is(all[5].status, 'added');
  t.is(all[5].source, fs.realpathSync(other));
  t.is(json(t, ['log', 'src/main.ts', '--source', src], { repo }).length, 5);

  fails(t, ['log', 'no/such/file'], repo, /no\/such\/file is not in any of 9 snapshot/);
});

test('restore and cat by latest~N and by --at', (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  const out = tmpDir(t);
  for (const v of ['one', 'two', 'three']) {
    writeTree(src, { 'src/main.ts': `${v}\n`, [`src/only-in-${v}.txt`]: v });
    snap(t, repo, src);
  }
  const times = (json(t, ['snapshots'], { repo }) as any[]).map((s) => s.time as string);
  t.is(times.length, 3);

  ok(t, ['restore', 'latest~2:src/main.ts', '--target', path.join(out, 'r1')], { repo });
  t.is(fs.readFileSync(path.join(out, 'r1/main.ts'), 'utf8'), 'one\n');
  ok(t, ['restore', 'latest~1:src', '--target', path.join(out, 'r2')], { repo });
  t.deepEqual(fs.readdirSync(path.join(out, 'r2')).sort(), ['main.ts', 'only-in-one.txt', 'only-in-two.txt']);
  t.is(fs.readFileSync(path.join(out, 'r2/main.ts'), 'utf8'), 'two\n');

  // --at: the newest snapshot at or before the time (exactly at, and just after)
  const justAfter2 = new Date(Date.parse(times[1]!) + 1).toISOString();
  ok(t, ['restore', 'latest:src', '--at', justAfter2, '--target', path.join(out, 'r3')], { repo });
  t.is(fs.readFileSync(path.join(out, 'r3/main.ts'), 'utf8'), 'two\n');
  t.false(fs.existsSync(path.join(out, 'r3/only-in-three.txt')));
  t.is(ok(t, ['cat', '--at', times[0]!, 'src/main.ts'], { repo }), 'one\n');
  t.is(ok(t, ['cat', '--at', 'now', 'src/main.ts'], { repo }), 'three\n');
  t.is(ok(t, ['cat', '--at', times[2]!, 'latest~1:src/main.ts'], { repo }), 'two\n');
  t.deepEqual(ok(t, ['ls', '--at', times[0]!, 'src'], { repo }).trim().split('\n'), ['main.ts', 'only-in-one.txt']);
  fails(t, ['restore', '--at', '1 minute ago', 'src/main.ts', '--target', path.join(out, 'r4')], repo, /no snapshots at or before/);
  t.false(fs.existsSync(path.join(out, 'r4')));
});

test('--at errors: nothing that early, unreadable time, snapshot id together with --at', (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  writeTree(src, { 'a.txt': 'a' });
  const id = snap(t, repo, src);
  fails(t, ['cat', '--at', 'yesterday', 'a.txt'], repo, /no snapshots at or before .* in the repository/);
  fails(t, ['cat', '--at', 'the day after tomorrow', 'a.txt'], repo, /cannot read time/, 2);
  fails(t, ['cat', '--at', 'now', `${id.slice(0, 8)}:a.txt`], repo, /not a snapshot id/, 2);
  t.is(ok(t, ['cat', '--at', 'now', 'a.txt'], { repo }), 'a');
});

test('diff: adds, deletes, edits, mode change, renames (a 5,000-file directory is one line), moved+edited file', (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  const files: Record<string, string> = {
    'keep.txt': 'unchanged\n',
    'edit.txt': 'before\n',
    'gone.txt': 'to be deleted\n',
    'run.sh': '#!/bin/sh\n',
    'old-name.txt': 'renamed file content\n',
    'a/moved.txt': 'moved, then edited\n',
    'a/stay.txt': 'stays in a\n',
    'b/other.txt': 'b was there\n',
  };
  for (let i = 0; i < 5000; i++) files[`big/sub${i % 10}/f${i}.txt`] = `file number ${i}\n`;
  writeTree(src, files);
  const s1 = snap(t, repo, src);

  fs.writeFileSync(path.join(src, 'edit.txt'), 'after!\n');
  fs.rmSync(path.join(src, 'gone.txt'));
  fs.writeFileSync(path.join(src, 'new.txt'), 'brand new\n');
  fs.chmodSync(path.join(src, 'run.sh'), 0o755);
  fs.renameSync(path.join(src, 'old-name.txt'), path.join(src, 'new-name.txt'));
  fs.mkdirSync(path.join(src, 'archive'));
  fs.renameSync(path.join(src, 'big'), path.join(src, 'archive/big2'));
  fs.rmSync(path.join(src, 'a/moved.txt'));
  fs.writeFileSync(path.join(src, 'b/moved.txt'), 'moved, then edited (changed)\n');
  const s2 = snap(t, repo, src);

  const r = strata(['diff', 'latest~1', 'latest', '--stats'], { repo });
  t.is(r.code, 0, r.stderr);
  t.deepEqual(r.stdout.trim().split('\n'), [
    'D  a/moved.txt',
    'R  big/ -> archive/big2/  (5,000 files)',
    'A  b/moved.txt',
    'M  edit.txt  (7 B -> 7 B)',
    'D  gone.txt',
    'R  old-name.txt -> new-name.txt',
    'A  new.txt',
    'm  run.sh  (mode 644 -> 755)',
    '2 added, 2 removed, 1 modified, 2 renamed, 1 metadata only',
  ]);
  const trees = Number(/compared (\d+) tree objects/.exec(r.stderr)![1]);
  t.true(trees < 20, `compared ${trees} trees for a diff of a 5,000-file tree`);

  const js = json(t, ['diff', s1.slice(0, 10), s2.slice(0, 10)], { repo });
  t.is(js.length, 8);
  const ren = js.find((c: any) => c.status === 'renamed' && c.kind === 'dir');
  t.like(ren, { path: 'archive/big2', from: 'big', files: 5000 });
  t.like(js.find((c: any) => c.status === 'meta'), { path: 'run.sh', meta: { mode: ['644', '755'] } });
  t.like(js.find((c: any) => c.status === 'modified'), { path: 'edit.txt', size: 7, oldSize: 7 });

  // limited to a subtree
  t.deepEqual(json(t, ['diff', s1.slice(0, 10), s2.slice(0, 10), 'b/'], { repo }).map((c: any) => [c.status, c.path]), [['added', 'b/moved.txt']]);
  t.deepEqual(json(t, ['diff', s1.slice(0, 10), s2.slice(0, 10), 'big'], { repo }).map((c: any) => [c.status, c.path, c.files]), [['removed', 'big', 5000]]);
  t.is(ok(t, ['diff', 'latest', 'latest'], { repo }).trim(), 'no differences');
  fails(t, ['diff', 'latest~1', 'latest', 'nowhere'], repo, /not found in either snapshot/);

  // a metadata-only change (mtime) shows as such
  fs.utimesSync(path.join(src, 'keep.txt'), new Date('2001-01-01T00:00:00Z'), new Date('2001-01-01T00:00:00Z'));
  snap(t, repo, src);
  t.regex(ok(t, ['diff', 'latest~1', 'latest'], { repo }), /^m {2}keep\.txt {2}\(mtime \S+ \S+ -> 2001-01-01 00:00:00\)\n0 added, 0 removed, 0 modified, 0 renamed, 1 metadata only\n$/);
});

test('restore over an existing directory: rewrite what differs, keep the rest, --delete, --dry-run', (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  writeTree(src, { 'a.txt': 'A', 'b.txt': 'B', 'd/c.txt': 'C' });
  snap(t, repo, src);
  const target = path.join(tmpDir(t), 'target');
  writeTree(target, { 'a.txt': 'A', 'b.txt': 'not B', 'extra.txt': 'E', 'd/extra2.txt': 'E2', 'newdir/x': 'x' });
  const inodeA = fs.statSync(path.join(target, 'a.txt')).ino;
  const snapshotOf = (d: string) => JSON.stringify(fs.readdirSync(d, { recursive: true, encoding: 'utf8' }).sort().map((p) => [p, fs.statSync(path.join(d, p)).isFile() ? fs.readFileSync(path.join(d, p), 'utf8') : '/']));
  const before = snapshotOf(target);

  const dry = ok(t, ['restore', 'latest', '--target', target, '--dry-run', '--delete'], { repo }).trim().split('\n');
  // a.txt has the right content but not the snapshot's mtime: only its metadata would be fixed
  t.deepEqual(dry.slice(0, -1).sort(), ['create  d/c.txt', 'delete  d/extra2.txt', 'delete  extra.txt', 'delete  newdir/', 'meta    a.txt', 'update  b.txt']);
  t.regex(dry.at(-1)!, /^dry run: would create 1, update 1, delete 3, fix metadata of 1 in .*; 1 file already up to date$/);
  t.is(snapshotOf(target), before, 'dry run changed nothing');
  const dj = json(t, ['restore', 'latest', '--target', target, '--dry-run'], { repo });
  t.true(dj.dryRun);
  t.deepEqual(dj.actions.map((a: any) => `${a.op} ${a.path}`).sort(), ['create d/c.txt', 'meta a.txt', 'update b.txt']);
  const nowhere = path.join(tmpDir(t), 'not-yet');
  ok(t, ['restore', 'latest', '--target', nowhere, '--dry-run'], { repo });
  t.false(fs.existsSync(nowhere), 'dry run created the target');

  const res = json(t, ['restore', 'latest', '--target', target], { repo });
  t.is(res.files, 2);
  t.is(res.filesSkipped, 1);
  t.is(res.deleted, 0);
  t.is(fs.readFileSync(path.join(target, 'b.txt'), 'utf8'), 'B');
  t.is(fs.statSync(path.join(target, 'a.txt')).ino, inodeA, 'identical file left in place');
  t.true(fs.existsSync(path.join(target, 'extra.txt')));
  t.true(fs.existsSync(path.join(target, 'newdir/x')));

  const del = ok(t, ['restore', 'latest', '--target', target, '--delete'], { repo });
  t.regex(del, /deleted 3 entries not in the snapshot/);
  t.deepEqual(treeDiff(src, target), []);
});

test('find: a glob in one snapshot or all of them', (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  writeTree(src, { 'src/a.ts': 'a', 'src/lib/b.ts': 'b', 'docs/c.md': 'c', 'x.ts': 'x' });
  const s1 = snap(t, repo, src);
  writeTree(src, { 'src/new.ts': 'n' });
  fs.rmSync(path.join(src, 'docs'), { recursive: true });
  snap(t, repo, src);
  const lines = (args: string[]) => ok(t, args, { repo }).trim().split('\n');
  t.deepEqual(lines(['find', '*.ts', '--snapshot', 'latest']), ['src/a.ts', 'src/lib/b.ts', 'src/new.ts', 'x.ts']);
  t.deepEqual(lines(['find', 'src/*.ts', '-s', 'latest']), ['src/a.ts', 'src/new.ts']);
  t.deepEqual(lines(['find', 'src/**/*.ts', '-s', 'latest']), ['src/a.ts', 'src/lib/b.ts', 'src/new.ts']);
  t.deepEqual(lines(['find', '**/?.ts', '-s', 'latest']), ['src/a.ts', 'src/lib/b.ts', 'x.ts']);
  t.deepEqual(lines(['find', 'lib/', '-s', 'latest']), ['src/lib/']);
  t.deepEqual(lines(['find', 'src/*', '-s', 'latest', '--type', 'd']), ['src/lib/']);
  const md = json(t, ['find', '**/c.md'], { repo });
  t.deepEqual(md.map((m: any) => [m.snapshot, m.path]), [[s1, 'docs/c.md']]);
  t.is(json(t, ['find', '*.ts'], { repo }).length, 3 + 4);
  const all = lines(['find', 'src/a.ts']);
  t.regex(all[0]!, /^src\/a\.ts +1 B +[0-9a-f]{12} +in 2 snapshots, /);
  t.regex(all.at(-1)!, /^1 path\(s\), 2 match\(es\) in 2 snapshots$/);
});

test('ls: --recursive and --long; errors for unknown, ambiguous and absent', (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  writeTree(src, { 'src/main.ts': 'x', 'src/lib/u.ts': 'u', 'top.txt': 't' });
  fs.chmodSync(path.join(src, 'src/main.ts'), 0o755);
  const ids = [snap(t, repo, src)];
  t.deepEqual(ok(t, ['ls', '-R'], { repo }).trim().split('\n'), ['src/', 'src/lib/', 'src/lib/u.ts', 'src/main.ts', 'top.txt']);
  const long = ok(t, ['ls', '--long', '--recursive', 'latest:src'], { repo }).trim().split('\n');
  t.is(long.length, 3);
  t.regex(long[2]!, /^-rwxr-xr-x +\d+ +\d+ +1 B +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  src\/main\.ts$/);
  t.regex(long[0]!, /^drwx/);

  fails(t, ['ls', 'deadbeefdeadbeef'], repo, /no snapshot matches deadbeefdeadbeef/);
  fails(t, ['cat', 'latest:src/nope.ts'], repo, /path not found in snapshot: src\/nope\.ts \(snapshot [0-9a-f]{8} of /);
  fails(t, ['restore', 'latest:nope', '--target', path.join(tmpDir(t), 'x')], repo, /path not found/);
  fails(t, ['ls', 'latest~5'], repo, /latest~5: only 1 snapshot/);
  // make two ids share a first hex digit, then use it as a prefix
  let shared: string | undefined;
  for (let i = 0; i < 40 && !shared; i++) {
    writeTree(src, { 'n.txt': String(i) });
    ids.push(snap(t, repo, src));
    const firsts = ids.map((id) => id[0]!);
    shared = firsts.find((c, k) => firsts.indexOf(c) !== k);
  }
  t.truthy(shared);
  fails(t, ['ls', shared!], repo, /ambiguous/);
});
