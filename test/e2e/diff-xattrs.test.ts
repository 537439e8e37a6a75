// `diff` reports extended attributes that were added, removed or changed on an
// otherwise unchanged file as a metadata change, in text and JSON.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { json, newRepo, ok, tmpDir } from '../helpers/cli.js';

const setfattr = (...args: string[]) => execFileSync('setfattr', args, { stdio: 'pipe' });

test('diff names xattrs added, removed and changed', (t) => {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t), 'src');
  fs.mkdirSync(src);
  const f = path.join(src, 'f.txt');
  fs.writeFileSync(f, 'same bytes\n');
  setfattr('-n', 'user.keep', '-v', 'k', f);
  setfattr('-n', 'user.gone', '-v', 'g', f);
  setfattr('-n', 'user.big', '-v', '0x' + 'ab'.repeat(1500), f);
  const fixed = new Date('2026-01-02T03:04:05Z');
  const pin = () => fs.utimesSync(f, fixed, fixed);
  pin();
  ok(t, ['snapshot', src], { repo });
  setfattr('-x', 'user.gone', f);
  setfattr('-n', 'user.keep', '-v', 'changed', f);
  setfattr('-n', 'user.new', '-v', 'n', f);
  setfattr('-n', 'user.big', '-v', '0x' + 'cd'.repeat(1500), f);
  pin();
  ok(t, ['snapshot', src], { repo });
  const d = json(t, ['diff', 'latest~1', 'latest'], { repo });
  const c = d.find((x: { path: string }) => x.path === 'f.txt');
  t.like(c, { status: 'meta', kind: 'file' });
  t.deepEqual(c.meta.xattrs, ['~user.big', '-user.gone', '~user.keep', '+user.new']);
  t.regex(ok(t, ['diff', 'latest~1', 'latest'], { repo }), /f\.txt.*xattrs ~user\.big -user\.gone ~user\.keep \+user\.new/);
  // same attributes again: no change reported for the file
  ok(t, ['snapshot', src], { repo });
  t.false(json(t, ['diff', 'latest~1', 'latest'], { repo }).some((x: { path: string }) => x.path === 'f.txt'));
});
