// Blob decoding (open, decompress, verify) on worker threads for readers of
// many blobs (a full restore): the main thread keeps reading packs and
// writing files while the workers decode, so both cores work. A job is one
// pack range in shared memory and its blobs, each decoded straight into a
// shared buffer of the caller's. Started lazily, one worker per core (at
// most MAX_WORKERS); workers hold the process only while a job is out. A
// worker that dies fails the jobs it had, and the pool stops taking jobs
// (callers decode on their own thread then).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CipherSpec } from '../crypto/repo-cipher.js';
import { StrataError } from '../errors.js';
import type { DecodeAnswer, DecodeItem, DecodeJob, SharedView } from './decode-worker.js';

const MAX_WORKERS = 4;

/** Buffers a worker can use: views of a SharedArrayBuffer (restore/write-buffers.ts sharedBuffer). */
export const isShared = (b: Uint8Array): boolean => b.buffer instanceof SharedArrayBuffer;

const shared = (b: Buffer): SharedView => ({ sab: b.buffer as SharedArrayBuffer, off: b.byteOffset, len: b.length });

/** One blob to decode: its stored bytes at `at` in the range, its raw bytes into `out` (shared, ≥ rawLength). */
export interface DecodeRequest {
  at: number;
  length: number;
  hash: Buffer;
  type: number;
  comp: number;
  rawLength: number;
  out: Buffer;
}

interface Pending {
  resolve: (failed: (string | undefined)[]) => void;
  reject: (e: Error) => void;
  worker: number;
}

/**
 * The worker's module beside this one. Under tsx (tests run the sources) it is TypeScript too, and a
 * worker does not get tsx's loader from --import (seen on Node 20): a small script registers it first.
 */
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(`./decode-worker${FROM_SOURCES ? '.ts' : '.js'}`, import.meta.url);
const newWorker = (workerData: unknown): Worker =>
  FROM_SOURCES
    ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`, { eval: true, workerData })
    : new Worker(WORKER_URL, { workerData });

export class DecodePool {
  private readonly workers: Worker[] = [];
  private readonly load: number[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private broken: Error | undefined;

  constructor(
    private readonly spec: CipherSpec,
    private readonly size = Math.min(MAX_WORKERS, Math.max(1, availableParallelism())),
  ) {}

  /** False once a worker failed: decode on the caller's thread. */
  get usable(): boolean {
    return !this.broken;
  }

  /**
   * Decode the blobs of `range` (shared) into their `out` buffers (shared).
   * Resolves per blob: undefined (done) or why it failed verification;
   * rejects only when the pool itself failed.
   */
  decode(range: Buffer, items: readonly DecodeRequest[], where: string): Promise<(string | undefined)[]> {
    if (this.broken) return Promise.reject(this.broken);
    if (!isShared(range) || items.some((it) => !isShared(it.out))) return Promise.reject(new StrataError('E_USAGE', 'decode pool: buffers must be shared memory'));
    this.start();
    let w = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.load[i]! < this.load[w]!) w = i;
    const id = this.nextId++;
    const job: DecodeJob = {
      id,
      range: shared(range),
      where,
      items: items.map((it): DecodeItem => ({ at: it.at, length: it.length, hash: it.hash, type: it.type, comp: it.comp, rawLength: it.rawLength, out: shared(it.out) })),
    };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: w });
      if (this.load[w]!++ === 0) this.workers[w]!.ref();
      this.workers[w]!.postMessage(job);
    });
  }

  async close(): Promise<void> {
    const ws = this.workers.splice(0);
    this.broken ??= new StrataError('E_IO', 'decode pool closed');
    this.failAll(this.broken);
    await Promise.all(ws.map((w) => w.terminate()));
  }

  /** Start the workers (else the first decode does). */
  start(): void {
    if (this.workers.length > 0 || this.broken) return;
    for (let i = 0; i < this.size; i++) {
      const w = newWorker({ spec: this.spec });
      w.on('message', (a: DecodeAnswer) => this.answer(i, a));
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (!this.broken) this.fail(new StrataError('E_IO', `decode worker exited (${code})`));
      });
      w.unref();
      this.workers.push(w);
      this.load.push(0);
    }
  }

  private answer(w: number, a: DecodeAnswer): void {
    const p = this.pending.get(a.id);
    if (!p) return;
    this.pending.delete(a.id);
    if (--this.load[w]! === 0) this.workers[w]?.unref();
    p.resolve(a.failed);
  }

  private fail(e: Error): void {
    this.broken ??= e instanceof StrataError ? e : new StrataError('E_IO', `decode worker failed: ${e.message}`, { cause: e });
    this.failAll(this.broken);
  }

  private failAll(e: Error): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(e);
    }
    for (let i = 0; i < this.load.length; i++) this.load[i] = 0;
    for (const w of this.workers) w.unref();
  }
}
