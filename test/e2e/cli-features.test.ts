// Features a restic user expects (issue #17, "also expected"), through the CLI
// on real trees: --exclude-file, --exclude-caches, dump (tar, zip), restore
// --include/--exclude and several paths, stats, shell completion.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { json, newRepo, ok, pseudoRandom, strata, tmpDir, treeDiff, writeTree } from '../helpers/cli.js';

function tree(t: Parameters<typeof tmpDir>[0], files: Record<string, string | Buffer>): string {
  const d = fs.realpathSync(tmpDir(t, 'strata-src-'));
  writeTree(d, files);
  return d;
}

function listing(t: Parameters<typeof ok>[0], repo: string): string[] {
  return ok(t, ['ls', '-R', 'latest'], { repo }).trim().split('\n');
}

test('--exclude-file reads patterns (comments and blank lines skipped); --exclude-caches drops CACHEDIR.TAG directories', (t) => {
  const repo = newRepo(t);
  const src = tree(t, {
    'keep.txt': 'k',
    'a.log': 'l',
    'build/out.o': 'o',
    'cache/CACHEDIR.TAG': 'Signature: 8a477f597d28d172789f06886806bc55\n# a cache\n',
    'cache/blob': 'cached',
    'fake/CACHEDIR.TAG': 'not the signature',
    'fake/kept': 'x',
  });
  const ex = path.join(tmpDir(t), 'excludes');
  fs.writeFileSync(ex, '# build products\n*.log\n\nbuild/\n');
  ok(t, ['snapshot', src, '--exclude-file', ex, '--exclude-caches'], { repo });
  t.deepEqual(listing(t, repo), ['fake/', 'fake/CACHEDIR.TAG', 'fake/kept', 'keep.txt']);
  ok(t, ['snapshot', src], { repo });
  t.true(listing(t, repo).includes('cache/blob'), 'without the options everything is back');
  const missing = strata(['snapshot', src, '--exclude-file', path.join(src, 'nope')], { repo });
  t.is(missing.code, EXIT.USAGE);
  t.regex(missing.stderr, /cannot read --exclude-file .*nope/);
});

