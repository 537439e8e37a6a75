// Issue 11, item 8, through the CLI: a snapshot never references a blob known
// to be missing or damaged. A pack file that is gone is noticed by the next
// snapshot; a corrupted blob by `check --read-data` or by a read (restore):
// either way the blob leaves the index and the next snapshot stores it again
// from the source, which heals the older snapshots too (same content, same id).
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { json, newRepo, ok, pseudoRandom, strata, tmpDir, treeDiff, writeTree } from '../helpers/cli.js';

const packFiles = (repo: string) =>
  fs
    .readdirSync(path.join(repo, 'packs'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);

function restoresTo(t: any, repo: string, snap: string, expected: string): void {
  const out = path.join(tmpDir(t), 'out');
  ok(t, ['restore', snap, '--target', out], { repo });
  t.deepEqual(treeDiff(expected, out), [], `snapshot ${snap}`);
}

function source(t: any): string {
  const src = path.join(tmpDir(t), 'src');
  writeTree(src, { 'big.bin': pseudoRandom(3 << 20, 5), 'small.txt': 'hello\n' });
  return src;
}

function flipByte(file: string, at: number): void {
  fs.chmodSync(file, 0o600);
  const fd = fs.openSync(file, 'r+');
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, at);
  b[0] = b[0]! ^ 0x5a;
  fs.writeSync(fd, b, 0, 1, at);
  fs.closeSync(fd);
}

test('a deleted data pack: the next snapshot warns, stores the data again, and every snapshot restores', (t) => {
  const repo = newRepo(t, { plain: true });
  const src = source(t);
  const first = json(t, ['snapshot', src], { repo });
  fs.rmSync(packFiles(repo)[0]!); // the data pack
  const r = strata(['snapshot', src, '--json'], { repo });
  t.is(r.code, EXIT.OK, r.stderr);
  t.regex(r.stderr, /pack file\(s\) of the repository are missing .* dropped from the index/);
  const second = JSON.parse(r.stdout);
  t.true(second.bytesAdded >= 3 << 20, `stored again: ${second.bytesAdded}`);
  restoresTo(t, repo, second.id, src);
  restoresTo(t, repo, first.id, src); // same content, same blob ids: the old snapshot is whole again
  ok(t, ['check', '--read-data'], { repo });
});

test('a corrupted blob found by check --read-data is dropped from the index; the next snapshot stores it again', (t) => {
  const repo = newRepo(t, { plain: true });
  const src = source(t);
  const first = json(t, ['snapshot', src], { repo });
  flipByte(packFiles(repo)[0]!, 1000);
  const c = strata(['check', '--read-data'], { repo });
  t.is(c.code, EXIT.INTEGRITY);
  t.regex(c.stdout, /corrupted/);
  t.regex(c.stderr, /dropped from the index: 1 corrupted blob/);
  const second = json(t, ['snapshot', src], { repo });
  t.true(second.bytesAdded > 0, 'the damaged chunk was stored again');
  restoresTo(t, repo, second.id, src);
  restoresTo(t, repo, first.id, src);
  ok(t, ['check'], { repo });
});

test('a corrupted blob found by a restore is dropped from the index; the next snapshot stores it again', (t) => {
  const repo = newRepo(t, { plain: true });
  const src = source(t);
  const first = json(t, ['snapshot', src], { repo });
  flipByte(packFiles(repo)[0]!, 1000);
  const out = path.join(tmpDir(t), 'out');
  const r = strata(['restore', 'latest', '--target', out], { repo });
  t.is(r.code, EXIT.INTEGRITY, r.stderr);
  t.regex(r.stderr, /corrupted.*dropped from the index/);
  // before the fix the snapshot exited 0 and referenced the damaged blob again
  const second = json(t, ['snapshot', src], { repo });
  t.true(second.bytesAdded > 0);
  restoresTo(t, repo, second.id, src);
  restoresTo(t, repo, first.id, src);
});

test('a lost pack whose source is gone: prune refuses, repair snapshots drops exactly the lost paths, then prune and check pass', (t) => {
  const repo = newRepo(t, { plain: true });
  const src = source(t);
  json(t, ['snapshot', src], { repo });
  const firstPack = packFiles(repo)[0]!; // the data pack of big.bin and small.txt
  fs.writeFileSync(path.join(src, 'later.txt'), 'later\n');
  json(t, ['snapshot', src], { repo }); // later.txt goes to a new pack
  for (const f of ['big.bin', 'small.txt']) fs.rmSync(path.join(src, f)); // the source no longer has them
  fs.rmSync(firstPack);
  t.is(strata(['check'], { repo }).code, EXIT.INTEGRITY);
  const p = strata(['prune'], { repo });
  t.is(p.code, EXIT.INTEGRITY);
  t.regex(p.stderr, /^strata: prune refused, nothing was deleted: .*repair snapshots/);
  const dry = json(t, ['repair', 'snapshots', '--dry-run'], { repo });
  const rs = json(t, ['repair', 'snapshots'], { repo });
  t.is(rs.snapshots.length, 2);
  for (const s of rs.snapshots) t.deepEqual(s.dropped, ['big.bin', 'small.txt']);
  t.deepEqual(rs.snapshots.map((s: any) => s.dropped), dry.snapshots.map((s: any) => s.dropped));
  ok(t, ['prune'], { repo });
  ok(t, ['check', '--read-data'], { repo });
  const out = path.join(tmpDir(t), 'out');
  ok(t, ['restore', 'latest', '--target', out], { repo });
  t.deepEqual(treeDiff(src, out), []); // later.txt alone
  // the manifests record what was left out
  for (const f of fs.readdirSync(path.join(repo, 'snapshots'))) {
    const m = JSON.parse(fs.readFileSync(path.join(repo, 'snapshots', f), 'utf8'));
    t.deepEqual(m.warnings.filter((w: any) => w.code === 'W_REPAIRED').map((w: any) => w.path), ['big.bin', 'small.txt']);
  }
});

test('a corrupted chunk of a file long enough for a chunk-list blob: the next snapshot reads the file again, not the cached list', (t) => {
  // 3 MiB in 64 KiB chunks: ~48 chunks, listed in a chunk-list blob; the stat cache names only the
  // list, which survives the loss of one of its chunks — the cached entry must not be trusted then
  const repo = path.join(tmpDir(t, 'strata-repo-'), 'repo');
  ok(t, ['init', '--repo', repo, '--no-encryption', '--chunk-avg', '64K']);
  const src = source(t);
  const first = json(t, ['snapshot', src], { repo });
  flipByte(packFiles(repo)[0]!, 1000); // the first chunk of big.bin
  const c = strata(['check', '--read-data'], { repo });
  t.is(c.code, EXIT.INTEGRITY);
  t.regex(c.stderr, /dropped from the index: 1 corrupted blob/);
  const second = json(t, ['snapshot', src], { repo });
  t.true(second.filesRead >= 1, `big.bin read again: ${JSON.stringify(second)}`);
  t.true(second.bytesAdded > 0, 'the damaged chunk was stored again');
  ok(t, ['check'], { repo });
  restoresTo(t, repo, second.id, src);
  restoresTo(t, repo, first.id, src);
  const third = json(t, ['snapshot', src], { repo });
  t.is(third.filesRead, 0, 'checked once: the entry is trusted again');
});
