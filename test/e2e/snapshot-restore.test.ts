// Round trips through the CLI: snapshot a real tree, restore it, compare.
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { ROOT, duBytes, json, newRepo, ok, pseudoRandom, strata, tmpDir, treeDiff, writeTree } from '../helpers/cli.js';

function seedTree(root: string): void {
  writeTree(root, {
    'README.md': '# hello\n',
    'src/main.ts': 'console.log(1)\n',
    'src/lib/util.ts': 'export const x = 1;\n',
    'src/lib/data.bin': pseudoRandom(3 << 20, 7),
    'docs/a b c.txt': 'spaces in names\n',
    'docs/ünïcødé.txt': 'unicode\n',
    'empty.txt': '',
  });
  fs.mkdirSync(path.join(root, 'empty-dir'));
  fs.mkdirSync(path.join(root, 'nested/empty/dirs'), { recursive: true });
  fs.symlinkSync('src/main.ts', path.join(root, 'link-to-main'));
  fs.symlinkSync('/nonexistent/target', path.join(root, 'dangling'));
  fs.chmodSync(path.join(root, 'src/main.ts'), 0o755);
  fs.chmodSync(path.join(root, 'README.md'), 0o600);
  fs.chmodSync(path.join(root, 'docs'), 0o750);
  fs.writeFileSync(Buffer.concat([Buffer.from(root + '/raw-'), Buffer.from([0xff, 0xfe]), Buffer.from('.txt')]), 'latin1 name\n');
  fs.utimesSync(path.join(root, 'src/lib/util.ts'), new Date('2020-01-02T03:04:05.678Z'), new Date('2020-01-02T03:04:05.678Z'));
}

test('round trip: contents, modes, mtimes, symlinks, empty dirs, odd names', (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  fs.mkdirSync(src);
  seedTree(src);
  const snap = json(t, ['snapshot', src], { repo });
  t.regex(snap.id, /^[0-9a-f]{64}$/);
  for (const k of ['id', 'root', 'time', 'source', 'files', 'dirs', 'bytes', 'bytesRead', 'bytesAdded', 'dirsScanned', 'durationMs']) t.true(k in snap, k);
  t.is(snap.files, 8);
  t.is(snap.source, fs.realpathSync(src));
  const out = path.join(tmpDir(t), 'out');
  ok(t, ['restore', 'latest', '--target', out], { repo });
  t.deepEqual(treeDiff(src, out, { mtimes: true }), []);
  const list = json(t, ['snapshots'], { repo });
  t.is(list.length, 1);
  t.is(list[0].id, snap.id);
});

test('subtree and single-file restore, ls and cat', (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  seedTree(src);
  ok(t, ['snapshot', src], { repo });
  const sub = path.join(tmpDir(t), 'sub');
  ok(t, ['restore', 'latest:src/lib', '--target', sub], { repo });
  t.deepEqual(fs.readdirSync(sub).sort(), ['data.bin', 'util.ts']);
  t.true(fs.readFileSync(path.join(sub, 'data.bin')).equals(fs.readFileSync(path.join(src, 'src/lib/data.bin'))));
  const one = path.join(tmpDir(t), 'one');
  ok(t, ['restore', 'latest:src/main.ts', '--target', one], { repo });
  t.deepEqual(fs.readdirSync(one), ['main.ts']);
  t.is(fs.statSync(path.join(one, 'main.ts')).mode & 0o777, 0o755);
  t.is(ok(t, ['cat', 'latest:src/main.ts'], { repo }), 'console.log(1)\n');
  const big = strata(['cat', 'latest:src/lib/data.bin'], { repo });
  t.true(big.stdoutBuf.equals(fs.readFileSync(path.join(src, 'src/lib/data.bin'))));
  t.deepEqual(ok(t, ['ls', 'latest:src/lib'], { repo }).trim().split('\n'), ['data.bin', 'util.ts']);
  const ls = json(t, ['ls', 'latest:src'], { repo });
  t.deepEqual(
    ls.map((e: any) => [e.name, e.kind]),
    [
      ['lib', 'dir'],
      ['main.ts', 'file'],
    ],
  );
  const id = json(t, ['snapshots'], { repo })[0].id as string;
  t.is(ok(t, ['cat', `${id.slice(0, 6)}:README.md`], { repo }), '# hello\n');
});

