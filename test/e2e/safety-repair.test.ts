// Issue 11, item 3, through the CLI: repair salvages. A pack whose entry
// table is damaged (one flipped byte) or which is truncated is scanned blob
// by blob and every blob whose bytes verify is kept; the new index is built
// aside and swapped in only when complete; what each snapshot lost is named;
// `repair snapshots` rewrites snapshots that reference lost data, naming every
// path it drops. And a kill -9 at every step of either repair leaves the
// previous state or one every command refuses clearly.
import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { CLI, json, newRepo, ok, pseudoRandom, strata, tmpDir, treeDiff, writeTree } from '../helpers/cli.js';

const packFiles = (repo: string) =>
  fs
    .readdirSync(path.join(repo, 'packs'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);

function restores(t: any, repo: string, snap: string, expected: string, msg = ''): void {
  const out = path.join(tmpDir(t), 'out');
  const r = strata(['restore', snap, '--target', out], { repo });
  t.is(r.code, EXIT.OK, `${msg} restore ${snap}: ${r.stderr}`);
  t.deepEqual(treeDiff(expected, out), [], `${msg} snapshot ${snap}`);
}

/** Two sources sharing chunks, three snapshots, everything in one data pack. */
function setup(t: any, plain = true): { repo: string; a: string; b: string; aCopy: string; snaps: string[] } {
  const repo = newRepo(t, { plain });
  const base = tmpDir(t);
  const a = path.join(base, 'a');
  const b = path.join(base, 'b');
  const shared = pseudoRandom(2 << 20, 7);
  const files: Record<string, Buffer | string> = { 'shared.bin': shared, 'notes.txt': 'a\n' };
  for (let i = 0; i < 12; i++) files[`d${i % 3}/f${i}.bin`] = pseudoRandom(200 << 10, 100 + i);
  writeTree(a, files);
  writeTree(b, { 'copy-of-shared.bin': shared, 'own.bin': pseudoRandom(300 << 10, 9) });
  const snaps = [json(t, ['snapshot', a], { repo }).id];
  const aCopy = path.join(base, 'a-v1');
  fs.cpSync(a, aCopy, { recursive: true });
  snaps.push(json(t, ['snapshot', b], { repo }).id);
  fs.writeFileSync(path.join(a, 'notes.txt'), 'a, changed\n');
  snaps.push(json(t, ['snapshot', a], { repo }).id);
  return { repo, a, b, aCopy, snaps };
}

function flipTableByte(pack: string, entry: number, field: number): void {
  fs.chmodSync(pack, 0o600);
  const buf = fs.readFileSync(pack);
  const n = buf.readUInt32LE(buf.length - 44);
  const at = buf.length - 44 - 48 * n + 48 * entry + field;
  buf[at] ^= 0x01;
  fs.writeFileSync(pack, buf);
}

test('one flipped byte in a data pack entry table: repair index keeps every blob, every snapshot restores', (t) => {
  const { repo, a, b, aCopy, snaps } = setup(t);
  flipTableByte(packFiles(repo)[0]!, 3, 7); // a hash byte of the 4th entry
  const r = strata(['repair', 'index'], { repo });
  t.is(r.code, EXIT.OK, r.stdout + r.stderr);
  t.regex(r.stdout, /salvaged pack [0-9a-f]{16} \(.*trailer checksum mismatch\): kept \d+ blobs that verify/);
  restores(t, repo, snaps[0]!, aCopy);
  restores(t, repo, snaps[1]!, b);
  restores(t, repo, snaps[2]!, a);
  ok(t, ['check', '--read-data'], { repo });
});

/** Cut the first data pack to 60 % and run `repair index --json`: exit 4, one pack salvaged; its report. */
function truncateFirstPackAndRepair(t: ExecutionContext, repo: string): any {
  const pack = packFiles(repo)[0]!;
  fs.chmodSync(pack, 0o600);
  fs.truncateSync(pack, Math.floor(fs.statSync(pack).size * 0.6));
  const r = strata(['repair', 'index', '--json'], { repo });
  t.is(r.code, EXIT.INTEGRITY, r.stderr);
  const rep = JSON.parse(r.stdout);
  t.is(rep.packsSalvaged.length, 1);
  return rep;
}

test('a truncated data pack: repair keeps the intact blobs, names per snapshot what is lost; repair snapshots drops exactly those paths', (t) => {
  const { repo, a, b, snaps } = setup(t);
  const rep = truncateFirstPackAndRepair(t, repo);
  t.true(rep.packsSalvaged[0].kept > 0, 'blobs wholly inside the truncated copy are kept');
  const lost = new Map<string, string[]>(rep.snapshotsDamaged.map((s: any) => [s.snapshot, s.paths]));
  t.true(lost.size >= 1);
  // the text form names the paths too
  const dry = strata(['repair', 'snapshots', '--dry-run'], { repo });
  t.is(dry.code, EXIT.OK, dry.stderr);
  for (const [, paths] of lost) for (const p of paths) t.true(dry.stdout.includes(p.replace(/^\//, '')), `dry run names ${p}`);
  t.is(json(t, ['snapshots'], { repo }).length, 3, 'a dry run changes nothing');
  const dryJson = JSON.parse(strata(['repair', 'snapshots', '--dry-run', '--json'], { repo }).stdout);
  const done = json(t, ['repair', 'snapshots'], { repo });
  t.deepEqual(done.snapshots.map((s: any) => s.dropped), dryJson.snapshots.map((s: any) => s.dropped), 'the dry run lists exactly what is dropped');
  t.is(done.snapshots.length, lost.size);
  ok(t, ['check', '--read-data'], { repo });
  // every repaired snapshot restores, and holds exactly the source minus the dropped paths
  for (const s of done.snapshots) {
    const out = path.join(tmpDir(t), 'out');
    ok(t, ['restore', s.newId, '--target', out], { repo });
    const src = s.source === a ? (s.snapshot === snaps[0] ? null : a) : b;
    for (const p of s.dropped) t.false(fs.existsSync(path.join(out, p)), `${p} left out`);
    if (src) {
      const diff = treeDiff(src, out).filter((d) => !s.dropped.some((p: string) => d.includes(path.basename(p.replace(/\/$/, '')))));
      t.deepEqual(diff.filter((d) => !d.startsWith('notes.txt') && !d.includes('entries differ')), [], `snapshot ${s.newId}`);
    }
  }
  const again = json(t, ['repair', 'snapshots'], { repo });
  t.deepEqual(again.snapshots, [], 'nothing left to repair');
});

test('a truncated pack of an encrypted repository: repair keeps the sealed blobs that still open (the old index segments name them)', (t) => {
  const { repo, snaps } = setup(t, false);
  const rep = truncateFirstPackAndRepair(t, repo);
  t.true(rep.packsSalvaged[0].kept > 0, 'sealed blobs wholly inside the truncated copy are kept');
  const done = json(t, ['repair', 'snapshots'], { repo });
  t.true(done.snapshots.length >= 1);
  ok(t, ['check', '--read-data'], { repo });
  for (const s of done.snapshots) ok(t, ['restore', s.newId, '--target', path.join(tmpDir(t), 'out')], { repo });
  t.is(json(t, ['snapshots'], { repo }).length, snaps.length);
});
