// The content of many files restored at once. Files are added as the
// restorer walks the tree; their chunks fill a window (bounded in files,
// chunks and bytes, never by the repository's size) whose blobs are fetched
// by grouped ranged reads (fetch-plan.ts) while the walk fills the next
// window; up to WINDOWS_IN_FLIGHT windows fetch at once, sharing one count of
// reads in flight. Each verified blob is decoded into a buffer of a bounded
// pool (write-buffers.ts) and written to every file offset that needs it (a
// blob may occur in several files, or twice in one) by positional writes off
// the main thread. A file is finished (its `done` called) once all its
// chunks are written and the whole file checks against its size and BLAKE3 —
// hashed in order, reading back from the temporary (once written) what
// arrived ahead of its turn. A damaged or missing blob fails the files that
// need it; the others proceed. Files marked sparse get their all-zero chunks
// as holes (written synchronously).
//
// Memory: the windows' bookkeeping, range buffers (one per read in flight or
// range being decoded, each ≤ 8 MiB or one blob), and decoded blobs waiting
// for their writes (DEFAULT_WRITE_BYTES).
import { openFileLimit } from '../fs/fd-limit.js';
import * as fs from 'node:fs';
import { StrataError } from '../errors.js';
import type { BlobLocation, BlobReader, PackReader } from '../store/ports.js';
import { fileChunks } from '../tree/trees.js';
import { writeSparse } from './content.js';
import type { ChunkLists } from './tree-prefetch.js';
import { Slots, fetchRanges, planRanges, type Want } from './fetch-plan.js';
import { BufferPool, writeAt, writeAtSync } from './write-buffers.js';
import { ReadBack, newJob, verifyJob, type FileJob, type Job } from './file-job.js';

export type { FileJob } from './file-job.js';

export interface WindowLimits {
  files: number;
  chunks: number;
  /** stored bytes of the distinct blobs of a window */
  bytes: number;
}

/**
 * files: with WINDOWS_IN_FLIGHT windows fetching and one filling, up to three windows' files have
 * their temporaries open at once: at most ~1,000, and never more than about two thirds of the
 * process's open-file limit (with 1,024, the usual soft limit: 288 per window, ~860 open).
 */
export function defaultWindow(fdLimit = openFileLimit()): WindowLimits {
  const files = Math.max(4, Math.min(336, Math.floor((fdLimit - 160) / 3)));
  return { files, chunks: 8192, bytes: 256 << 20 };
}
/** windows fetching at once (the walk fills the next meanwhile) */
const WINDOWS_IN_FLIGHT = 2;
/** windows before the limits apply in full: the first is 1/2^RAMP_WINDOWS of them */
const RAMP_WINDOWS = 4;
/** decoded bytes waiting for their writes */
export const DEFAULT_WRITE_BYTES = 64 << 20;

/** A decoded blob's buffer, given back to the pool when its last write is done. */
interface Hold {
  buf: Buffer;
  refs: number;
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
  /** windows being fetched while the walk fills the next one */
  private readonly running = new Map<number, Promise<void>>();
  private readonly windowDone = new Set<number>();
  private readonly pool: BufferPool;
  private readonly rangeBuffers: Buffer[] = [];
  private slotsOf: Slots | undefined;
  /** writes and catch-ups in flight */
  private readonly ops = new Set<Promise<void>>();
  private readonly finished: { job: Job; err: Error | undefined }[] = [];
  private readonly unfinished = new Set<Job>();
  private readonly zeroChunks = new Map<string, number>();
  private zeroBuf = Buffer.alloc(0);
  private readonly readBack = new ReadBack();
  /** chunk lists read ahead (tree-prefetch.ts) */
  chunkLists: ChunkLists | undefined;
  /** windows handed to the fetcher / completed: a file added before window n started is done once completed > n */
  started = 0;
  completed = 0;

