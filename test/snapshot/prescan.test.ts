// src/snapshot/prescan.ts: listings read before the repository is open are what the walk uses,
// the snapshot is the one a walk without them takes, and what is read after file content was
// read, or beyond the bound, is never used.
import test, { type ExecutionContext } from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canScan } from '../../src/snapshot/listing.js';
import { listSnapshots } from '../../src/snapshot/manifest.js';
import { PreScan } from '../../src/snapshot/prescan.js';
import { takeSnapshot } from '../../src/snapshot/snapshotter.js';
import { Repository } from '../../src/store/repository.js';
import { tmpDir, writeTree } from '../helpers/cli.js';

async function setup(t: ExecutionContext): Promise<{ src: string; repo: Repository }> {
  const dir = tmpDir(t);
  const src = path.join(dir, 'src');
  const files: Record<string, string> = {};
  for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) for (let f = 0; f < 3; f++) files[`d${a}/e${b}/f${f}.txt`] = `file ${a}/${b}/${f}\n`;
  files['top.txt'] = 'top\n';
  writeTree(src, files);
  const repo = await Repository.init(path.join(dir, 'repo'));
  t.teardown(() => repo.close());
  return { src, repo };
}

const settle = (p: PreScan) => new Promise<void>((resolve) => {
  const tick = () => (p.stats.read >= 21 ? setTimeout(resolve, 20) : setTimeout(tick, 5));
  tick();
});

/** A prescan of `src` that has read the whole (small) tree. */
const prescanned = async (src: string): Promise<PreScan> => {
  const p = PreScan.start(src)!;
  await settle(p);
  return p;
};

const freshRoot = async (repo: Repository, src: string) => (await takeSnapshot(repo, { source: src, dryRun: true, full: true })).root;

const snap = async (repo: Repository, src: string, prescan: PreScan | null) =>
  takeSnapshot(repo, { source: src, parent: (await listSnapshots(repo)).at(-1) ?? null, prescan });

test('an unchanged tree: every listing comes from the prescan, and the root is the one taken without it', async (t) => {
  if (!canScan()) return t.pass('no addon: PreScan.start gives null');
  const { src, repo } = await setup(t);
  const first = await snap(repo, src, null);
  const p = await prescanned(src);
  t.is(p.stats.read, 1 + 4 + 16, 'root, d*, d*/e* read ahead');
  const second = await snap(repo, src, p);
  t.is(second.root, first.root);
  t.is(p.stats.taken, 21, 'the walk listed nothing itself');
  t.is(p.take(src), undefined, 'stopped when the walk ended');
});

test('changes made after the prescan read the tree: the snapshot is the tree as it was read, the next one sees the changes', async (t) => {
  if (!canScan()) return t.pass('no addon');
  const { src, repo } = await setup(t);
  const first = await snap(repo, src, null);
  const p = await prescanned(src);
  // as if made while the key was being derived: the listings already read are the tree at that moment
  fs.appendFileSync(path.join(src, 'd0', 'e0', 'f0.txt'), 'more\n');
  fs.rmSync(path.join(src, 'd3'), { recursive: true });
  const second = await snap(repo, src, p);
  t.is(second.root, first.root, 'the tree as the prescan read it (consistent: every listing from the same moment)');
  const third = await snap(repo, src, null);
  t.is(third.root, await freshRoot(repo, src), 'nothing is lost: the next snapshot has the changes');
  t.is(third.snapshot!.stats.files, 3 * 16 + 1 - 12);
});

test('once the walk reads file content the prescan stops: later directories are listed afresh', async (t) => {
  if (!canScan()) return t.pass('no addon');
  const { src, repo } = await setup(t);
  await snap(repo, src, null);
  fs.appendFileSync(path.join(src, 'd0', 'e0', 'f0.txt'), 'more\n'); // before the prescan: read first in walk order
  const p = await prescanned(src);
  fs.rmSync(path.join(src, 'd3'), { recursive: true }); // after: d3's listing read ahead must not be used
  const second = await snap(repo, src, p);
  t.is(second.snapshot!.stats.files, 3 * 16 + 1 - 12);
  t.is(second.root, await freshRoot(repo, src));
  t.is(p.take(path.join(src, 'd2')), undefined, 'stopped');
});

test('bounded: no more directories are read once maxEntries entries are held', async (t) => {
  if (!canScan()) return t.pass('no addon');
  const { src } = await setup(t);
  const p = PreScan.start(src, { maxEntries: 5, maxInFlight: 1 })!;
  await new Promise((r) => setTimeout(r, 200));
  t.true(p.stats.read <= 2, `read ${p.stats.read}: the root (5 entries), then at most one more`);
  p.stop();
});

test('a file system mounted below the root is not read ahead (a hung network mount must not tie up the thread pool)', async (t) => {
  if (!canScan()) return t.pass('no addon');
  if (process.getuid?.() !== 0) return t.pass('mounting needs root');
  const { src } = await setup(t);
  const mnt = path.join(src, 'd0', 'mnt');
  fs.mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
  t.teardown(() => {
    spawnSync('umount', ['-l', mnt]);
  });
  fs.mkdirSync(path.join(mnt, 'inside'));
  const p = PreScan.start(src)!;
  await new Promise((r) => setTimeout(r, 300));
  t.is(p.stats.read, 21, 'root, d*, d*/e*: not d0/mnt nor below it');
  t.is(p.take(mnt), undefined);
  t.truthy(p.take(path.join(src, 'd0', 'e0')));
  p.stop();
});
