// src/snapshot/dir-builder.ts, the listing-digest fast path of full scans: a directory whose
// listing (names, lstat fields, subdirectory subtrees, rules) matches the digest recorded for it
// reuses its old subtree without looking at any file. Every test checks that the root equals a
// fresh full dry run (which never uses the fast path or the stat cache) and that changed data is
// actually picked up.
import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as fsModule from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import * as path from 'node:path';
import { useNativeScan } from '../../src/snapshot/listing.js';
import { listSnapshots } from '../../src/snapshot/manifest.js';
import { takeSnapshot, type SnapshotRequest } from '../../src/snapshot/snapshotter.js';
import { Repository } from '../../src/store/repository.js';
import { resolvePath } from '../../src/tree/trees.js';
import { fileChunks } from '../../src/tree/trees.js';
import { rootEntry } from '../../src/snapshot/manifest.js';
import { tmpDir, writeTree } from '../helpers/cli.js';

async function setup(t: ExecutionContext, files: Record<string, string | Buffer> = defaultTree()): Promise<{ src: string; repo: Repository }> {
  const dir = tmpDir(t);
  const src = path.join(dir, 'src');
  fs.mkdirSync(src);
  writeTree(src, files);
  const repo = await Repository.init(path.join(dir, 'repo'));
  t.teardown(() => repo.close());
  return { src, repo };
}

function defaultTree(): Record<string, string | Buffer> {
  const files: Record<string, string> = {};
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) for (let f = 0; f < 4; f++) files[`d${a}/e${b}/f${f}.txt`] = `file ${a}/${b}/${f}\n`;
  files['top.txt'] = 'top\n';
  files['deep/x/y/z/w/leaf.txt'] = 'leaf v1\n';
  return files;
}

/** A one-shot snapshot as the CLI takes it: parent = latest, no dirty set (full scan). */
async function snap(repo: Repository, src: string, extra: Partial<SnapshotRequest> = {}) {
  const parent = (await listSnapshots(repo)).at(-1) ?? null;
  const notices: string[] = [];
  const r = await takeSnapshot(repo, { source: src, parent, onNotice: (n) => notices.push(`${n.code} ${n.path}`), ...extra });
  return { ...r, notices };
}

async function freshRoot(repo: Repository, src: string, extra: Partial<SnapshotRequest> = {}): Promise<string> {
  return (await takeSnapshot(repo, { source: src, dryRun: true, full: true, ...extra })).root;
}

async function content(repo: Repository, r: { snapshot: unknown }, rel: string): Promise<string> {
  const s = r.snapshot as Parameters<typeof rootEntry>[0];
  const e = await resolvePath(repo, rootEntry(s), rel);
  const parts: Buffer[] = [];
  for (const h of await fileChunks(repo, e.content!)) parts.push(await repo.getBlob(h));
  return Buffer.concat(parts).toString();
}

const DIRS = 1 + 3 + 9 + 5; // root, d*, d*/e*, deep/x/y/z/w

test('an unchanged tree is reused directory by directory, with no file read or looked up', async (t) => {
  const { src, repo } = await setup(t);
  const first = await snap(repo, src);
  t.is(first.dirsReused, 0);
  const second = await snap(repo, src);
  t.is(second.root, first.root);
  t.is(second.dirsScanned, DIRS);
  t.is(second.dirsReused, DIRS);
  t.is(second.snapshot!.stats.filesRead, 0);
  t.is(second.snapshot!.stats.files, first.snapshot!.stats.files);
  t.is(second.snapshot!.stats.bytes, first.snapshot!.stats.bytes);
  t.is(second.root, await freshRoot(repo, src));
});

test('a file rewritten with the same size and its mtime restored is picked up through ctime', async (t) => {
  const { src, repo } = await setup(t);
  const f = path.join(src, 'd1/e2/f3.txt');
  fs.utimesSync(f, 1_600_000_000, 1_600_000_000); // whole seconds: utimes can restore them exactly
  await snap(repo, src);
  const before = fs.statSync(f, { bigint: true });
  fs.writeFileSync(f, 'FILE 1/2/3\n'); // same length
  fs.utimesSync(f, 1_600_000_000, 1_600_000_000);
  const after = fs.statSync(f, { bigint: true });
  t.is(after.size, before.size);
  t.is(after.mtimeNs, before.mtimeNs);
  t.not(after.ctimeNs, before.ctimeNs);
  const r = await snap(repo, src);
  t.is(r.snapshot!.stats.filesRead, 1);
  t.is(await content(repo, r, 'd1/e2/f3.txt'), 'FILE 1/2/3\n');
  t.is(r.root, await freshRoot(repo, src));
  // d1/e2, d1 and the root were rebuilt; the rest reused
  t.is(r.dirsReused, DIRS - 3);
});

