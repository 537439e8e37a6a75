// Where a pack's bytes go while it fills. StreamSink writes them through the
// store's ObjectWriter in 2 MiB staged pieces, so memory stays bounded however
// large the pack; BufferSink keeps the pack in one buffer and writes it with a
// single put (stores without writers, such as the in-memory store of tests).
import { newHasher } from '../hash.js';
const STAGE = 2 << 20;
const MAX_IN_FLIGHT = 3;
/** Staging buffers shared by the sinks of one packer (reused: fresh memory is slow). */
export class StagePool {
    free = [];
    get() {
        return this.free.pop() ?? Buffer.allocUnsafe(STAGE);
    }
    put(b) {
        if (this.free.length <= MAX_IN_FLIGHT)
            this.free.push(b);
    }
}
export function openSink(store, stages, first) {
    const s = store.openWriter ? new StreamSink(store.openWriter(), stages) : new BufferSink(store);
    s.append(first);
    return s;
}
class StreamSink {
    writer;
    stages;
    size = 0;
    hasher = newHasher();
    stage;
    /** stages being written, until their write resolves */
    writes = new Map();
    failure;
    constructor(writer, stages) {
        this.writer = writer;
        this.stages = stages;
        this.stage = { buf: stages.get(), start: 0, len: 0 };
    }
    append(data) {
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
            if (st.len === st.buf.length)
                this.spill();
        }
        return at;
    }
    /** Start writing the current stage and continue in another. */
    spill() {
        const piece = this.stage;
        this.stage = { buf: this.stages.get(), start: this.size, len: 0 };
        if (piece.len === 0)
            return this.stages.put(piece.buf);
        const p = this.writer.write(piece.buf.subarray(0, piece.len), piece.start).then(() => {
            this.writes.delete(p);
            this.stages.put(piece.buf);
        }, (e) => {
            this.writes.delete(p);
            this.failure ??= e;
        });
        this.writes.set(p, piece);
    }
    read(offset, length) {
        const out = Buffer.allocUnsafe(length);
        const pieces = [this.stage, ...this.writes.values()];
        for (let got = 0; got < length;) {
            const pos = offset + got;
            const held = pieces.find((p) => pos >= p.start && pos < p.start + p.len);
            if (held) {
                const n = Math.min(length - got, held.start + held.len - pos);
                held.buf.copy(out, got, pos - held.start, pos - held.start + n);
                got += n;
            }
            else {
                // on disk up to the next piece still in memory
                const next = Math.min(offset + length, ...pieces.filter((p) => p.start > pos).map((p) => p.start));
                this.writer.read(pos, next - pos).copy(out, got);
                got += next - pos;
            }
        }
        return out;
    }
    async backpressure() {
        while (this.writes.size > MAX_IN_FLIGHT)
            await Promise.race(this.writes.keys());
        if (this.failure)
            throw this.failure;
    }
    async finish(trailer, nameOf) {
        this.append(trailer);
        const id = this.hasher.digest();
        this.spill();
        this.stages.put(this.stage.buf);
        while (this.writes.size > 0)
            await Promise.race(this.writes.keys());
        if (this.failure) {
            await this.writer.abort();
            throw this.failure;
        }
        await this.writer.commit(nameOf(id));
        return id;
    }
    async abort() {
        while (this.writes.size > 0)
            await Promise.race(this.writes.keys());
        await this.writer.abort();
    }
}
class BufferSink {
    store;
    buf = Buffer.allocUnsafe(STAGE);
    size = 0;
    constructor(store) {
        this.store = store;
    }
    append(data) {
        if (this.size + data.length > this.buf.length) {
            const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.size + data.length));
            this.buf.copy(next, 0, 0, this.size);
            this.buf = next;
        }
        this.buf.set(data, this.size);
        this.size += data.length;
        return this.size - data.length;
    }
    id() {
        const h = newHasher();
        h.update(this.buf.subarray(0, this.size));
        return h.digest();
    }
    read(offset, length) {
        return Buffer.from(this.buf.subarray(offset, offset + length));
    }
    async backpressure() { }
    async finish(trailer, nameOf) {
        this.append(trailer);
        const id = this.id();
        await this.store.put(nameOf(id), this.buf.subarray(0, this.size));
        return id;
    }
    async abort() { }
}
//# sourceMappingURL=pack-sink.js.map