test('dump: a file to stdout, a directory as tar or zip that unpack to the same tree', (t) => {
  const repo = newRepo(t);
  const src = tree(t, { 'd/a.txt': 'alpha\n', 'd/sub/b.bin': Buffer.alloc(70_000, 3), ['d/' + 'long-name-'.repeat(12) + '.txt']: 'long', 'top.txt': 'top' });
  fs.symlinkSync('a.txt', path.join(src, 'd/link'));
  fs.chmodSync(path.join(src, 'd/a.txt'), 0o751);
  ok(t, ['snapshot', src], { repo });
  t.is(ok(t, ['dump', 'latest:top.txt'], { repo }), 'top');
  const out = tmpDir(t);
  const tar = strata(['dump', 'latest:d'], { repo });
  t.is(tar.code, 0, tar.stderr);
  fs.writeFileSync(path.join(out, 'd.tar'), tar.stdoutBuf);
  fs.mkdirSync(path.join(out, 'x'));
  const x = spawnSync('tar', ['-xf', path.join(out, 'd.tar'), '-C', path.join(out, 'x')]);
  t.is(x.status, 0, x.stderr.toString());
  t.deepEqual(treeDiff(path.join(src, 'd'), path.join(out, 'x')), []);
  const zip = strata(['dump', 'latest:d', '--archive', 'zip'], { repo });
  t.is(zip.code, 0, zip.stderr);
  fs.writeFileSync(path.join(out, 'd.zip'), zip.stdoutBuf);
  const py = spawnSync('python3', ['-c', 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print("\\n".join(sorted(z.namelist()))); print(z.read("sub/b.bin") == bytes([3])*70000)', path.join(out, 'd.zip')]);
  if (py.error) t.log('python3 missing: zip checked by size only');
  else {
    t.is(py.status, 0, py.stderr.toString());
    t.deepEqual(py.stdout.toString().trim().split('\n'), ['a.txt', 'link', 'long-name-'.repeat(12) + '.txt', 'sub/', 'sub/b.bin', 'True']);
  }
  const bad = strata(['dump', 'latest:d', '--archive', 'rar'], { repo });
  t.is(bad.code, EXIT.USAGE);
  t.regex(bad.stderr, /--archive must be one of tar, zip/);
});

test('restore --include/--exclude and several paths', (t) => {
  const repo = newRepo(t);
  const src = tree(t, { 'src/a.ts': 'a', 'src/b.js': 'b', 'src/deep/c.ts': 'c', 'docs/x.md': 'x', 'docs/y.md': 'y', 'top.ts': 't' });
  ok(t, ['snapshot', src], { repo });
  const files = (d: string): string[] => {
    const out: string[] = [];
    const walk = (p: string, rel: string) => {
      for (const e of fs.readdirSync(p, { withFileTypes: true })) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(path.join(p, e.name), r);
        else out.push(r);
      }
    };
    walk(d, '');
    return out.sort();
  };
  const inc = path.join(tmpDir(t), 'inc');
  ok(t, ['restore', 'latest', '--target', inc, '--include', '*.ts'], { repo });
  t.deepEqual(files(inc), ['src/a.ts', 'src/deep/c.ts', 'top.ts']);
  t.false(fs.existsSync(path.join(inc, 'docs')), 'directories without a match are not created');
  const exc = path.join(tmpDir(t), 'exc');
  ok(t, ['restore', 'latest', '--target', exc, '--exclude', 'docs/', '--exclude', '*.js'], { repo });
  t.deepEqual(files(exc), ['src/a.ts', 'src/deep/c.ts', 'top.ts']);
  const several = path.join(tmpDir(t), 'several');
  const r = json(t, ['restore', 'latest:src/deep', 'latest:docs/x.md', '--target', several], { repo });
  t.is(r.files, 2);
  t.deepEqual(files(several), ['docs/x.md', 'src/deep/c.ts']);
  const both = strata(['restore', 'latest', '--target', several, '--include', '*.ts', '--delete'], { repo });
  t.is(both.code, EXIT.USAGE);
  t.regex(both.stderr, /--delete cannot be combined with --include\/--exclude/);
  const none = strata(['restore', 'latest', '--target', several, '--include', '*.nothing'], { repo });
  t.is(none.code, EXIT.FATAL);
  t.regex(none.stderr, /nothing in \/ matches --include \*\.nothing/);
});

test('stats: restore size, stored size, dedup and compression ratios', (t) => {
  const repo = newRepo(t);
  const text = 'the same line of text, compressible\n'.repeat(3000); // ~108 KB
  const src = tree(t, { 'a.txt': text, 'copy/a.txt': text, 'b.txt': 'small' });
  ok(t, ['snapshot', src], { repo });
  ok(t, ['snapshot', src], { repo });
  const one = json(t, ['stats', 'latest'], { repo });
  t.is(one.snapshots, 1);
  t.is(one.files, 3);
  t.is(one.restoreSize, 2 * text.length + 5);
  t.is(one.uniqueFiles, 2);
  t.true(one.dedupRatio > 1.9 && one.dedupRatio < 2.1, `dedup ${one.dedupRatio}`);
  t.true(one.compressionRatio > 5, `compression ${one.compressionRatio}`);
  t.true(one.storedSize < one.rawSize);
  t.is(one.packsSize, null);
  const all = json(t, ['stats'], { repo });
  t.is(all.snapshots, 2);
  t.is(all.restoreSize, 2 * one.restoreSize);
  t.is(all.rawSize, one.rawSize, 'the second snapshot adds nothing after dedup');
  t.true(all.packsSize >= all.storedSize);
  t.regex(ok(t, ['stats'], { repo }), /dedup ratio [\d.]+x[^]*compression ratio [\d.]+x/);
});

test('completion scripts for bash, zsh and fish name every command and its options', (t) => {
  const help = ok(t, ['--help'], {});
  const commands = [...help.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
  t.true(commands.length >= 17, commands.join(' '));
  const bash = ok(t, ['completion', 'bash'], {});
  t.is(spawnSync('bash', ['-n'], { input: bash }).status, 0, 'valid bash');
  for (const c of commands) t.true(bash.includes(`    ${c}) opts=`), `bash: ${c}`);
  t.true(bash.includes('--exclude-caches') && bash.includes('--repo'));
  // driving the bash function: what follows `strata restore --in` is --include
  const drive = spawnSync('bash', ['-c', `${bash}\nCOMP_WORDS=(strata restore --in); COMP_CWORD=2; _strata; echo "\${COMPREPLY[@]}"`]);
  t.is(drive.stdout.toString().trim(), '--include');
  const zsh = ok(t, ['completion', 'zsh'], {});
  t.regex(zsh, /^#compdef strata/);
  for (const c of commands) t.true(zsh.includes(`    '${c}:`), `zsh: ${c}`);
  const fish = ok(t, ['completion', 'fish'], {});
  for (const c of commands) t.true(fish.includes(`-a ${c} `), `fish: ${c}`);
  t.regex(fish, /-n '__fish_seen_subcommand_from dump' -s a -l archive -r/);
  t.is(strata(['completion', 'tcsh']).code, EXIT.USAGE);
});

test('--exclude-larger-than leaves out big files; --one-file-system does not cross a mount point', (t) => {
  const repo = newRepo(t);
  const src = tree(t, { 'small.txt': 'x'.repeat(1000), 'big.bin': Buffer.alloc(3000, 1), 'sub/edge.bin': Buffer.alloc(2048, 2) });
  ok(t, ['snapshot', src, '--exclude-larger-than', '2K'], { repo });
  t.deepEqual(listing(t, repo), ['small.txt', 'sub/', 'sub/edge.bin']);
  const bad = strata(['snapshot', src, '--exclude-larger-than', 'huge'], { repo });
  t.is(bad.code, EXIT.USAGE);
  t.regex(bad.stderr, /--exclude-larger-than wants a size such as/);
  if (process.getuid?.() !== 0) return t.log('not root: the mount-point half needs root');
  const mnt = path.join(src, 'mnt');
  fs.mkdirSync(mnt);
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]).status !== 0) return t.log('cannot mount tmpfs here');
  t.teardown(() => {
    spawnSync('umount', ['-l', mnt]);
  });
  fs.writeFileSync(path.join(mnt, 'other-fs.txt'), 'elsewhere');
  ok(t, ['snapshot', src], { repo });
  t.true(listing(t, repo).includes('mnt/other-fs.txt'), 'crossed by default');
  ok(t, ['snapshot', src, '--one-file-system'], { repo });
  t.false(listing(t, repo).some((p) => p.startsWith('mnt')), 'not with --one-file-system');
  t.true(listing(t, repo).includes('big.bin'));
});

