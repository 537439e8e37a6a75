// The content of many files restored at once. Files are added as the
// restorer walks the tree; their chunks fill a window (bounded in files,
// chunks and bytes, never by the repository's size) whose blobs are fetched
// by grouped ranged reads (fetch-plan.ts), several in flight, while the walk
// fills the next window. Each verified blob is written to every file offset
// that needs it (a blob may occur in several files, or twice in one). A file
// is finished (its `done` called) once all its chunks are written and the
// whole file checks against its size and BLAKE3 — hashed in order, reading
// back from the temporary what arrived ahead of its turn. A damaged or
// missing blob fails the files that need it; the others proceed. Files
// marked sparse get their all-zero chunks as holes.
import * as fs from 'node:fs';
import { StrataError } from '../errors.js';
import { hashBytes, newHasher } from '../hash.js';
import type { BlobLocation, BlobReader, PackReader } from '../store/ports.js';
import type { TreeEntry } from '../tree/codec.js';
import { fileChunks } from '../tree/trees.js';
import { writeSparse } from './content.js';
import { fetchRanges, planRanges, type Want } from './fetch-plan.js';

/** A file whose content is being restored into `fd` (opened read-write: arrivals ahead of their turn are read back). */
export interface FileJob {
  entry: TreeEntry;
  fd: number;
  /** Called once: all bytes written and verified (err undefined), or the file failed. */
  done(err: Error | undefined): Promise<void>;
}

export interface WindowLimits {
  files: number;
  chunks: number;
  /** stored bytes of the distinct blobs of a window */
  bytes: number;
}

export const DEFAULT_WINDOW: WindowLimits = { files: 512, chunks: 8192, bytes: 256 << 20 };

const EMPTY = hashBytes(Buffer.alloc(0));

interface Job {
  file: FileJob;
  chunks: Buffer[];
  size: number;
  remaining: number; // chunks not yet written
  pos: number; // file offset of the next chunk to add
  cursor: number; // next chunk to hash
  ahead: Map<number, { offset: number; length: number; zero: boolean }>;
  hasher: ReturnType<typeof newHasher> | undefined;
  sparse: boolean;
  failed: boolean;
}

interface Slot {
  job: Job;
  idx: number;
  offset: number;
}

interface Wanted extends Want {
  slots: Slot[];
}

export class ContentBatch {
  private window = new Map<string, Wanted>();
  private windowFiles = new Set<Job>();
  private windowChunks = 0;
  private windowBytes = 0;
  /** the window being fetched while the walk fills the next one */
  private running: Promise<void> | null = null;
  private readonly finished: { job: Job; err: Error | undefined }[] = [];
  private readonly unfinished = new Set<Job>();
  private readonly zeroChunks = new Map<string, number>();
  private zeroBuf = Buffer.alloc(0);
  private readBack = Buffer.allocUnsafe(1 << 20);
  /** windows handed to the fetcher / completed: a file added before window n started is done once completed > n */
  started = 0;
  completed = 0;

  constructor(
    private readonly reader: BlobReader,
    private readonly onBytes: (n: number) => void,
    private readonly signal?: AbortSignal,
    private readonly limits: WindowLimits = DEFAULT_WINDOW,
  ) {}

  private get packs(): PackReader | undefined {
    return this.reader.packs;
  }

  /** Files added and not finished yet. */
  get pending(): number {
    return this.unfinished.size;
  }

  /** Add a file; resolves once its chunks are in a window (or it is finished), not once it is written. */
  async add(file: FileJob): Promise<void> {
    const e = file.entry;
    let chunks: Buffer[];
    try {
      chunks = await fileChunks(this.reader, e.content!);
    } catch (err) {
      await file.done(err as Error);
      return;
    }
    const job: Job = {
      file,
      chunks,
      size: e.size,
      remaining: chunks.length,
      pos: 0,
      cursor: 0,
      ahead: new Map(),
      // a one-chunk file's id is its content hash only with plain ids (format.md §11.5.1)
      hasher: chunks.length > 1 || (chunks.length === 1 && !this.reader.ids.plain) ? newHasher() : undefined,
      sparse: !!e.sparse,
      failed: false,
    };
    this.unfinished.add(job);
    if (chunks.length === 0) this.finish(job);
    for (let i = 0; i < chunks.length && !job.failed; i++) {
      if ((i & 63) === 63) {
        await new Promise((r) => setImmediate(r));
        if (this.signal?.aborted) throw new StrataError('E_ABORTED', 'restore interrupted');
      }
      const h = chunks[i]!;
      const zlen = this.zeroChunks.get(h.toString('latin1'));
      if (zlen !== undefined) {
        this.written(job, i, job.pos, this.zeros(zlen), true);
        job.pos += zlen;
        continue;
      }
      const loc = this.packs?.locateBlob(h);
      if (!loc) {
        // not in the index, or still in an open pack: getBlob reads it (or says why not)
        let data: Buffer;
        try {
          data = await this.reader.getBlob(h);
        } catch (err) {
          this.fail(job, err as Error);
          break;
        }
        this.written(job, i, job.pos, data, false);
        job.pos += data.length;
        continue;
      }
      this.want(h, loc, { job, idx: i, offset: job.pos });
      job.pos += loc.rawLength;
      if (this.full()) await this.cycle();
    }
    await this.settle();
  }

