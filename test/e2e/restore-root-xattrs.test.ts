// The source directory's own extended attributes and ACL (kept in the
// manifest's rootMeta, since no tree entry describes the root) come back on
// the restore target; --no-xattrs leaves them out.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { newRepo, ok, tmpDir } from '../helpers/cli.js';

const dump = (p: string) => execFileSync('getfattr', ['--absolute-names', '-d', '-m', '-', p], { encoding: 'utf8' }).split('\n').filter((l) => l && !l.startsWith('#')).sort();

test('the source directory\'s own xattrs and ACL are restored on the target', (t) => {
  const repo = newRepo(t);
  const base = tmpDir(t);
  const src = path.join(base, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'f'), 'f\n');
  execFileSync('setfattr', ['-n', 'user.root-tag', '-v', 'on the root', src]);
  execFileSync('setfacl', ['-m', 'u:nobody:rx', src]);
  ok(t, ['snapshot', src], { repo });
  const out = path.join(base, 'out');
  ok(t, ['restore', 'latest', '--target', out], { repo });
  t.deepEqual(dump(out), dump(src));
  t.true(dump(out).some((l) => l.startsWith('user.root-tag=')));
  const bare = path.join(base, 'bare');
  ok(t, ['restore', 'latest', '--target', bare, '--no-xattrs'], { repo });
  t.deepEqual(dump(bare), []);
});