test('second snapshot of an unchanged tree reads nothing and adds < 64 KiB', (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  seedTree(src);
  for (let i = 0; i < 200; i++) writeTree(src, { [`many/f${i}.txt`]: `file ${i}\n` });
  ok(t, ['snapshot', src], { repo });
  const before = duBytes(repo);
  const s2 = json(t, ['snapshot', src], { repo });
  t.is(s2.bytesRead, 0);
  t.true(s2.unchanged);
  t.true(duBytes(repo) - before < 64 * 1024, `grew ${duBytes(repo) - before}`);
  t.is(json(t, ['snapshots'], { repo }).length, 2);
});

test('a renamed directory of 1,000 files re-reads 0 content bytes', (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  for (let i = 0; i < 1000; i++) writeTree(src, { [`dir1/sub${i % 10}/f${i}.txt`]: `content of file ${i}\n`.repeat(10) });
  ok(t, ['snapshot', src], { repo });
  fs.renameSync(path.join(src, 'dir1'), path.join(src, 'dir2'));
  const s = json(t, ['snapshot', src], { repo });
  t.is(s.bytesRead, 0);
  t.is(s.files, 1000);
  t.true(s.bytesAdded < 64 * 1024);
  t.deepEqual(ok(t, ['ls', 'latest'], { repo }).trim().split('\n'), ['dir2/']);
});

test('a 1 MiB edit in the middle of a 64 MiB file adds < 4 MiB', (t) => {
  // the default chunker parameters with a fixed seed (the committed fixture's), so the cut points and
  // the growth are the same in every run: a random seed puts it above 4 MiB a few percent of the time
  const repo = path.join(tmpDir(t, 'strata-repo-'), 'repo');
  ok(t, ['init', '--repo', repo, '--copy-chunker-params', '--from-repo', path.join(ROOT, 'test/fixtures/format1-repo')]);
  const src = path.join(tmpDir(t), 'src');
  fs.mkdirSync(src);
  const f = path.join(src, 'big.bin');
  const data = pseudoRandom(64 << 20, 3);
  fs.writeFileSync(f, data);
  ok(t, ['snapshot', src], { repo });
  const before = duBytes(repo);
  pseudoRandom(1 << 20, 99).copy(data, 32 << 20);
  fs.writeFileSync(f, data);
  const s = json(t, ['snapshot', src], { repo });
  const grew = duBytes(repo) - before;
  t.log(`repo grew ${grew} bytes`);
  t.true(grew < 4 << 20, `repo grew ${grew}`);
  t.is(s.bytesRead, 64 << 20);
  t.true(strata(['cat', 'latest:big.bin'], { repo }).stdoutBuf.equals(data));
});

test('a corrupted pack byte is detected on restore', (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  writeTree(src, { 'a.bin': pseudoRandom(200_000, 5) });
  ok(t, ['snapshot', src], { repo });
  // flip a byte inside the data pack (the larger one), after its header
  const packs: string[] = [];
  const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : packs.push(path.join(d, e.name))));
  walk(path.join(repo, 'packs'));
  const pack = packs.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0]!;
  const buf = fs.readFileSync(pack);
  buf[1000] ^= 0xff;
  fs.chmodSync(pack, 0o600);
  fs.writeFileSync(pack, buf);
  const r = strata(['restore', 'latest', '--target', path.join(tmpDir(t), 'out')], { repo });
  t.not(r.code, 0);
  t.regex(r.stderr, /corrupt/i);
  t.regex(r.stderr, /a\.bin/);
  const c = strata(['cat', 'latest:a.bin'], { repo });
  t.not(c.code, 0);
});

test('not a repository: clear error and exit 10 (EXIT.NO_REPO); unknown version refused', (t) => {
  const d = tmpDir(t);
  const r = strata(['snapshots', '--repo', d]);
  t.is(r.code, EXIT.NO_REPO);
  t.regex(r.stderr, /not a strata repository/);
  const repo = newRepo(t);
  const cfg = JSON.parse(fs.readFileSync(path.join(repo, 'config'), 'utf8'));
  cfg.version = 99;
  fs.chmodSync(path.join(repo, 'config'), 0o600);
  fs.writeFileSync(path.join(repo, 'config'), JSON.stringify(cfg));
  const r2 = strata(['snapshots', '--repo', repo]);
  t.is(r2.code, EXIT.BAD_REPO);
  t.regex(r2.stderr, /version 99/);
  const r3 = strata(['snapshots'], { env: { STRATA_REPO: '' } });
  t.is(r3.code, 2);
});