  private want(hash: Buffer, loc: BlobLocation, slot: Slot): void {
    const k = hash.toString('latin1');
    let w = this.window.get(k);
    if (!w) {
      w = { hash, loc, slots: [] };
      this.window.set(k, w);
      this.windowBytes += loc.length;
    }
    w.slots.push(slot);
    this.windowChunks++;
    this.windowFiles.add(slot.job);
  }

  private full(): boolean {
    const l = this.limits;
    return this.windowFiles.size >= l.files || this.windowChunks >= l.chunks || this.windowBytes >= l.bytes;
  }

  /** Hand the filled window to the fetcher once the previous one is done; the walk goes on meanwhile. */
  private async cycle(): Promise<void> {
    const wanted = this.window;
    this.window = new Map();
    this.windowFiles = new Set();
    this.windowChunks = 0;
    this.windowBytes = 0;
    if (this.running) await this.running;
    this.running = null;
    if (wanted.size === 0) return;
    this.started++;
    const run = this.fetch(wanted).then(() => {
      this.completed++;
    });
    run.catch(() => undefined); // awaited by the next cycle or drain
    this.running = run;
  }

  private async fetch(wanted: Map<string, Wanted>): Promise<void> {
    const ranges = planRanges(wanted.values());
    await fetchRanges(
      this.packs!,
      ranges,
      (w, data, err) => {
        for (const s of (w as Wanted).slots) {
          if (data) this.written(s.job, s.idx, s.offset, data, false);
          else this.fail(s.job, err!);
        }
      },
      { inFlight: this.packs!.rangeReadsInFlight, signal: this.signal, afterRange: () => this.settle() },
    );
    await this.settle();
  }

  /** Fetch everything added so far and finish those files. */
  async drain(): Promise<void> {
    await this.cycle();
    if (this.running) await this.running;
    this.running = null;
    await this.settle();
  }

  /** After E_ABORTED: let the window in flight stop, close what is still open (the temporaries stay tracked for the caller). */
  async stop(): Promise<void> {
    await this.running?.catch(() => undefined);
    this.running = null;
    for (const job of this.unfinished) {
      try {
        fs.closeSync(job.file.fd);
      } catch {}
    }
    this.unfinished.clear();
  }

  private zeros(n: number): Buffer {
    if (this.zeroBuf.length < n) this.zeroBuf = Buffer.alloc(n);
    return this.zeroBuf.subarray(0, n);
  }

  /** Chunk `idx` of `job` (verified) goes to `offset`. */
  private written(job: Job, idx: number, offset: number, data: Buffer, knownZero: boolean): void {
    if (job.failed) return;
    const fd = job.file.fd;
    let zero = knownZero;
    try {
      if (job.sparse) {
        if (!zero && data.equals(this.zeros(data.length))) {
          zero = true;
          this.zeroChunks.set(job.chunks[idx]!.toString('latin1'), data.length); // never fetched again
        }
        if (!zero) writeSparse(fd, data, offset);
      } else {
        let off = 0;
        while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off, offset + off);
      }
      if (job.hasher) {
        if (idx === job.cursor) {
          job.hasher.update(data);
          job.cursor++;
          for (let a = job.ahead.get(job.cursor); a; a = job.ahead.get(job.cursor)) {
            job.ahead.delete(job.cursor);
            job.hasher.update(a.zero ? this.zeros(a.length) : this.readAt(fd, a.offset, a.length));
            job.cursor++;
          }
        } else job.ahead.set(idx, { offset, length: data.length, zero });
      }
    } catch (err) {
      this.fail(job, err as Error);
      return;
    }
    this.onBytes(data.length);
    if (--job.remaining === 0) this.finish(job);
  }

  private readAt(fd: number, offset: number, length: number): Buffer {
    if (this.readBack.length < length) this.readBack = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = fs.readSync(fd, this.readBack, got, length - got, offset + got);
      if (n === 0) break; // a hole at the end, not yet truncated: zeros
      got += n;
    }
    this.readBack.fill(0, got, length);
    return this.readBack.subarray(0, length);
  }

  /** Every chunk written: check size and content hash, then hand the file back. */
  private finish(job: Job): void {
    const c = job.file.entry.content!;
    const got = job.hasher ? job.hasher.digest() : job.chunks.length === 1 ? job.chunks[0]! : EMPTY;
    let err: Error | undefined;
    if (job.pos !== job.size || !got.equals(c.hash)) {
      err = new StrataError('E_CORRUPT', `content does not match the snapshot (size ${job.pos}/${job.size}, or its BLAKE3)`);
    } else if (job.sparse) {
      try {
        fs.ftruncateSync(job.file.fd, job.size);
      } catch (e) {
        err = e as Error;
      }
    }
    job.failed = !!err;
    this.unfinished.delete(job);
    this.finished.push({ job, err });
  }

  private fail(job: Job, err: Error): void {
    if (job.failed || !this.unfinished.has(job)) return;
    job.failed = true;
    this.unfinished.delete(job);
    this.finished.push({ job, err: err instanceof Error ? err : new Error(String(err)) });
  }

  /** Call `done` of the files finished so far. */
  private async settle(): Promise<void> {
    while (this.finished.length > 0) {
      const { job, err } = this.finished.shift()!;
      await job.file.done(err);
    }
  }
}
