// Test helpers for faithful restores: build a source tree with every kind of
// metadata strata records (hard links, holes, xattrs and ACLs, nanosecond
// times, odd modes and owners, special files), and compare two trees by lstat
// fields (ino groups, blocks, ns times, modes, owners, rdev), xattrs as
// `getfattr` shows them, link targets and bytes.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const isRoot = process.getuid?.() === 0;

/** `getfattr -d -m -` of one path, not following symlinks, hex values, `security.*` left out (set by the system) */
export function xattrDump(p: string): string {
  const r = spawnSync('getfattr', ['-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', p], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('security.'))
    .sort()
    .join('\n');
}

export interface CompareOpts {
  xattrs?: boolean; // default true
  atime?: boolean; // default true
  blocks?: boolean; // default true
  skip?: (rel: string, st: fs.BigIntStats) => boolean;
}

function list(root: string, skip?: CompareOpts['skip']): Map<string, fs.BigIntStats> {
  const out = new Map<string, fs.BigIntStats>();
  const walk = (rel: string) => {
    const abs = rel ? path.join(root, rel) : root;
    const st = fs.lstatSync(abs, { bigint: true });
    if (rel && skip?.(rel, st)) return;
    out.set(rel || '.', st);
    if (st.isDirectory()) for (const n of fs.readdirSync(abs).sort()) walk(rel ? `${rel}/${n}` : n);
  };
  walk('');
  return out;
}

/** Differences between the trees at `a` (source) and `b` (restored); [] when faithful. */
export function compareTrees(a: string, b: string, opts: CompareOpts = {}): string[] {
  const diffs: string[] = [];
  const la = list(a, opts.skip);
  const lb = list(b, opts.skip);
  const names = (m: Map<string, fs.BigIntStats>) => [...m.keys()].join(' ');
  if (names(la) !== names(lb)) diffs.push(`entries differ:\n  ${names(la)}\n  ${names(lb)}`);
  const groups = (m: Map<string, fs.BigIntStats>) => {
    const g = new Map<string, string[]>();
    for (const [rel, st] of m) if (!st.isDirectory()) g.set(`${st.dev}:${st.ino}`, [...(g.get(`${st.dev}:${st.ino}`) ?? []), rel]);
    return [...g.values()].map((x) => x.sort().join('=')).sort().join(' ');
  };
  if (groups(la) !== groups(lb)) diffs.push(`hard-link groups differ:\n  ${groups(la)}\n  ${groups(lb)}`);
  for (const [rel, sa] of la) {
    const sb = lb.get(rel);
    if (!sb) continue;
    const pa = path.join(a, rel);
    const pb = path.join(b, rel);
    const d = (what: string, x: unknown, y: unknown) => {
      if (x !== y) diffs.push(`${rel}: ${what} ${String(x)} vs ${String(y)}`);
    };
    d('type', sa.mode & 0o170000n, sb.mode & 0o170000n);
    if (!sa.isSymbolicLink()) d('mode', (sa.mode & 0o7777n).toString(8), (sb.mode & 0o7777n).toString(8));
    d('uid', sa.uid, sb.uid);
    d('gid', sa.gid, sb.gid);
    d('mtimeNs', sa.mtimeNs, sb.mtimeNs);
    // atimes are recorded for regular files only (docs/format.md §6.1a); dirs and symlinks get atime = mtime
    if (opts.atime !== false && sa.isFile()) d('atimeNs', sa.atimeNs, sb.atimeNs);
    if (opts.atime !== false && !sa.isFile() && sb.atimeNs !== sb.mtimeNs) diffs.push(`${rel}: restored atime ${sb.atimeNs} is not its mtime`);
    if (rel === '.') continue;
    if (sa.isFile()) {
      d('size', sa.size, sb.size);
      if (opts.blocks !== false) d('blocks', sa.blocks, sb.blocks);
      if (!fs.readFileSync(pa).equals(fs.readFileSync(pb))) diffs.push(`${rel}: content differs`);
    }
    if (sa.isSymbolicLink()) d('target', fs.readlinkSync(pa), fs.readlinkSync(pb));
    if (sa.isCharacterDevice() || sa.isBlockDevice()) d('rdev', sa.rdev, sb.rdev);
    if (opts.xattrs !== false) d('xattrs', xattrDump(pa), xattrDump(pb));
  }
  return diffs;
}

