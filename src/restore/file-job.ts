// One file of a content batch (content-batch.ts): what the restorer hands
// over (FileJob), the batch's state of it (Job: chunks written, hashed in
// order, writes in flight), and the final check once every chunk is written:
// its size and whole-file BLAKE3 (a sparse file is then given its size).
import * as fs from 'node:fs';
import { StrataError } from '../errors.js';
import { hashBytes, newHasher } from '../hash.js';
import type { TreeEntry } from '../tree/codec.js';

/** A file whose content is being restored into the file `open` opens (read-write: arrivals ahead of their turn are read back). */
export interface FileJob {
  entry: TreeEntry;
  /** opening (off the main thread); writes to the file wait for it (a window reads meanwhile) */
  open: Promise<number>;
  /** Called once, when no write to it is in flight: all bytes written and verified (err undefined), or the file failed; `fd` if it was opened (the callee closes it). */
  done(err: Error | undefined, fd: number | undefined): Promise<void>;
}

const EMPTY = hashBytes(Buffer.alloc(0));

export interface Job {
  file: FileJob;
  chunks: Buffer[];
  size: number;
  remaining: number; // chunks not yet written
  pos: number; // file offset of the next chunk to add
  cursor: number; // next chunk to hash
  ahead: Map<number, { offset: number; length: number; zero: boolean; wrote?: Promise<void> }>;
  hasher: ReturnType<typeof newHasher> | undefined;
  sparse: boolean;
  failed: boolean;
  /** why it failed (handed over once no write of it is in flight) */
  err?: Error;
  /** writes in flight */
  writing: number;
  /** hashing what arrived ahead (waits for its writes) */
  catching: boolean;
  /** -1 until open */
  fd: number;
  /** the open settled (a failed open fails the job) */
  opened: Promise<void>;
}

export function newJob(file: FileJob, chunks: Buffer[], plainIds: boolean): Job {
  return {
    file,
    chunks,
    size: file.entry.size,
    remaining: chunks.length,
    pos: 0,
    cursor: 0,
    ahead: new Map(),
    // a one-chunk file's id is its content hash only with plain ids (format.md §11.5.1)
    hasher: chunks.length > 1 || (chunks.length === 1 && !plainIds) ? newHasher() : undefined,
    sparse: !!file.entry.sparse,
    failed: false,
    writing: 1, // the open
    catching: false,
    fd: -1,
    opened: Promise.resolve(),
  };
}

/** Every chunk written: why the file is not right (size or content hash), else undefined; a sparse file gets its size. */
export function verifyJob(job: Job): Error | undefined {
  const c = job.file.entry.content!;
  const got = job.hasher ? job.hasher.digest() : job.chunks.length === 1 ? job.chunks[0]! : EMPTY;
  if (job.pos !== job.size || !got.equals(c.hash)) {
    return new StrataError('E_CORRUPT', `content does not match the snapshot (size ${job.pos}/${job.size}, or its BLAKE3)`);
  }
  if (job.sparse) {
    try {
      fs.ftruncateSync(job.fd, job.size);
    } catch (e) {
      return e as Error;
    }
  }
  return undefined;
}

/** Reads back what was written ahead of its turn, into one reused buffer. */
export class ReadBack {
  private buf = Buffer.allocUnsafe(1 << 20);

  at(fd: number, offset: number, length: number): Buffer {
    if (this.buf.length < length) this.buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = fs.readSync(fd, this.buf, got, length - got, offset + got);
      if (n === 0) break; // a hole at the end, not yet truncated: zeros
      got += n;
    }
    this.buf.fill(0, got, length);
    return this.buf.subarray(0, length);
  }
}
