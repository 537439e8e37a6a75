// Compression on worker threads. zstd is the costliest stage of a snapshot
// (~0.3 GB/s per core), so a pool of workers compresses while the caller
// reads, chunks and hashes. Blobs are copied into one reused SharedArrayBuffer
// ring (no fresh memory per blob), compressed in place, and sent in batches.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { WORKER_SOURCE, bindingPath, type BatchMsg, type WorkerInit } from './compress-worker.js';
import { COMP_NONE, COMP_ZSTD, type Compression } from './compress.js';

/** Called once per blob with its stored form; `data` is a view into the ring, valid only during the call. */
export type Done = (comp: Compression, data: Uint8Array) => void;

interface Job {
  off: number;
  len: number;
  done: Done;
  finished: boolean;
}

interface Slot {
  worker: Worker;
  batches: Map<number, Job[]>;
  bytes: number;
}

const BATCH_BYTES = 2 << 20;
const BATCH_JOBS = 256;
const YIELD_MS = 5;

export class CompressPool {
  /** blobs larger than this (half the ring) are compressed by the caller */
  readonly maxBlob: number;
  private readonly bytes: Uint8Array;
  private readonly slots: Slot[] = [];
  private live: Job[] = []; // allocation order; live[first..] still hold ring space
  private first = 0;
  private head = 0; // end of the newest allocation
  private open: Job[] = [];
  private openBytes = 0;
  private nextId = 1;
  private waiters: (() => void)[] = [];
  private failure: Error | undefined;
  private referenced = false;
  private lastYield = 0;

  constructor(
    readonly level: number,
    opts: { workers?: number; ringBytes?: number } = {},
  ) {
    const n = Math.max(1, opts.workers ?? availableParallelism());
    const ring = new SharedArrayBuffer(opts.ringBytes ?? 16 << 20);
    this.bytes = new Uint8Array(ring);
    this.maxBlob = ring.byteLength >> 1;
    for (let i = 0; i < n; i++) {
      const init: WorkerInit = { ring, level, binding: bindingPath() };
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: init });
      const slot: Slot = { worker, batches: new Map(), bytes: 0 };
      worker.on('message', (m: { id: number; out: number[] }) => this.finished(slot, m));
      worker.on('error', (e) => this.fail(e));
      worker.on('exit', (code) => {
        if (slot.batches.size > 0) this.fail(new Error(`compression worker exited (${code}) with work in flight`));
      });
      worker.unref();
      this.slots.push(slot);
    }
  }

  /** Jobs submitted and not yet finished. */
  get pending(): number {
    return this.live.length - this.first;
  }

  /**
   * Copy `raw` into the pool; `done` runs later, on this thread, with the
   * compressed bytes (or the raw bytes when zstd does not save 3%). Resolves
   * once `raw` has been copied, so the caller may reuse its buffer.
   */
  async submit(raw: Uint8Array, done: Done): Promise<void> {
    if (raw.length === 0 || raw.length > this.maxBlob) throw new RangeError(`blob of ${raw.length} bytes: the pool takes 1..${this.maxBlob}`);
    let off: number;
    while ((off = this.alloc(raw.length)) < 0) {
      this.dispatch();
      await this.wait();
    }
    if (this.failure) throw this.failure;
    this.bytes.set(raw, off);
    const job: Job = { off, len: raw.length, done, finished: false };
    this.live.push(job);
    this.open.push(job);
    this.openBytes += raw.length;
    this.setRef(true);
    if (this.openBytes >= BATCH_BYTES || this.open.length >= BATCH_JOBS) this.dispatch();
    // callers often run synchronous I/O back to back: let results (and pack writes) come in
    const now = performance.now();
    if (now - this.lastYield > YIELD_MS) {
      this.lastYield = now;
      if (this.slots.some((s) => s.batches.size === 0)) this.dispatch();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Wait until every submitted blob has been handed to its `done`. */
  async drain(): Promise<void> {
    this.dispatch();
    while (this.pending > 0 && !this.failure) await this.wait();
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }

  private wait(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private setRef(on: boolean): void {
    if (on === this.referenced) return;
    this.referenced = on;
    for (const s of this.slots) {
      if (on) s.worker.ref();
      else s.worker.unref();
    }
  }

  /** Ring space for `n` bytes (FIFO: space frees in allocation order); -1 when full. */
  private alloc(n: number): number {
    const size = this.bytes.length;
    if (this.pending === 0) {
      this.live = [];
      this.first = 0;
      this.head = n;
      return 0;
    }
    const tail = this.live[this.first]!.off;
    if (this.head > tail) {
      // used: [tail, head); free: [head, size) and [0, tail)
      if (this.head + n <= size) return this.take(this.head, n);
      if (n <= tail) return this.take(0, n);
      return -1;
    }
    // wrapped: used [tail, size) and [0, head); free: [head, tail)
    return this.head + n <= tail ? this.take(this.head, n) : -1;
  }

  private take(off: number, n: number): number {
    this.head = off + n;
    return off;
  }

  private dispatch(): void {
    if (this.open.length === 0 || this.slots.length === 0) return;
    let best = this.slots[0]!;
    for (const s of this.slots) if (s.bytes < best.bytes) best = s;
    const id = this.nextId++;
    const jobs: number[] = [];
    for (const j of this.open) jobs.push(j.off, j.len);
    best.batches.set(id, this.open);
    best.bytes += this.openBytes;
    this.open = [];
    this.openBytes = 0;
    best.worker.postMessage({ id, jobs } satisfies BatchMsg);
  }

  private finished(slot: Slot, m: { id: number; out: number[] }): void {
    const jobs = slot.batches.get(m.id);
    if (!jobs) return;
    slot.batches.delete(m.id);
    for (let i = 0; i < jobs.length; i++) {
      const j = jobs[i]!;
      slot.bytes -= j.len;
      const comp: Compression = m.out[2 * i] === 1 ? COMP_ZSTD : COMP_NONE;
      const n = m.out[2 * i + 1]!;
      try {
        j.done(comp, this.bytes.subarray(j.off, j.off + n));
      } catch (e) {
        this.fail(e as Error);
      }
      j.finished = true;
    }
    while (this.first < this.live.length && this.live[this.first]!.finished) this.first++;
    if (this.first > 1024 && this.first * 2 > this.live.length) {
      this.live = this.live.slice(this.first);
      this.first = 0;
    }
    if (slot.batches.size === 0 && this.open.length > 0) this.dispatch();
    if (this.pending === 0) this.setRef(false);
    this.wake();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.wake();
  }
}
