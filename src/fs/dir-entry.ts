// lstat results turned into what a tree entry needs: kind and metadata.
// Never follows symlinks; never opens special files.
import * as fs from 'node:fs';

/** Kinds of directory entries, in their on-disk code order (docs/format.md). */
export const KINDS = ['file', 'dir', 'symlink', 'fifo', 'socket', 'chardev', 'blockdev'] as const;
export type Kind = (typeof KINDS)[number];

export function kindOf(st: fs.BigIntStats): Kind {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'chardev';
  return 'blockdev';
}

export function lstatRaw(p: Buffer): fs.BigIntStats {
  return fs.lstatSync(p, { bigint: true });
}

export function readDirNames(p: Buffer): Buffer[] {
  return fs.readdirSync(p, { encoding: 'buffer' });
}

export interface StatMeta {
  mode: number;
  uid: number;
  gid: number;
  mtimeNs: bigint;
}

export function metaOf(st: fs.BigIntStats): StatMeta {
  return { mode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid), mtimeNs: st.mtimeNs };
}