test('a file changed deep in an otherwise unchanged tree', async (t) => {
  const { src, repo } = await setup(t);
  await snap(repo, src);
  fs.appendFileSync(path.join(src, 'deep/x/y/z/w/leaf.txt'), 'v2\n');
  const r = await snap(repo, src);
  t.is(r.snapshot!.stats.filesRead, 1);
  t.is(await content(repo, r, 'deep/x/y/z/w/leaf.txt'), 'leaf v1\nv2\n');
  t.is(r.root, await freshRoot(repo, src));
  t.is(r.dirsReused, DIRS - 6);
  const again = await snap(repo, src);
  t.is(again.dirsReused, DIRS);
  t.is(again.root, r.root);
});

test('a renamed directory, and two directories swapped by rename', async (t) => {
  const { src, repo } = await setup(t);
  await snap(repo, src);
  fs.renameSync(path.join(src, 'd0'), path.join(src, 'renamed'));
  let r = await snap(repo, src);
  t.is(r.root, await freshRoot(repo, src));
  t.is(r.snapshot!.stats.filesRead, 0);
  t.is(r.dirsReused, DIRS - 1, 'only the root (its names changed) is rebuilt: the renamed tree is reused by its digests');
  t.is(await content(repo, r, 'renamed/e1/f2.txt'), 'file 0/1/2\n');
  t.is((await snap(repo, src)).dirsReused, DIRS, 're-recorded at its new path');
  // swap d1/e0 and d2/e0: same inodes, each at the other's path
  fs.renameSync(path.join(src, 'd1/e0'), path.join(src, 'tmp'));
  fs.renameSync(path.join(src, 'd2/e0'), path.join(src, 'd1/e0'));
  fs.renameSync(path.join(src, 'tmp'), path.join(src, 'd2/e0'));
  r = await snap(repo, src);
  t.is(r.root, await freshRoot(repo, src));
  t.is(await content(repo, r, 'd1/e0/f0.txt'), 'file 2/0/0\n');
  t.is(await content(repo, r, 'd2/e0/f0.txt'), 'file 1/0/0\n');
});

test('a directory replaced by another one with the same names and sizes', async (t) => {
  const { src, repo } = await setup(t);
  await snap(repo, src);
  const d = path.join(src, 'd2/e2');
  fs.rmSync(d, { recursive: true });
  writeTree(src, { 'd2/e2/f0.txt': 'FILE 2/2/0\n', 'd2/e2/f1.txt': 'FILE 2/2/1\n', 'd2/e2/f2.txt': 'FILE 2/2/2\n', 'd2/e2/f3.txt': 'FILE 2/2/3\n' });
  const r = await snap(repo, src);
  t.is(await content(repo, r, 'd2/e2/f1.txt'), 'FILE 2/2/1\n');
  t.is(r.root, await freshRoot(repo, src));
});

test('metadata-only changes (chmod, chown-like utimes on a dir, a new empty file) are seen', async (t) => {
  const { src, repo } = await setup(t);
  await snap(repo, src);
  fs.chmodSync(path.join(src, 'd0/e0/f0.txt'), 0o600);
  fs.utimesSync(path.join(src, 'd1'), new Date('2021-01-01'), new Date('2021-01-01'));
  fs.writeFileSync(path.join(src, 'd2/e1/new.txt'), '');
  fs.symlinkSync('target', path.join(src, 'deep/x/link'));
  const r = await snap(repo, src);
  t.is(r.root, await freshRoot(repo, src));
  t.not(r.root, (await listSnapshots(repo)).at(-2)!.root);
});

test('.strataignore edits and --exclude changes re-evaluate exclusion below', async (t) => {
  const { src, repo } = await setup(t);
  await snap(repo, src);
  // an ignore file at the top changes what is excluded deep down, where no listing changed
  fs.writeFileSync(path.join(src, '.strataignore'), 'f1.txt\n');
  let r = await snap(repo, src);
  t.is(r.root, await freshRoot(repo, src));
  t.is(r.snapshot!.stats.files, 3 * 3 * 3 + 3); // f1.txt gone; .strataignore counts
  // same size, mtime restored: the ignore text still counts (ctime)
  const ig = path.join(src, '.strataignore');
  const st = fs.statSync(ig);
  fs.writeFileSync(ig, 'f2.txt\n');
  fs.utimesSync(ig, st.atime, st.mtime);
  r = await snap(repo, src);
  t.is(r.root, await freshRoot(repo, src));
  await t.throwsAsync(() => content(repo, r, 'd0/e0/f2.txt'));
  t.is(await content(repo, r, 'd0/e0/f1.txt'), 'file 0/0/1\n');
  // --exclude
  r = await snap(repo, src, { exclude: ['e1/'] });
  t.is(r.root, await freshRoot(repo, src, { exclude: ['e1/'] }));
  t.is(r.snapshot!.stats.dirs, DIRS - 1 - 3);
  r = await snap(repo, src);
  t.is(r.root, await freshRoot(repo, src));
});

