// src/snapshot/known-dirs.ts: a directory announced as created that the dir cache knows (renamed
// inside the source, or re-announced at its own place) is reused without listing it, once its own
// mtime (and ctime at the same place) and every subdirectory's stat prove it; marks below its old
// and new place are applied. Every test compares the root with a fresh full dry run.
import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildDirtyTree, type DirtyMark } from '../../src/snapshot/dirty-tree.js';
import { listSnapshots } from '../../src/snapshot/manifest.js';
import { takeSnapshot, type SnapshotRequest } from '../../src/snapshot/snapshotter.js';
import { Repository } from '../../src/store/repository.js';
import { tmpDir, writeTree } from '../helpers/cli.js';

async function setup(t: ExecutionContext): Promise<{ src: string; repo: Repository }> {
  const dir = tmpDir(t);
  const src = path.join(dir, 'src');
  const files: Record<string, string> = { 'top.txt': 'top\n' };
  for (const a of ['big', 'other']) for (let b = 0; b < 4; b++) for (let c = 0; c < 3; c++) for (let f = 0; f < 3; f++) files[`${a}/m${b}/l${c}/f${f}.txt`] = `${a} ${b} ${c} ${f}\n`;
  fs.mkdirSync(src);
  writeTree(src, files);
  const repo = await Repository.init(path.join(dir, 'repo'));
  t.teardown(() => repo.close());
  await takeSnapshot(repo, { source: src }); // the first snapshot records every directory
  return { src, repo };
}

/** A watch-style snapshot: parent = latest, only the marks are looked at. */
async function snapMarks(repo: Repository, src: string, marks: DirtyMark[], extra: Partial<SnapshotRequest> = {}) {
  const parent = (await listSnapshots(repo)).at(-1)!;
  return takeSnapshot(repo, { source: src, parent, dirty: buildDirtyTree(marks), skipUnchanged: true, ...extra });
}

const fresh = async (repo: Repository, src: string, extra: Partial<SnapshotRequest> = {}) => (await takeSnapshot(repo, { source: src, dryRun: true, full: true, ...extra })).root;

/** What a rename of `from` to `to` in the root makes the watcher mark (watchman, parcel or a rename hint). */
const renameMarks = (from: string, to: string): DirtyMark[] => [{ dir: '', names: [from, to] }, { dir: to, created: true }];

/** What watchman's re-announcement of a moved tree marks: every entry below `to` as created, and its parent's name. */
function floodMarks(src: string, to: string): DirtyMark[] {
  const marks: DirtyMark[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(src, rel), { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      marks.push({ dir: rel, names: [e.name] }, { dir: r, created: true });
      if (e.isDirectory()) walk(r);
    }
  };
  walk(to);
  return marks;
}

test('a renamed directory is reused without listing it, and its subtree keeps its hash', async (t) => {
  const { src, repo } = await setup(t);
  fs.renameSync(path.join(src, 'big'), path.join(src, 'moved'));
  const r = await snapMarks(repo, src, renameMarks('big', 'moved'));
  t.is(r.root, await fresh(repo, src));
  t.is(r.dirsMoved, 1);
  t.is(r.dirsListed, 0, 'nothing re-listed: the root is patched, the moved tree proven by stat');
  t.is(r.snapshot!.stats.bytesRead, 0);
  // watchman's re-announcement of every moved entry: proven again by stat, never re-listed
  const r2 = await snapMarks(repo, src, floodMarks(src, 'moved'));
  t.is(r2.root, r.root);
  t.is(r2.dirsListed, 0);
});

test('marks at the old and at the new place apply to the moved tree', async (t) => {
  const { src, repo } = await setup(t);
  fs.appendFileSync(path.join(src, 'big/m1/l1/f1.txt'), 'before the move\n');
  fs.renameSync(path.join(src, 'big'), path.join(src, 'moved'));
  fs.appendFileSync(path.join(src, 'moved/m2/l0/f0.txt'), 'after the move\n');
  const r = await snapMarks(repo, src, [...renameMarks('big', 'moved'), { dir: 'big/m1/l1', names: ['f1.txt'] }, { dir: 'moved/m2/l0', names: ['f0.txt'] }]);
  t.is(r.root, await fresh(repo, src));
  t.is(r.dirsMoved, 1);
  t.is(r.dirsListed, 0);
});

test('a change whose event comes later is picked up by the snapshot that gets it', async (t) => {
  const { src, repo } = await setup(t);
  fs.renameSync(path.join(src, 'big'), path.join(src, 'moved'));
  fs.appendFileSync(path.join(src, 'moved/m3/l2/f2.txt'), 'not announced yet\n');
  const r = await snapMarks(repo, src, renameMarks('big', 'moved'));
  t.is(r.dirsMoved, 1);
  t.not(r.root, await fresh(repo, src), 'no event for the file yet: the moved tree is as recorded (the events confirm later)');
  const r2 = await snapMarks(repo, src, floodMarks(src, 'moved'));
  t.is(r2.root, await fresh(repo, src));
  t.is(r2.dirsListed, 0);
});

test('a subdirectory whose entries changed is re-listed; the rest of the moved tree is not', async (t) => {
  const { src, repo } = await setup(t);
  fs.renameSync(path.join(src, 'big'), path.join(src, 'moved'));
  fs.writeFileSync(path.join(src, 'moved/m0/l1/new.txt'), 'new, its directory mtime changed\n');
  fs.rmSync(path.join(src, 'moved/m2/l2/f0.txt'));
  const r = await snapMarks(repo, src, renameMarks('big', 'moved'));
  t.is(r.root, await fresh(repo, src));
  t.is(r.dirsMoved, 1);
  t.is(r.dirsListed, 2);
});

test('a directory moved into a new directory, or a new directory under an old name, is read whole', async (t) => {
  const { src, repo } = await setup(t);
  fs.renameSync(path.join(src, 'big'), path.join(src, 'gone'));
  fs.mkdirSync(path.join(src, 'big'));
  fs.writeFileSync(path.join(src, 'big/x.txt'), 'x\n');
  const r = await snapMarks(repo, src, [...renameMarks('big', 'gone'), { dir: '', names: ['big'] }, { dir: 'big', created: true }]);
  t.is(r.root, await fresh(repo, src));
  t.is(r.dirsMoved, 1, 'gone/ is the old big/');
  t.is(r.dirsListed, 1, 'the new big/ is listed');
});

test('with --exclude patterns a moved tree is re-read (exclusion depends on the path)', async (t) => {
  const { src, repo } = await setup(t);
  const exclude = ['moved/m1'];
  fs.renameSync(path.join(src, 'big'), path.join(src, 'moved'));
  const r = await snapMarks(repo, src, renameMarks('big', 'moved'), { exclude });
  t.is(r.root, await fresh(repo, src, { exclude }));
  t.is(r.dirsMoved, 0);
});

test('a directory moved away and back under another name while unwatched is still proven by stat only where stats say so', async (t) => {
  const { src, repo } = await setup(t);
  const outside = path.join(path.dirname(src), 'outside');
  fs.renameSync(path.join(src, 'big'), outside);
  fs.writeFileSync(path.join(outside, 'm1/added.txt'), 'added outside\n');
  fs.renameSync(outside, path.join(src, 'moved'));
  const r = await snapMarks(repo, src, renameMarks('big', 'moved'));
  t.is(r.root, await fresh(repo, src), 'm1 changed its mtime: re-listed');
  t.is(r.dirsListed, 4, 'm1 and its three subdirectories (a re-listed directory is read whole)');
});
