// Issue 11, item 1, through the CLI: retention never removes the newest
// snapshot of a group, a policy that keeps nothing is refused, and every
// destructive command's --dry-run says exactly what the real run then does
// (forget's list, prune's counts and bytes).
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { Repository } from '../../src/store/repository.js';
import { json, ok, pseudoRandom, strata, tmpDir, writeTree } from '../helpers/cli.js';

async function smallRepo(t: any): Promise<string> {
  const repo = path.join(tmpDir(t, 'strata-repo-'), 'repo');
  const r = await Repository.init(repo, { packSize: 256 << 10, chunker: { min: 16 << 10, avg: 32 << 10, max: 128 << 10 } });
  await r.close();
  return repo;
}

test('forget --keep-within 0d/0h/0m/0y is refused and removes nothing, also with --prune; watch refuses it at start', async (t) => {
  const repo = await smallRepo(t);
  const src = path.join(tmpDir(t), 'src');
  writeTree(src, { 'a.bin': pseudoRandom(100 << 10, 1) });
  for (let i = 0; i < 3; i++) {
    fs.writeFileSync(path.join(src, `f${i}.txt`), `v${i}\n`);
    ok(t, ['snapshot', src], { repo });
  }
  const packsBefore = fs.readdirSync(path.join(repo, 'packs'), { recursive: true }).length;
  for (const span of ['0d', '0h', '0m', '0y', '0y0m0d0h']) {
    for (const extra of [[], ['--prune'], ['--dry-run']]) {
      const r = strata(['forget', '--keep-within', span, ...extra], { repo });
      t.is(r.code, EXIT.USAGE, `${span} ${extra}: ${r.stderr}`);
      t.regex(r.stderr, /^strata: .*keep-within.*keeps nothing/);
      t.is(r.stderr.trim().split('\n').length, 1);
    }
  }
  t.is(json(t, ['snapshots'], { repo }).length, 3);
  t.is(fs.readdirSync(path.join(repo, 'packs'), { recursive: true }).length, packsBefore);
  const w = strata(['watch', src, '--keep-within', '0d'], { repo });
  t.is(w.code, EXIT.USAGE, w.stderr);
  t.is(json(t, ['snapshots'], { repo }).length, 3);
  // a real span still works and keeps the newest
  const kept = json(t, ['forget', '--keep-within', '1h'], { repo });
  t.is(kept.groups[0].keep.length, 3);
});

test('forget: the newest snapshot of each group is kept whatever the policy; --dry-run lists exactly what the run removes', async (t) => {
  const repo = await smallRepo(t);
  const srcA = path.join(tmpDir(t), 'srcA');
  const srcB = path.join(tmpDir(t), 'srcB');
  writeTree(srcA, { 'x.txt': 'a\n' });
  writeTree(srcB, { 'y.txt': 'b\n' });
  for (let i = 0; i < 3; i++) {
    fs.writeFileSync(path.join(srcA, 'x.txt'), `a${i}\n`);
    ok(t, ['snapshot', srcA], { repo });
    fs.writeFileSync(path.join(srcB, 'y.txt'), `b${i}\n`);
    ok(t, ['snapshot', srcB], { repo });
  }
  const newest = new Map<string, string>();
  for (const s of json(t, ['snapshots'], { repo })) if (!newest.has(s.source) || newest.get(s.source)! < s.time) newest.set(s.source, s.time);
  const dry = json(t, ['forget', '--keep-last', '1', '--dry-run'], { repo });
  const text = ok(t, ['forget', '--keep-last', '1', '--dry-run'], { repo });
  t.is(dry.removed.length, 4);
  for (const id of dry.removed) t.true(text.includes(id.slice(0, 8)), `text dry run names ${id}`);
  const real = json(t, ['forget', '--keep-last', '1'], { repo });
  t.deepEqual([...real.removed].sort(), [...dry.removed].sort());
  const left = json(t, ['snapshots'], { repo });
  t.is(left.length, 2);
  for (const s of left) t.is(s.time, newest.get(s.source));
});

test('prune --dry-run reports exactly what prune then does: packs deleted, repacked, written, blobs, bytes freed', async (t) => {
  const repo = await smallRepo(t);
  const src = path.join(tmpDir(t), 'src');
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 40; i++) files[`f${i}.bin`] = pseudoRandom(40 << 10, i + 1);
  writeTree(src, files);
  ok(t, ['snapshot', src], { repo });
  for (let i = 0; i < 40; i++) if (i % 4 !== 3) fs.rmSync(path.join(src, `f${i}.bin`));
  writeTree(src, { 'new.bin': pseudoRandom(300 << 10, 99) });
  ok(t, ['snapshot', src], { repo });
  fs.rmSync(path.join(src, 'new.bin'));
  ok(t, ['snapshot', src], { repo });
  ok(t, ['forget', '--keep-last', '1'], { repo });
  // a leftover of a killed writer, old enough to be swept
  const tmp = path.join(repo, 'packs', '.tmp-leftover');
  fs.writeFileSync(tmp, Buffer.alloc(1234));
  fs.utimesSync(tmp, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
  const before = fs.readdirSync(path.join(repo, 'packs'), { recursive: true }).length;
  const dry = json(t, ['prune', '--dry-run'], { repo });
  t.is(fs.readdirSync(path.join(repo, 'packs'), { recursive: true }).length, before, 'a dry run deletes nothing');
  const real = json(t, ['prune'], { repo });
  t.true(real.packsRepacked > 0 && real.packsDeleted > 0, JSON.stringify(real));
  for (const k of ['packsDeleted', 'packsRepacked', 'packsWritten', 'blobsRepacked', 'bytesFreed', 'tempFilesRemoved', 'tempBytesRemoved', 'liveBlobs', 'blobs']) {
    t.is(dry[k], real[k], `${k}: dry run ${dry[k]}, real ${real[k]}`);
  }
  t.deepEqual(dry.packsRemovedIds, real.packsRemovedIds, 'the dry run names exactly the packs prune deletes');
  t.is(real.packsRemovedIds.length, real.packsDeleted + real.packsRepacked);
  for (const id of real.packsRemovedIds) t.false(fs.existsSync(path.join(repo, 'packs', id.slice(0, 2), id)), `pack ${id} deleted`);
  t.false(fs.existsSync(tmp));
  ok(t, ['check', '--read-data'], { repo });
});
