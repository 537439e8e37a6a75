// Guards around the LMDB files of the cache. lmdb-js does not throw on a
// damaged data.mdb: it crashes the process (SIGSEGV/SIGBUS, measured). So we
// validate the two meta pages ourselves before opening, and keep the files
// private to the user (lmdb-js creates them 0644).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errnoCode } from '../errors.js';

const MDB_MAGIC = 0xbeefc0de;
const MDB_DATA_VERSION = 2; // lmdb-js 3.x (mdb.master3): 24-byte page header
const P_META = 0x08;

export const INDEX_FILES = ['data.mdb', 'lock.mdb'];

/** Why the LMDB file at `dir` cannot be opened safely, or null when it looks sound (or does not exist yet). */
export function indexFileProblem(dir: string): string | null {
  const file = path.join(dir, 'data.mdb');
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return null;
    return `cannot open ${file}: ${(e as Error).message}`;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return `${file} is empty`;
    const head = Buffer.alloc(Math.min(size, 2 * 65536));
    fs.readSync(fd, head, 0, head.length, 0);
    if (head.length < 160) return `${file} is truncated (${size} bytes)`;
    const psize = head.readUInt32LE(48);
    if (psize < 512 || psize > 65536 || (psize & (psize - 1)) !== 0) return `${file}: bad page size in its header (not an LMDB file?)`;
    if (size < 2 * psize) return `${file} is truncated (${size} bytes)`;
    let best: { last: bigint; txn: bigint } | null = null;
    for (const off of [0, psize]) {
      const flags = head.readUInt16LE(off + 18);
      if (head.readUInt32LE(off + 24) !== MDB_MAGIC || !(flags & P_META)) return `${file}: meta page ${off / psize} is damaged (bad magic)`;
      if (head.readUInt32LE(off + 28) !== MDB_DATA_VERSION) return `${file}: unsupported LMDB data version ${head.readUInt32LE(off + 28)}`;
      const last = head.readBigUInt64LE(off + 144);
      const txn = head.readBigUInt64LE(off + 152);
      if (!best || txn > best.txn) best = { last, txn };
    }
    const need = (best!.last + 1n) * BigInt(psize);
    // another process may be committing (the meta page can run ahead of the file size for a
    // moment): the file only grows, so give it up to a second before calling it truncated
    let sizeNow = fs.fstatSync(fd).size;
    const nap = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < 20 && need > BigInt(sizeNow); i++) {
      Atomics.wait(nap, 0, 0, 50);
      sizeNow = fs.fstatSync(fd).size;
    }
    // a file written in the last seconds has a live writer: LMDB itself guards that case
    const recent = Date.now() - fs.fstatSync(fd).mtimeMs < 10_000;
    if (need > BigInt(sizeNow) && !recent) return `${file} is truncated (${sizeNow} bytes, its header needs ${need})`;
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** chmod 0600 the LMDB files (and 0700 their directory). */
export function privatizeIndexFiles(dir: string): void {
  try {
    fs.chmodSync(dir, 0o700);
  } catch {}
  for (const f of INDEX_FILES) {
    try {
      fs.chmodSync(path.join(dir, f), 0o600);
    } catch {}
  }
}