test('after a prune removed blobs (epoch bump) nothing is reused until records are rewritten', async (t) => {
  const { src, repo } = await setup(t);
  await snap(repo, src);
  t.is((await snap(repo, src)).dirsReused, DIRS);
  repo.index.bumpPruneEpoch();
  const r = await snap(repo, src);
  t.is(r.dirsReused, 0);
  t.is(r.root, await freshRoot(repo, src));
  t.is((await snap(repo, src)).dirsReused, DIRS);
});

test('dry runs and --full never write directory records', async (t) => {
  const { src, repo } = await setup(t);
  await takeSnapshot(repo, { source: src, dryRun: true });
  t.is(repo.index.dirCache.getCount(), 0);
  await snap(repo, src, { full: true });
  const r = await snap(repo, src, { full: true });
  t.is(r.dirsReused, 0);
  t.is(r.snapshot!.stats.filesRead, r.snapshot!.stats.files);
  t.is((await snap(repo, src)).dirsReused, DIRS);
});

test('a directory with warnings is never reused, so every snapshot repeats them', async (t) => {
  const { src, repo } = await setup(t);
  fs.writeFileSync(Buffer.concat([Buffer.from(src + '/d0/raw-'), Buffer.from([0xff]), Buffer.from('.txt')]), 'latin1\n');
  const first = await snap(repo, src);
  const second = await snap(repo, src);
  t.deepEqual(second.notices, first.notices);
  t.is(second.notices.length, 1);
  t.is(second.snapshot!.warningCount, 1);
  t.is(second.root, first.root);
  t.is(second.root, await freshRoot(repo, src));
  t.is(second.dirsReused, DIRS - 1); // d0 is rebuilt (same subtree again, so the root is reused)
});

test('an abandoned snapshot leaves no directory records behind', async (t) => {
  const { src, repo } = await setup(t);
  const ac = new AbortController();
  ac.abort();
  await t.throwsAsync(() => snap(repo, src, { signal: ac.signal }), { message: /abandoned/ });
  await repo.index.env.flushed;
  t.is(repo.index.dirCache.getCount(), 0);
});

test('a file that vanishes between listing and lstat: its directory is not recorded as clean', async (t) => {
  const { src, repo } = await setup(t);
  await snap(repo, src);
  const victim = path.join(src, 'd0/e1/f1.txt');
  // the race is injected into lstatSync: list the JS way (the addon's scanDir lstats in C; its
  // handling of such an entry is checked in listing.test.ts)
  useNativeScan(false);
  t.teardown(() => useNativeScan(true));
  const real = fsModule.default.lstatSync;
  fsModule.default.lstatSync = ((p: fs.PathLike, o?: fs.StatSyncOptions) => {
    if (p.toString() === victim && fs.existsSync(victim)) fs.unlinkSync(victim);
    return real(p, o as fs.StatSyncOptions);
  }) as typeof fs.lstatSync;
  syncBuiltinESMExports();
  let r;
  try {
    r = await snap(repo, src);
  } finally {
    fsModule.default.lstatSync = real;
    syncBuiltinESMExports();
  }
  t.deepEqual(r.notices, ['ENOENT d0/e1/f1.txt']);
  // (d0 was listed before the unlink changed d0/e1's mtime: that snapshot still has the old one)
  const again = await snap(repo, src);
  t.deepEqual(again.notices, []);
  t.is(again.root, await freshRoot(repo, src));
  t.is(again.dirsReused, DIRS - 3); // d0/e1 (not recorded as clean), d0 (its mtime), the root
  const third = await snap(repo, src);
  t.is(third.dirsReused, DIRS);
  t.is(third.root, again.root);
});

test('files added and removed again between snapshots: same listing, reused', async (t) => {
  const { src, repo } = await setup(t);
  await snap(repo, src);
  fs.writeFileSync(path.join(src, 'd0/tmp.txt'), 'x');
  fs.rmSync(path.join(src, 'd0/tmp.txt'));
  const again = await snap(repo, src);
  t.is(again.root, await freshRoot(repo, src));
  t.is(again.dirsReused, DIRS - 1); // only the root: d0's own mtime changed
});
