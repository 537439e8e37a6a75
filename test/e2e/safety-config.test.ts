// Issue 11, item 7, through the CLI: the config carries an integrity check
// (docs/format.md §2); one flipped character in the chunker seed (still valid
// hex, still valid JSON) is refused by every command, `check` included, so no
// snapshot can silently re-chunk everything.
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { json, newRepo, ok, strata, tmpDir, writeTree } from '../helpers/cli.js';

function flipHex(c: string): string {
  return c === '0' ? '1' : '0';
}

test('a flipped character in the chunker seed is detected by every command and by check; nothing is written', (t) => {
  const repo = newRepo(t, { plain: true });
  const src = path.join(tmpDir(t), 'src');
  writeTree(src, { 'a.txt': 'hello\n', 'd/b.txt': 'world\n' });
  const snap = json(t, ['snapshot', src], { repo });
  const cfgPath = path.join(repo, 'config');
  const text = fs.readFileSync(cfgPath, 'utf8');
  const cfg = JSON.parse(text);
  t.regex(cfg.check, /^[0-9a-f]{64}$/, 'init writes the check');
  const seed: string = cfg.chunker.seed;
  const damaged = text.replace(`"seed": "${seed}"`, `"seed": "${seed.slice(0, 5)}${flipHex(seed[5]!)}${seed.slice(6)}"`);
  t.not(damaged, text);
  fs.chmodSync(cfgPath, 0o600);
  fs.writeFileSync(cfgPath, damaged);
  const packsBefore = fs.readdirSync(path.join(repo, 'packs'), { recursive: true }).length;
  const out = path.join(tmpDir(t), 'out');
  const commands: string[][] = [
    ['snapshots'],
    ['snapshot', src],
    ['restore', 'latest', '--target', out],
    ['ls', 'latest'],
    ['cat', 'latest:/a.txt'],
    ['find', 'a.txt'],
    ['diff', snap.id, 'latest'],
    ['log', 'a.txt'],
    ['check'],
    ['check', '--read-data'],
    ['forget', '--keep-last', '1'],
    ['prune'],
    ['repair', 'index'],
    ['watch', src],
  ];
  for (const args of commands) {
    const r = strata(args, { repo });
    t.is(r.code, EXIT.BAD_REPO, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr, /^strata: .*config is damaged: its integrity check does not match/, args.join(' '));
    t.is(r.stderr.trim().split('\n').length, 1, args.join(' '));
  }
  t.is(fs.readdirSync(path.join(repo, 'packs'), { recursive: true }).length, packsBefore, 'nothing was re-stored');
  t.false(fs.existsSync(out));
  // other fields are covered too, and a stray field is refused
  for (const bad of [{ ...cfg, packSize: cfg.packSize + 1 }, { ...cfg, compression: { ...cfg.compression, level: 4 } }, { ...cfg, extra: 1 }, { ...cfg, chunker: { ...cfg.chunker, seed: 'zz' + seed.slice(2) } }]) {
    fs.writeFileSync(cfgPath, JSON.stringify(bad, null, 2));
    const r = strata(['snapshots'], { repo });
    t.is(r.code, EXIT.BAD_REPO, JSON.stringify(bad));
    t.regex(r.stderr, /config is damaged/);
  }
  // the intact config works again; one written before the check existed is still read
  fs.writeFileSync(cfgPath, text);
  ok(t, ['check', '--read-data'], { repo });
  const { check: _c, ...old } = cfg;
  fs.writeFileSync(cfgPath, JSON.stringify(old, null, 2) + '\n');
  ok(t, ['check', '--read-data'], { repo });
  t.is(json(t, ['snapshots'], { repo }).length, 1);
});