test('diff SNAP DIR compares a snapshot with the directory as it is now', (t) => {
  const repo = newRepo(t);
  const src = tree(t, { 'keep.txt': 'same', 'edit.txt': 'before', 'gone.txt': 'bye', 'd/x.txt': 'x' });
  ok(t, ['snapshot', src], { repo });
  t.is(ok(t, ['diff', 'latest', src], { repo }).trim(), 'no differences');
  fs.writeFileSync(path.join(src, 'edit.txt'), 'after!');
  fs.rmSync(path.join(src, 'gone.txt'));
  fs.writeFileSync(path.join(src, 'new.txt'), 'hello');
  const changes = json(t, ['diff', 'latest', src], { repo });
  t.deepEqual(changes.map((c: any) => [c.status, c.path]), [['modified', 'edit.txt'], ['removed', 'gone.txt'], ['added', 'new.txt']]);
  t.deepEqual(json(t, ['diff', 'latest', src, 'd'], { repo }), []);
  // nothing was written: still one snapshot
  t.is(json(t, ['snapshots'], { repo }).length, 1);
  // from inside the directory, '.' works the same
  t.is(json(t, ['diff', 'latest', '.'], { repo, cwd: src }).length, 3);
});

test('tags: --tag on snapshot, shown and filtered by snapshots and forget', (t) => {
  const repo = newRepo(t);
  const src = tree(t, { 'a.txt': 'a' });
  const s1 = json(t, ['snapshot', src, '--tag', 'daily,home'], { repo });
  t.deepEqual(s1.tags, ['daily', 'home']);
  fs.writeFileSync(path.join(src, 'a.txt'), 'b');
  json(t, ['snapshot', src, '--tag', 'weekly'], { repo });
  fs.writeFileSync(path.join(src, 'a.txt'), 'c');
  const s3 = json(t, ['snapshot', src], { repo });
  t.deepEqual(s3.tags, []);
  t.false('tags' in json(t, ['show', s3.id], { repo }), 'manifests without tags stay as before');
  t.deepEqual(json(t, ['show', s1.id], { repo }).tags, ['daily', 'home']);
  const ids = (args: string[]) => json(t, ['snapshots', ...args], { repo }).map((s: any) => s.id.slice(0, 8));
  t.deepEqual(ids(['--tag', 'daily']), [s1.id.slice(0, 8)]);
  t.deepEqual(ids(['--tag', 'daily,weekly']), [], 'a,b: both');
  t.is(ids(['--tag', 'daily', '--tag', 'weekly']).length, 2, 'repeated: either');
  t.regex(ok(t, ['snapshots'], { repo }), /\(tags daily,home\)/);
  // forget among the tagged ones only: the untagged newest is not considered
  const f = json(t, ['forget', '--keep-last', '1', '--tag', 'daily', '--tag', 'weekly'], { repo });
  t.is(f.removed.length, 1);
  t.is(json(t, ['snapshots'], { repo }).length, 2);
  t.deepEqual(ids(['--tag', 'daily']), [], 'the older tagged one went');
});

