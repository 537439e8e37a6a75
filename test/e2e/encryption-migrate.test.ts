// A format 1 repository (plaintext) keeps working without a password, and
// `strata migrate --to NEW` copies it, every snapshot, into an encrypted one
// (docs/format.md §11.10).
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { json, ok, pseudoRandom, strata, tmpDir, treeDiff, writeTree } from '../helpers/cli.js';

const MARK = 'QXMIGRATEMARKER';
const NOPW = { STRATA_PASSWORD: '', STRATA_PASSWORD_FILE: '', STRATA_PASSWORD_COMMAND: '' };

function grepRepo(dir: string, needle: Buffer): string[] {
  const hits: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = path.join(e.parentPath, e.name);
    if (fs.readFileSync(p).includes(needle)) hits.push(p);
  }
  return hits;
}

test('a format 1 repository is read without a password and migrated into an encrypted one', (t) => {
  const base = tmpDir(t);
  const old = path.join(base, 'old');
  const src = path.join(base, `src-${MARK}`);
  writeTree(src, { [`${MARK}.txt`]: `${MARK} inside\n`.repeat(100), 'big.bin': pseudoRandom(3 << 20, 5) });
  ok(t, ['init', '--repo', old, '--no-encryption', '--compression', '0'], { env: NOPW });
  ok(t, ['snapshot', src], { repo: old, env: NOPW });
  writeTree(src, { 'later.txt': `second ${MARK}\n` });
  ok(t, ['snapshot', src], { repo: old, env: NOPW });
  // make it a format 1 config (what the first release wrote: no "encryption" field, version 1)
  const cfgPath = path.join(old, 'config');
  const cfg = JSON.parse(fs.readFileSync(cfgPath, 'utf8'));
  delete cfg.encryption;
  delete cfg.check; // the integrity check came with format 2
  cfg.version = 1;
  fs.writeFileSync(cfgPath, JSON.stringify(cfg, null, 2) + '\n');
  t.true(grepRepo(old, Buffer.from(MARK)).length > 0, 'the control: plaintext shows the marker');

  // read as it is, with no password at all
  const oldSnaps = json(t, ['snapshots'], { repo: old, env: NOPW });
  t.is(oldSnaps.length, 2);
  const out1 = path.join(base, 'out1');
  ok(t, ['restore', 'latest', '--target', out1], { repo: old, env: NOPW });
  t.deepEqual(treeDiff(src, out1), []);

  // migrate: the new repository's password from --new-password-file
  const pw = path.join(base, 'pw');
  fs.writeFileSync(pw, 'migrated password\n');
  const dst = path.join(base, 'new');
  const m = json(t, ['migrate', '--to', dst, '--new-password-file', pw], { repo: old, env: NOPW });
  t.is(m.snapshots, 2);
  t.is(m.encryption, 'aes-256-gcm');
  t.true(m.blobs >= 3);
  t.deepEqual(grepRepo(dst, Buffer.from(MARK)), []);
  t.is(JSON.parse(fs.readFileSync(cfgPath, 'utf8')).version, 1, 'the source is left as it was');

  const env = { ...NOPW, STRATA_PASSWORD_FILE: pw };
  const newSnaps = json(t, ['snapshots'], { repo: dst, env });
  t.deepEqual(newSnaps.map((s: any) => [s.time, s.source, s.files]), oldSnaps.map((s: any) => [s.time, s.source, s.files]));
  for (const [i, s] of newSnaps.entries()) t.not(s.root, oldSnaps[i].root, 'the root tree has a new (keyed) id');
  t.is(newSnaps[1].parent, newSnaps[0].id, 'parents point at the migrated snapshots');
  const out2 = path.join(base, 'out2');
  ok(t, ['restore', 'latest', '--target', out2], { repo: dst, env });
  t.deepEqual(treeDiff(src, out2), []);
  const first = path.join(base, 'out3');
  ok(t, ['restore', newSnaps[0].id.slice(0, 12), '--target', first], { repo: dst, env });
  t.false(fs.existsSync(path.join(first, 'later.txt')));
  t.regex(ok(t, ['check', '--read-data'], { repo: dst, env }), /no integrity problems found/);
  t.is(strata(['snapshots'], { repo: dst, env: NOPW }).code, 1, 'the new repository needs its password');
  // the same cut points: a new snapshot of the unchanged big file stores almost nothing
  const next = json(t, ['snapshot', src], { repo: dst, env });
  t.true(next.bytesAdded < 256 << 10, `added ${next.bytesAdded}`);
});