/**
 * Atimes in the future and mtimes in the past, with nanoseconds, on every entry
 * (children before their directory): with relatime, reading the tree (the
 * snapshot, the comparison) then leaves the atimes alone.
 */
export function setAllTimes(root: string): void {
  const script = `
import os, sys, time
root = sys.argv[1]
now = time.time_ns()
i = 0
for d, dirs, files in os.walk(root, topdown=False):
    for n in files + dirs + ([] if d != root else []):
        i += 1
        p = os.path.join(d, n)
        os.utime(p, ns=(now + 3600 * 10**9 + i * 1000003 + 7, 1600000000 * 10**9 + i * 987654321 + 123), follow_symlinks=False)
os.utime(root, ns=(now + 7200 * 10**9 + 11, 1500000000 * 10**9 + 999999999), follow_symlinks=False)
`;
  execFileSync('python3', ['-c', script, root]);
}

/** Source tree with everything strata records; returns the names of what it holds. */
export function buildRichTree(root: string): void {
  const w = (rel: string, data: string | Buffer, mode?: number) => {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, data);
    if (mode !== undefined) fs.chmodSync(p, mode);
  };
  fs.mkdirSync(root, { recursive: true });
  w('a.txt', 'hello\n');
  fs.linkSync(path.join(root, 'a.txt'), path.join(root, 'b.txt'));
  w('sub/keep.txt', 'kept\n');
  fs.linkSync(path.join(root, 'a.txt'), path.join(root, 'sub/c.txt'));
  w('pair1', 'pair\n');
  fs.mkdirSync(path.join(root, 'other'));
  fs.linkSync(path.join(root, 'pair1'), path.join(root, 'other/pair2'));
  w('setuid-bin', '#!/bin/sh\n', 0o4755);
  w('private', 'secret\n', 0o600);
  fs.mkdirSync(path.join(root, 'locked'), { mode: 0o750 });
  w('locked/in.txt', 'inside\n');
  fs.chmodSync(path.join(root, 'locked'), 0o550);
  // xattrs: text, binary with NUL, and POSIX ACLs (access on a file, default on a dir)
  w('attrs.txt', 'with attributes\n');
  execFileSync('setfattr', ['-n', 'user.color', '-v', 'blue', path.join(root, 'attrs.txt')]);
  execFileSync('setfattr', ['-n', 'user.bin', '-v', '0x00ff00fe', path.join(root, 'attrs.txt')]);
  execFileSync('setfacl', ['-m', 'u:nobody:r,g:nogroup:rw', path.join(root, 'attrs.txt')]);
  fs.mkdirSync(path.join(root, 'acldir'));
  execFileSync('setfacl', ['-d', '-m', 'u:nobody:rx', path.join(root, 'acldir')]);
  execFileSync('setfattr', ['-n', 'user.dirattr', '-v', 'on a dir', path.join(root, 'acldir')]);
  // sparse: 40 MiB with two small islands of data and a hole at the end
  const fd = fs.openSync(path.join(root, 'sparse.img'), 'w');
  fs.writeSync(fd, Buffer.from('island one'), 0, 10, 5 << 20);
  fs.writeSync(fd, Buffer.alloc(9000, 7), 0, 9000, 20 << 20);
  fs.ftruncateSync(fd, 40 << 20);
  fs.closeSync(fd);
  fs.symlinkSync('a.txt', path.join(root, 'link'));
  fs.symlinkSync('/nowhere', path.join(root, 'dangling'));
  execFileSync('mkfifo', [path.join(root, 'pipe')]);
  if (isRoot) {
    execFileSync('mknod', [path.join(root, 'null-ish'), 'c', '1', '3']);
    execFileSync('mknod', [path.join(root, 'bigdev'), 'b', '300', '70000']); // major >= 256, minor >= 256: the full dev_t split
    fs.lchownSync(path.join(root, 'private'), 1234, 5678);
    fs.lchownSync(path.join(root, 'link'), 4321, 8765);
    fs.chownSync(path.join(root, 'sub'), 1000, 1000);
  }
}