test('copy --from-repo: only the snapshots the destination lacks, only the blobs it lacks; restorable there', (t) => {
  const from = newRepo(t);
  const to = newRepo(t);
  const src = tree(t, { 'a.txt': 'alpha\n'.repeat(1000), 'd/b.bin': Buffer.alloc(200_000, 9) });
  const s1 = json(t, ['snapshot', src], { repo: from });
  fs.writeFileSync(path.join(src, 'a.txt'), 'changed');
  const s2 = json(t, ['snapshot', src], { repo: from });
  const c1 = json(t, ['copy', '--from-repo', from, s1.id.slice(0, 8)], { repo: to });
  // encrypted repositories name objects with their own key: the copy has its own id
  t.deepEqual(c1.copied.map((c: any) => c.from), [s1.id]);
  t.deepEqual(json(t, ['snapshots'], { repo: to }).map((s: any) => s.id), c1.copied.map((c: any) => c.id));
  const c2 = json(t, ['copy', '--from-repo', from], { repo: to });
  t.deepEqual(c2.copied.map((c: any) => c.from), [s2.id]);
  t.is(c2.skipped, 1);
  t.true(c2.blobs <= 3, `only the changed file and its trees: ${c2.blobs}`);
  const c3 = json(t, ['copy', '--from-repo', from], { repo: to });
  t.is(c3.copied.length, 0);
  t.is(c3.skipped, 2);
  ok(t, ['check', '--read-data'], { repo: to });
  const out = path.join(tmpDir(t), 'out');
  ok(t, ['restore', c2.copied[0].id.slice(0, 8), '--target', out], { repo: to });
  t.deepEqual(treeDiff(src, out), []);
  const self = strata(['copy', '--from-repo', to], { repo: to });
  t.is(self.code, EXIT.USAGE);
  t.regex(self.stderr, /is this repository/);
});

