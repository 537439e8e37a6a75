// Reads one regular file, cuts it with FastCDC, names each chunk by BLAKE3 and
// hands new chunks to the repository. The file is fstat'ed before and after
// the read: if anything changed underneath, the read is retried and, if it
// keeps changing, the file is reported instead of being stored torn.
// Some files' sizes lie (procfs says 0, sysfs says 4096, FUSE may say
// anything): such a file is read until EOF, and when its stat did not move
// while its length differs from the size, what was read is stored and the
// file is flagged (`sizeLied`) so the snapshot warns once per tree.
import * as fs from 'node:fs';
import { Chunker } from '../chunker.js';
import { StrataError, errnoCode, isStrataError } from '../errors.js';
import type { EntryStat } from '../fs/dir-entry.js';
import { hashBytes, newHasher } from '../hash.js';
import { BLOB_DATA } from '../store/pack.js';
import type { BlobWriter } from '../store/repository.js';
import type { FileContent } from '../tree/codec.js';
import { makeFileContent } from '../tree/trees.js';

const EMPTY_HASH = hashBytes(Buffer.alloc(0));
const O_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

export interface SavedFile {
  content: FileContent;
  size: number;
  stat: fs.BigIntStats; // fstat after the read: what the stat cache should remember
  /** the file's size said something else than reading it gave (procfs, sysfs): do not trust its stat in the cache */
  sizeLied?: boolean;
}

export interface ReadCounters {
  bytesRead: number;
  filesRead: number;
}

const sameStat = (a: EntryStat, b: EntryStat) =>
  a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;

export class FileSaver {
  private buf: Buffer;

  constructor(
    private readonly repo: BlobWriter | null, // null: dry run, hash only
    private readonly chunker: Chunker,
    private readonly counters: ReadCounters,
    private readonly attempts = 3,
  ) {
    this.buf = Buffer.allocUnsafe(2 * chunker.max);
  }

  /** Read and store `path`; `expect` is the lstat taken while listing its directory. */
  async save(path: Buffer, expect: EntryStat): Promise<SavedFile> {
    for (let attempt = 1; ; attempt++) {
      const r = await this.readOnce(path, expect);
      if (r) return r;
      if (attempt >= this.attempts) throw new StrataError('E_FILE_CHANGED', `file changed while being read (${this.attempts} attempts)`);
      try {
        expect = fs.lstatSync(path, { bigint: true });
      } catch (e) {
        if (errnoCode(e) === 'ENOENT') throw e; // gone: a warning, not a skipped file
        throw new StrataError('E_IO', `vanished while being read (${errnoCode(e)})`, { cause: e });
      }
      if (!expect.isFile()) throw new StrataError('E_FILE_CHANGED', 'replaced by a non-file while being read');
    }
  }

  private async readOnce(path: Buffer, expect: EntryStat): Promise<SavedFile | undefined> {
    const fd = fs.openSync(path, O_FLAGS);
    try {
      // One fstat per file, after the read: the listing's lstat `expect` stands for the one before.
      // That window is wider (listing → end of read), so it catches at least what an fstat after
      // open would. Something other than a regular file swapped in is caught by the read itself
      // (EISDIR, EAGAIN: see readSome) or by the fstat after; bytes it stored are unreferenced.
      let r: { chunks: Buffer[]; total: number; wholeHash: Buffer };
      try {
        r = await this.chunkFd(fd, Number(expect.size));
      } catch (e) {
        if (!isStrataError(e) && !fs.fstatSync(fd).isFile()) throw new StrataError('E_FILE_CHANGED', 'replaced by a non-file while being read');
        throw e;
      }
      const { chunks, total, wholeHash } = r;
      const after = fs.fstatSync(fd, { bigint: true });
      if (!after.isFile()) throw new StrataError('E_FILE_CHANGED', 'replaced by a non-file while being read');
      this.counters.bytesRead += total;
      if (!sameStat(expect, after)) return undefined;
      const sizeLied = BigInt(total) !== after.size;
      this.counters.filesRead++;
      const content = await makeFileContent(this.repo, wholeHash, chunks);
      return sizeLied ? { content, size: total, stat: after, sizeLied } : { content, size: total, stat: after };
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Cut and store the file behind `fd`; reading stops at `size` (the fstat before), the fstat after tells if it grew. */
  private async chunkFd(fd: number, size: number): Promise<{ chunks: Buffer[]; total: number; wholeHash: Buffer }> {
    const buf = this.buf;
    const chunks: Buffer[] = [];
    let start = 0;
    let end = 0;
    let eof = false;
    let total = 0;
    let readTotal = 0;
    let hasher: ReturnType<typeof newHasher> | undefined;
    for (;;) {
      const len = this.chunker.nextAvailable(buf, start, end, eof);
      if (len < 0) {
        // no cut in sight: move the rest (less than a chunk) to the front and read more
        if (start > 0) {
          buf.copyWithin(0, start, end);
          end -= start;
          start = 0;
        }
        while (end < buf.length) {
          // no extra read() to see EOF (a file that grows meanwhile fails the after-check), except
          // where the size may lie: 0 (procfs) or whole pages (sysfs, and some FUSE files)
          // (procfs refuses huge reads with ENOMEM: beyond the stated size, read a page run at a time)
          const beyond = readTotal >= size;
          const n = beyond && !(size === 0 || size % 4096 === 0) ? 0 : readSome(fd, buf, end, beyond ? PAST_SIZE_READ : buf.length);
          if (n === 0) {
            eof = true;
            break;
          }
          end += n;
          readTotal += n;
        }
        continue;
      }
      if (len === 0) break;
      const chunk = buf.subarray(start, start + len);
      const h = hashBytes(chunk);
      // the only chunk of the file: its hash is the whole-file hash, no second pass
      const only = chunks.length === 0 && eof && start + len === end;
      if (!only) {
        hasher ??= newHasher();
        hasher.update(chunk);
      }
      chunks.push(h);
      if (this.repo) await this.repo.putBlob(BLOB_DATA, h, chunk);
      total += len;
      start += len;
    }
    // one chunk: the chunk hash is the BLAKE3 of the whole file
    const wholeHash = chunks.length === 0 ? EMPTY_HASH : hasher ? hasher.digest() : chunks[0]!;
    return { chunks, total, wholeHash };
  }
}

/** bytes per read past a file's stated size */
const PAST_SIZE_READ = 64 << 10;

function readSome(fd: number, buf: Buffer, at: number, max: number): number {
  for (;;) {
    try {
      return fs.readSync(fd, buf, at, Math.min(max, buf.length - at), null);
    } catch (e) {
      if (errnoCode(e) === 'EINTR') continue;
      // a regular file never says EAGAIN; a FIFO or device swapped in may, forever
      if (errnoCode(e) === 'EAGAIN' && fs.fstatSync(fd).isFile()) continue;
      throw e;
    }
  }
}
