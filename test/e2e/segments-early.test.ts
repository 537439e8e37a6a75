// A snapshot with many new blobs writes index segments as it goes (store/repository.ts
// SEGMENT_EARLY_BLOBS, here lowered by STRATA_SEGMENT_BLOBS): memory stays bounded on a first
// snapshot of millions of files, and the repository is the same as with one segment at the end.
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { json, newRepo, ok, pseudoRandom, tmpDir, treeDiff, writeTree } from '../helpers/cli.js';

test('segments written during a snapshot: several segments, check passes, a cold cache restores', (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  const files: Record<string, Buffer> = {};
  // 600 × 64 KiB of incompressible data: several data packs fill and are flushed during the walk
  for (let i = 0; i < 600; i++) files[`d${i % 6}/f${i}.bin`] = pseudoRandom(64 << 10, i + 1);
  writeTree(src, files);
  const env = { STRATA_SEGMENT_BLOBS: '40', STRATA_CACHE_DIR: path.join(tmpDir(t), 'cache-a') };
  const s = json(t, ['snapshot', src], { repo, env });
  t.is(s.files, 600);
  const segments = fs.readdirSync(path.join(repo, 'index'));
  t.true(segments.length >= 3, `${segments.length} segment(s): packs published during the walk, not all at the end`);
  const other = newRepo(t);
  ok(t, ['snapshot', src], { repo: other });
  t.is(fs.readdirSync(path.join(other, 'index')).length, 1, 'by default, this small snapshot writes one segment at the end');
  ok(t, ['check', '--read-data'], { repo, env });
  const out = path.join(tmpDir(t), 'out');
  ok(t, ['restore', 'latest', '--target', out], { repo, env: { STRATA_CACHE_DIR: path.join(tmpDir(t), 'cache-b') } });
  t.deepEqual(treeDiff(src, out), []);
});