test('copy --from-password-file: a source repository with its own password', (t) => {
  const base = tmpDir(t);
  const from = path.join(base, 'from');
  const pw = path.join(base, 'from-pw');
  fs.writeFileSync(pw, 'another password\n', { mode: 0o600 });
  ok(t, ['init', '--repo', from], { env: { STRATA_PASSWORD: 'another password' } });
  const src = tree(t, { 'a.txt': 'alpha\n' });
  const s1 = json(t, ['snapshot', src], { repo: from, env: { STRATA_PASSWORD: 'another password' } });
  const to = newRepo(t);
  // the destination's password does not open the source
  t.is(strata(['copy', '--from-repo', from], { repo: to }).code, EXIT.WRONG_PASSWORD);
  const c = json(t, ['copy', '--from-repo', from, '--from-password-file', pw], { repo: to });
  t.deepEqual(c.copied.map((x: any) => x.from), [s1.id]);
  const viaEnv = json(t, ['copy', '--from-repo', from], { repo: to, env: { STRATA_FROM_PASSWORD_FILE: pw } });
  t.is(viaEnv.copied.length, 0);
  const out = path.join(base, 'out');
  ok(t, ['restore', c.copied[0].id.slice(0, 8), '--target', out], { repo: to });
  t.deepEqual(treeDiff(src, out), []);
});

test('several paths and single files in one snapshot: their common directory, holding just them', (t) => {
  const repo = newRepo(t);
  const home = tree(t, { 'work/src/a.ts': 'a', 'work/skip.tmp': 't', 'notes.txt': 'notes', 'other/x': 'x', 'deep/er/keep/k.txt': 'k', 'deep/er/drop.txt': 'd', 'w*ld [1].txt': 'odd' });
  const s = json(t, ['snapshot', path.join(home, 'work'), path.join(home, 'notes.txt'), path.join(home, 'deep/er/keep'), path.join(home, 'w*ld [1].txt'), '-e', '*.tmp'], { repo });
  t.is(s.source, home);
  t.deepEqual(s.paths, ['deep/er/keep', 'notes.txt', 'w*ld [1].txt', 'work']);
  t.deepEqual(listing(t, repo), ['deep/', 'deep/er/', 'deep/er/keep/', 'deep/er/keep/k.txt', 'notes.txt', 'w*ld [1].txt', 'work/', 'work/src/', 'work/src/a.ts']);
  // a single file
  const one = json(t, ['snapshot', path.join(home, 'notes.txt')], { repo });
  t.is(one.source, home);
  t.deepEqual(one.paths, ['notes.txt']);
  t.is(ok(t, ['cat', `${one.id.slice(0, 8)}:notes.txt`], { repo }), 'notes');
  t.deepEqual(ok(t, ['ls', one.id.slice(0, 8)], { repo }).trim().split('\n'), ['notes.txt']);
  t.regex(ok(t, ['snapshots'], { repo }), /only notes\.txt/);
  // one directory is still the plain snapshot of it
  t.deepEqual(json(t, ['snapshot', path.join(home, 'other')], { repo }).paths, []);
});

test('init --copy-chunker-params: data snapshotted after a copy deduplicates with the copied data', (t) => {
  const from = newRepo(t);
  const base = tmpDir(t);
  const src = tree(t, { 'big.bin': pseudoRandom(6 << 20, 17) });
  ok(t, ['snapshot', src], { repo: from });
  const same = path.join(base, 'same');
  ok(t, ['init', '--repo', same, '--copy-chunker-params', '--from-repo', from]);
  const other = path.join(base, 'other');
  ok(t, ['init', '--repo', other]);
  for (const r of [same, other]) ok(t, ['copy', '--from-repo', from], { repo: r });
  // a second host snapshots the same bytes into each: only with the same chunker are they known
  const s1 = json(t, ['snapshot', src, '--host', 'elsewhere'], { repo: same });
  const s2 = json(t, ['snapshot', src, '--host', 'elsewhere'], { repo: other });
  t.true(s1.bytesAdded < 64 << 10, `same chunker: added ${s1.bytesAdded}`);
  t.true(s2.bytesAdded > 1 << 20, `other chunker: added ${s2.bytesAdded}`);
  const bad = strata(['init', '--repo', path.join(base, 'x'), '--copy-chunker-params']);
  t.is(bad.code, EXIT.USAGE);
});