  constructor(
    private readonly reader: BlobReader,
    private readonly onBytes: (n: number) => void,
    private readonly signal?: AbortSignal,
    private readonly limits: WindowLimits = defaultWindow(),
    writeBytes: number = DEFAULT_WRITE_BYTES,
    /** decode on the reader's worker threads (PackReader.decodeRange) */
    private readonly offThread = false,
  ) {
    this.pool = new BufferPool(writeBytes, offThread);
  }

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
      const listed = e.content!.chunkList && this.chunkLists?.get(e.content!.chunkList.toString('latin1'));
      chunks = listed || (await fileChunks(this.reader, e.content!));
    } catch (err) {
      await file.done(err as Error, await file.open.catch(() => undefined));
      return;
    }
    const job = newJob(file, chunks, this.reader.ids.plain);
    this.unfinished.add(job);
    job.opened = file.open.then(
      (fd) => {
        job.fd = fd;
        job.writing--;
        this.settled(job);
      },
      (err: Error) => {
        job.writing--;
        this.fail(job, err);
      },
    );
    this.track(job.opened); // no chunks: finished once open (settled)
    for (let i = 0; i < chunks.length && !job.failed; i++) {
      if ((i & 63) === 63) {
        await new Promise((r) => setImmediate(r));
        if (this.signal?.aborted) throw new StrataError('E_ABORTED', 'restore interrupted');
      }
      const h = chunks[i]!;
      const zlen = this.zeroChunks.get(h.toString('latin1'));
      const loc = zlen === undefined ? this.packs?.locateBlob(h) : undefined;
      if (!loc && job.fd < 0) {
        await job.opened; // written below, now
        if (job.failed) break;
      }
      if (zlen !== undefined) {
        this.written(job, i, job.pos, this.zeros(zlen), true);
        job.pos += zlen;
        continue;
      }
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

  /**
   * The first windows are smaller (1/16 of the limits, doubling per window): the first read starts
   * after a few files were opened, not a whole window's (time to first byte on a remote repository).
   */
  private full(): boolean {
    const l = this.limits;
    const shift = Math.max(0, RAMP_WINDOWS - this.started);
    return this.windowFiles.size >= Math.max(4, l.files >> shift) || this.windowChunks >= l.chunks >> shift || this.windowBytes >= l.bytes >> shift;
  }

  /** Hand the filled window to the fetcher once fewer than WINDOWS_IN_FLIGHT are fetching; the walk goes on meanwhile. */
  private async cycle(): Promise<void> {
    const wanted = this.window;
    const files = this.windowFiles;
    this.window = new Map();
    this.windowFiles = new Set();
    this.windowChunks = 0;
    this.windowBytes = 0;
    if (wanted.size === 0) return;
    while (this.running.size >= WINDOWS_IN_FLIGHT) await Promise.race(this.running.values());
    const n = this.started++;
    const run = this.fetch(wanted, files).finally(() => {
      this.running.delete(n);
      // windows may end out of order: `completed` counts those ended in a row from the first
      this.windowDone.add(n);
      while (this.windowDone.delete(this.completed)) this.completed++;
    });
    run.catch(() => undefined); // awaited by the next cycle or drain
    this.running.set(n, run);
  }

  private get slots(): Slots {
    return (this.slotsOf ??= new Slots(this.packs!.rangeReadsInFlight));
  }

  private async fetch(wanted: Map<string, Wanted>, files: Set<Job>): Promise<void> {
    const ranges = planRanges(wanted.values());
    // reads start while temporaries are still being created: a blob for a file not open yet is written
    // once it is (written()); sparse files are written synchronously, so theirs must be open first
    for (const job of files) if (job.fd < 0 && job.sparse) await job.opened;
    await fetchRanges(
      this.packs!,
      ranges,
      (w, data, err, held) => {
        const hold: Hold | undefined = held ? { buf: held, refs: 1 } : undefined;
        for (const s of (w as Wanted).slots) {
          if (data) this.written(s.job, s.idx, s.offset, data, false, hold);
          else this.fail(s.job, err!);
        }
        if (hold) this.release(hold);
      },
      { inFlight: this.packs!.rangeReadsInFlight, signal: this.signal, afterRange: () => this.settle(), into: (n) => this.pool.take(n), slots: this.slots, rangeBuffers: this.rangeBuffers, ...(this.offThread ? { offThread: this.pool } : {}) },
    );
    await this.quiesce();
    await this.settle();
  }

  private release(hold: Hold): void {
    if (--hold.refs === 0) this.pool.give(hold.buf);
  }

  /** Every write and catch-up started so far is over. */
  private async quiesce(): Promise<void> {
    while (this.ops.size > 0) await Promise.all(this.ops);
  }

  private track(p: Promise<void>): void {
    this.ops.add(p);
    p.finally(() => this.ops.delete(p)).catch(() => undefined); // awaited by quiesce
  }

  /** Fetch everything added so far and finish those files. */
  async drain(): Promise<void> {
    await this.cycle();
    // a window that failed (E_ABORTED) rejects here
    while (this.running.size > 0) await Promise.all(this.running.values());
    await this.quiesce();
    await this.settle();
  }

  /** After E_ABORTED: let the windows in flight stop and their writes end, close what is still open (the temporaries stay tracked for the caller). */
  async stop(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()].map((p) => p.catch(() => undefined)));
    await this.quiesce();
    for (const job of this.unfinished) {
      try {
        if (job.fd >= 0) fs.closeSync(job.fd);
      } catch {}
    }
    this.unfinished.clear();
  }

  private zeros(n: number): Buffer {
    if (this.zeroBuf.length < n) this.zeroBuf = Buffer.alloc(n);
    return this.zeroBuf.subarray(0, n);
  }

  /** Chunk `idx` of `job` (verified) goes to `offset`; `hold`: the pooled buffer `data` lies in (kept until written). */
  private written(job: Job, idx: number, offset: number, data: Buffer, knownZero: boolean, hold?: Hold): void {
    if (job.failed) return;
    const fd = job.fd;
    let zero = knownZero;
    let wrote: Promise<void> | undefined;
    try {
      if (job.sparse) {
        if (!zero && data.equals(this.zeros(data.length))) {
          zero = true;
          this.zeroChunks.set(job.chunks[idx]!.toString('latin1'), data.length); // never fetched again
        }
        if (!zero) writeSparse(fd, data, offset);
      } else if (hold) {
        hold.refs++;
        job.writing++;
        // not open yet: written once it is (job.opened never rejects; a failed open fails the job)
        const write = fd >= 0 ? writeAt(fd, data, offset) : job.opened.then(() => (job.failed ? undefined : writeAt(job.fd, data, offset)));
        wrote = write.then(
          () => {
            this.release(hold);
            job.writing--;
            this.onBytes(data.length);
            this.settled(job);
          },
          (err: Error) => {
            this.release(hold);
            job.writing--;
            this.fail(job, err);
          },
        );
        this.track(wrote);
      } else writeAtSync(fd, data, offset);
      if (job.hasher) {
        // in order: hashed now (the bytes are still here); ahead of its turn: read back once written
        if (idx === job.cursor && !job.catching) {
          job.hasher.update(data);
          job.cursor++;
          if (job.ahead.has(job.cursor)) this.track(this.catchUp(job));
        } else job.ahead.set(idx, { offset, length: data.length, zero, ...(wrote ? { wrote } : {}) });
      }
    } catch (err) {
      this.fail(job, err as Error);
      return;
    }
    job.remaining--;
    if (!wrote) {
      this.onBytes(data.length);
      this.settled(job);
    }
  }

  /** Hash the chunks that arrived ahead of their turn, in order, each once its write is done. */
  private async catchUp(job: Job): Promise<void> {
    job.catching = true;
    try {
      for (let a = job.ahead.get(job.cursor); a && !job.failed; a = job.ahead.get(job.cursor)) {
        if (a.wrote) await a.wrote; // never rejects: a failed write fails the job
        if (job.failed) break;
        job.ahead.delete(job.cursor);
        job.hasher!.update(a.zero ? this.zeros(a.length) : this.readBack.at(job.fd, a.offset, a.length));
        job.cursor++;
      }
    } catch (err) {
      job.catching = false;
      this.fail(job, err as Error);
      return;
    }
    job.catching = false;
    this.settled(job);
  }

  /** Finish `job` once it has no write or catch-up in flight: failed, or every chunk written and hashed. */
  private settled(job: Job): void {
    if (!this.unfinished.has(job) || job.writing > 0 || job.catching) return;
    if (job.err) {
      this.unfinished.delete(job);
      this.finished.push({ job, err: job.err });
    } else if (job.remaining === 0) this.finish(job);
  }

  /** Every chunk written: check size and content hash, then hand the file back. */
  private finish(job: Job): void {
    const err = verifyJob(job);
    job.failed = !!err;
    this.unfinished.delete(job);
    this.finished.push({ job, err });
  }

  private fail(job: Job, err: Error): void {
    if (job.failed || !this.unfinished.has(job)) return;
    job.failed = true;
    job.err = err instanceof Error ? err : new Error(String(err));
    this.settled(job); // handed over once its writes in flight are done (its fd stays open until then)
  }

  /** Call `done` of the files finished so far. */
  private async settle(): Promise<void> {
    while (this.finished.length > 0) {
      const { job, err } = this.finished.shift()!;
      await job.file.done(err, job.fd >= 0 ? job.fd : undefined);
    }
  }
}
