// Where a pack's bytes go while it fills. StreamSink writes them through the
// store's ObjectWriter in 2 MiB staged pieces, so memory stays bounded however
// large the pack; BufferSink keeps the pack in one buffer and writes it with a
// single put (stores without writers, such as the in-memory store of tests).
import { newHasher, type Hasher } from '../hash.js';
import type { ObjectStore, ObjectWriter } from './object-store.js';

export interface PackSink {
  /** bytes appended so far */
  readonly size: number;
  /** Copy `data` in (it may live in shared memory); returns its offset in the pack. */
  append(data: Uint8Array): number;
  /** A copy of bytes appended earlier. */
  read(offset: number, length: number): Buffer;
  /** Resolves when the sink's in-flight writes are few enough to go on. */
  backpressure(): Promise<void>;
  /**
   * Append the trailer and make the pack durable under the name `nameOf`
   * gives its id (the BLAKE3 of all its bytes); returns the id.
   */
  finish(trailer: Buffer, nameOf: (id: Buffer) => string): Promise<Buffer>;
  /** Drop everything (after a failure). */
  abort(): Promise<void>;
}

const STAGE = 2 << 20;
const MAX_IN_FLIGHT = 3;

/** Staging buffers shared by the sinks of one packer (reused: fresh memory is slow). */
export class StagePool {
  private readonly free: Buffer[] = [];
  get(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(STAGE);
  }
  put(b: Buffer): void {
    if (this.free.length <= MAX_IN_FLIGHT) this.free.push(b);
  }
}

export function openSink(store: ObjectStore, stages: StagePool, first: Uint8Array): PackSink {
  const s: PackSink = store.openWriter ? new StreamSink(store.openWriter(), stages) : new BufferSink(store);
  s.append(first);
  return s;
}

interface Piece {
  buf: Buffer;
  start: number; // pack offset of buf[0]
  len: number;
}

class StreamSink implements PackSink {
  size = 0;
  private readonly hasher: Hasher = newHasher();
  private stage: Piece;
  /** stages being written, until their write resolves */
  private readonly writes = new Map<Promise<void>, Piece>();
  private failure: Error | undefined;

  constructor(
    private readonly writer: ObjectWriter,
    private readonly stages: StagePool,
  ) {
    this.stage = { buf: stages.get(), start: 0, len: 0 };
  }

  append(data: Uint8Array): number {
    const at = this.size;
    let done = 0;
    while (done < data.length) {
      const st = this.stage;
      const n = Math.min(data.length - done, st.buf.length - st.len);
      st.buf.set(data.subarray(done, done + n), st.len);
      // hash the copy: the native BLAKE3 binding must not see shared memory (it crashes)
      this.hasher.update(st.buf.subarray(st.len, st.len + n));
      st.len += n;
      done += n;
      this.size += n;
      if (st.len === st.buf.length) this.spill();
    }
    return at;
  }

  /** Start writing the current stage and continue in another. */
  private spill(): void {
    const piece = this.stage;
    this.stage = { buf: this.stages.get(), start: this.size, len: 0 };
    if (piece.len === 0) return this.stages.put(piece.buf);
    const p: Promise<void> = this.writer.write(piece.buf.subarray(0, piece.len), piece.start).then(
      () => {
        this.writes.delete(p);
        this.stages.put(piece.buf);
      },
      (e: Error) => {
        this.writes.delete(p);
        this.failure ??= e;
      },
    );
    this.writes.set(p, piece);
  }

  read(offset: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    const pieces = [this.stage, ...this.writes.values()];
    for (let got = 0; got < length; ) {
      const pos = offset + got;
      const held = pieces.find((p) => pos >= p.start && pos < p.start + p.len);
      if (held) {
        const n = Math.min(length - got, held.start + held.len - pos);
        held.buf.copy(out, got, pos - held.start, pos - held.start + n);
        got += n;
      } else {
        // on disk up to the next piece still in memory
        const next = Math.min(offset + length, ...pieces.filter((p) => p.start > pos).map((p) => p.start));
        this.writer.read(pos, next - pos).copy(out, got);
        got += next - pos;
      }
    }
    return out;
  }

  async backpressure(): Promise<void> {
    while (this.writes.size > MAX_IN_FLIGHT) await Promise.race(this.writes.keys());
    if (this.failure) throw this.failure;
  }

  async finish(trailer: Buffer, nameOf: (id: Buffer) => string): Promise<Buffer> {
    this.append(trailer);
    const id = this.hasher.digest();
    this.spill();
    this.stages.put(this.stage.buf);
    while (this.writes.size > 0) await Promise.race(this.writes.keys());
    if (this.failure) {
      await this.writer.abort();
      throw this.failure;
    }
    await this.writer.commit(nameOf(id));
    return id;
  }

  async abort(): Promise<void> {
    while (this.writes.size > 0) await Promise.race(this.writes.keys());
    await this.writer.abort();
  }
}

class BufferSink implements PackSink {
  private buf = Buffer.allocUnsafe(STAGE);
  size = 0;

  constructor(private readonly store: ObjectStore) {}

  append(data: Uint8Array): number {
    if (this.size + data.length > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.size + data.length));
      this.buf.copy(next, 0, 0, this.size);
      this.buf = next;
    }
    this.buf.set(data, this.size);
    this.size += data.length;
    return this.size - data.length;
  }

  private id(): Buffer {
    const h = newHasher();
    h.update(this.buf.subarray(0, this.size));
    return h.digest();
  }

  read(offset: number, length: number): Buffer {
    return Buffer.from(this.buf.subarray(offset, offset + length));
  }

  async backpressure(): Promise<void> {}

  async finish(trailer: Buffer, nameOf: (id: Buffer) => string): Promise<Buffer> {
    this.append(trailer);
    const id = this.id();
    await this.store.put(nameOf(id), this.buf.subarray(0, this.size));
    return id;
  }

  async abort(): Promise<void> {}
}
