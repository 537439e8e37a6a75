// Trees of version 1 (written before the entry extensions of docs/format.md
// §6.1a) restore as before: the same bytes, modes and mtimes, no links, no
// xattrs, atime = mtime. The old snapshot is made by rewriting a new one's
// trees without their extension records (which encodes them as version 1).
import test from 'ava';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { listSnapshots, saveManifest } from '../../src/snapshot/manifest.js';
import { Repository } from '../../src/store/repository.js';
import { TREE_VERSION, encodeTree, type TreeEntry } from '../../src/tree/codec.js';
import { loadTree, repoTreeSink } from '../../src/tree/trees.js';
import { newRepo, ok, strata, tmpDir, writeTree } from '../helpers/cli.js';

async function stripped(repo: Repository, tree: Buffer): Promise<Buffer> {
  const out: TreeEntry[] = [];
  for (const e of await loadTree(repo, tree)) {
    const { atimeNs: _a, link: _l, xattrs: _x, sparse: _s, changed: _c, ...old } = e;
    if (old.kind === 'dir') old.subtree = await stripped(repo, old.subtree!);
    out.push(old);
  }
  if (encodeTree(out)[4] !== TREE_VERSION) throw new Error('not a version 1 tree');
  return (await repoTreeSink(repo, repo.ids).saveTree(out)).hash;
}

test('a snapshot of version 1 trees restores as before', async (t) => {
  const repoPath = newRepo(t, { plain: true });
  const src = path.join(tmpDir(t), 'src');
  writeTree(src, { 'a.txt': 'hello\n', 'd/b.bin': Buffer.alloc(5000, 3) });
  fs.linkSync(path.join(src, 'a.txt'), path.join(src, 'd/a-link'));
  execFileSync('setfattr', ['-n', 'user.k', '-v', 'v', path.join(src, 'a.txt')]);
  ok(t, ['snapshot', src], { repo: repoPath });

  const repo = await Repository.open(repoPath);
  try {
    const snap = (await listSnapshots(repo)).at(-1)!;
    const root = await stripped(repo, Buffer.from(snap.root, 'hex'));
    await repo.flush();
    await saveManifest(repo, { ...snap, id: undefined, root: root.toString('hex'), time: new Date(Date.parse(snap.time) + 1000).toISOString(), parent: null } as never);
  } finally {
    await repo.close();
  }

  const out = path.join(tmpDir(t), 'out');
  const r = strata(['restore', 'latest', '--target', out], { repo: repoPath });
  t.is(r.code, EXIT.OK, r.stderr);
  const a = fs.statSync(path.join(out, 'a.txt'), { bigint: true }); // before reading it (relatime)
  t.is(fs.readFileSync(path.join(out, 'a.txt'), 'utf8'), 'hello\n');
  t.true(fs.readFileSync(path.join(out, 'd/b.bin')).equals(Buffer.alloc(5000, 3)));
  t.is(a.nlink, 1n, 'no link groups in version 1 trees');
  t.is(a.mtimeNs, fs.statSync(path.join(src, 'a.txt'), { bigint: true }).mtimeNs);
  t.is(a.atimeNs, a.mtimeNs);
  t.is(execFileSync('getfattr', ['-d', '--absolute-names', path.join(out, 'a.txt')], { encoding: 'utf8' }).trim(), '');
});
