// ObjectWriter for S3: a pack is written piece by piece into an anonymous
// local spool file (unlinked at once, so a killed process leaves nothing), from
// which `read` serves bytes synchronously as the packer needs. `commit`, when
// the pack's name is known, uploads it: one PutObject with If-None-Match for
// small objects, else a multipart upload from the spool — parts of `partSize`
// bytes, `partsInFlight` at a time, each with its Content-MD5 — completed only
// when every part arrived. Memory stays at partsInFlight × partSize per store
// however large the objects and however many commits run; nothing is visible under the name before the
// single PutObject / CompleteMultipartUpload that publishes it.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StrataError } from '../errors.js';
import { S3CallerFailure } from './s3-retry.js';
/**
 * Part buffers of one store: at most `max` exist at a time, whatever the number
 * of commits running (so a store's upload memory is max × size), and they are
 * reused (fresh memory is slow to touch here).
 */
export class BufferPool {
    size;
    max;
    free = [];
    out = 0;
    waiting = [];
    constructor(size, max) {
        this.size = size;
        this.max = max;
    }
    /** A buffer of `size` bytes, once one is available. */
    acquire() {
        if (this.out < this.max) {
            this.out++;
            return Promise.resolve(this.free.pop() ?? Buffer.allocUnsafe(this.size));
        }
        return new Promise((resolve) => this.waiting.push(resolve));
    }
    release(b) {
        const next = this.waiting.shift();
        if (next)
            return next(b);
        this.out--;
        this.free.push(b);
    }
    /** buffers handed out now */
    get inUse() {
        return this.out;
    }
}
/**
 * Open spool descriptors. A committed writer keeps its spool open, because the
 * packer reads blobs of a pack until it has indexed it; the descriptor is
 * closed when the writer is garbage-collected, or at the store's close.
 */
export class SpoolFiles {
    dir;
    open = new Set();
    registry = new FinalizationRegistry((fd) => this.release(fd));
    constructor(dir) {
        this.dir = dir;
    }
    create(owner) {
        fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
        const p = path.join(this.dir, `.strata-s3-spool-${process.pid}-${randomBytes(6).toString('hex')}`);
        let fd;
        try {
            fd = fs.openSync(p, 'wx+', 0o600);
        }
        catch (e) {
            throw new StrataError('E_IO', `cannot create a spool file in ${this.dir}: ${e.message}`, { cause: e });
        }
        fs.unlinkSync(p); // anonymous from now on: gone with the descriptor, also when the process is killed
        this.open.add(fd);
        this.registry.register(owner, fd, owner);
        return fd;
    }
    release(fd, owner) {
        if (owner)
            this.registry.unregister(owner);
        if (!this.open.delete(fd))
            return;
        fs.closeSync(fd);
    }
    get count() {
        return this.open.size;
    }
    closeAll() {
        for (const fd of [...this.open])
            this.release(fd);
    }
}
const md5 = (b) => createHash('md5').update(b).digest('base64');
export class S3Writer {
    host;
    fd;
    /** next write position: writes must come in order (pack-sink spills its stages in order) */
    expected = 0;
    /** spool writes run one after another; this settles when all have */
    chain = Promise.resolve();
    failure;
    state = 'open';
    constructor(host) {
        this.host = host;
        this.fd = host.spools.create(this);
    }
    write(data, position) {
        if (this.state !== 'open')
            return Promise.reject(new StrataError('E_IO', `${this.host.location}: write to a ${this.state} object writer`));
        if (position !== this.expected) {
            return Promise.reject(new StrataError('E_IO', `${this.host.location}: object writer got a write at ${position}, expected ${this.expected} (writes must be sequential)`));
        }
        this.expected += data.length;
        const p = this.chain.then(() => {
            if (this.failure)
                throw this.failure;
            return spoolWrite(this.fd, data, position).catch((e) => {
                this.failure ??= new StrataError('E_IO', `writing the local spool of an upload to ${this.host.location}: ${e.message}`, { cause: e });
                throw this.failure;
            });
        });
        this.chain = p.catch(() => undefined);
        return p;
    }
    read(position, length) {
        if (position + length > this.expected)
            throw new StrataError('E_CORRUPT', `${this.host.location}: read past the end of an object being written (${position}+${length} > ${this.expected})`);
        const buf = Buffer.allocUnsafe(length);
        for (let got = 0; got < length;) {
            const n = fs.readSync(this.fd, buf, got, length - got, position + got);
            if (n === 0)
                throw new StrataError('E_CORRUPT', `${this.host.location}: short read of the local spool at ${position + got}`);
            got += n;
        }
        return buf;
    }
    async commit(name) {
        if (this.state !== 'open')
            throw new StrataError('E_IO', `${this.host.location}: commit of a ${this.state} object writer`);
        this.state = 'committing';
        await this.chain;
        try {
            if (this.failure)
                throw this.failure;
            const total = this.expected;
            const ok = total <= this.host.partSize ? await this.single(name, total) : await this.multipart(name, total);
            this.state = 'committed'; // the spool stays readable until the writer is collected
            return ok;
        }
        catch (e) {
            this.state = 'open';
            await this.abort();
            throw e;
        }
    }
    /** Upload `total` spooled bytes with one PutObject (If-None-Match), from a pool buffer. */
    async single(name, total) {
        const buf = await this.host.buffers.acquire();
        try {
            const body = buf.subarray(0, total);
            readInto(this.fd, body, 0);
            return await this.host.put(name, body);
        }
        finally {
            this.host.buffers.release(buf);
        }
    }
    /** Upload `total` spooled bytes as a multipart upload to `name`; false when `name` exists already. */
    async multipart(name, total) {
        const h = this.host;
        // RGW does not honour If-None-Match on CompleteMultipartUpload: ask first. Packs are named by the
        // hash of their bytes, so a racing writer of the same name writes the same bytes.
        if ((await h.size(name)) !== undefined)
            return false;
        const Key = h.key(name);
        let createAttempts = 0;
        const created = await h.call('puts', name, (c, s3) => {
            createAttempts++;
            return c.send(new s3.CreateMultipartUploadCommand({ Bucket: h.bucket, Key }));
        });
        const UploadId = created.UploadId;
        try {
            return await this.uploadParts(name, Key, UploadId, total);
        }
        finally {
            // an attempt whose answer was lost may have started an upload too: abort it (it never had parts)
            if (createAttempts > 1)
                await this.abortOthers(name, Key, UploadId).catch(() => undefined);
        }
    }
    async uploadParts(name, Key, UploadId, total) {
        const h = this.host;
        try {
            const count = Math.ceil(total / h.partSize);
            const etags = new Array(count);
            let next = 0;
            let failed;
            const worker = async () => {
                // after a failure no worker starts another part; all settle before the upload is aborted
                while (next < count && !failed) {
                    const k = next++;
                    const off = k * h.partSize;
                    const len = Math.min(h.partSize, total - off);
                    const buf = await h.buffers.acquire();
                    try {
                        const body = buf.subarray(0, len);
                        readInto(this.fd, body, off);
                        const ContentMD5 = md5(body);
                        const res = await h.call('puts', name, (c, s3) => c.send(new s3.UploadPartCommand({ Bucket: h.bucket, Key, UploadId, PartNumber: k + 1, Body: body, ContentLength: len, ContentMD5 })));
                        if (!res.ETag)
                            throw new StrataError('E_S3', `${h.location}: ${name}: part ${k + 1} was stored without an ETag`);
                        etags[k] = res.ETag;
                    }
                    catch (e) {
                        failed ??= { e };
                    }
                    finally {
                        h.buffers.release(buf);
                    }
                }
            };
            await Promise.all(Array.from({ length: Math.min(h.partsInFlight, count) }, worker));
            if (failed)
                throw failed.e;
            const Parts = etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 }));
            let attempts = 0;
            try {
                await h.call('puts', name, (c, s3) => {
                    attempts++;
                    return c.send(new s3.CompleteMultipartUploadCommand({ Bucket: h.bucket, Key, UploadId, IfNoneMatch: '*', MultipartUpload: { Parts } }));
                });
            }
            catch (e) {
                // a retried complete whose first attempt went through, or a racing writer of the same pack that
                // completed first, leaves no upload: the object is there (packs are named by their bytes)
                const gone = e instanceof S3CallerFailure && e.failure.kind === 'missing';
                if (!(gone && (await h.size(name)) === total))
                    throw e;
                if (attempts === 1)
                    return false;
            }
            return true;
        }
        catch (e) {
            await h.call('deletes', name, (c, s3) => c.send(new s3.AbortMultipartUploadCommand({ Bucket: h.bucket, Key, UploadId }))).catch(() => undefined);
            if (isPreconditionFailure(e))
                return false; // AWS: someone completed the name first
            throw e;
        }
    }
    /** Abort the uploads of `Key` other than `UploadId`. */
    async abortOthers(name, Key, UploadId) {
        const h = this.host;
        const page = await h.call('lists', name, (c, s3) => c.send(new s3.ListMultipartUploadsCommand({ Bucket: h.bucket, Prefix: Key })));
        for (const u of page.Uploads ?? []) {
            if (u.Key !== Key || !u.UploadId || u.UploadId === UploadId)
                continue;
            const other = u.UploadId;
            await h.call('deletes', name, (c, s3) => c.send(new s3.AbortMultipartUploadCommand({ Bucket: h.bucket, Key, UploadId: other }))).catch(() => undefined);
        }
    }
    async abort() {
        if (this.state === 'aborted')
            return;
        if (this.state === 'committing')
            throw new StrataError('E_IO', `${this.host.location}: abort during commit`);
        this.state = 'aborted';
        await this.chain;
        this.host.spools.release(this.fd, this);
    }
}
function isPreconditionFailure(e) {
    return e instanceof S3CallerFailure && e.failure.kind === 'precondition';
}
function spoolWrite(fd, data, position) {
    return new Promise((resolve, reject) => {
        const step = (off) => {
            if (off >= data.length)
                return resolve();
            fs.write(fd, data, off, data.length - off, position + off, (e, n) => (e ? reject(e) : step(off + n)));
        };
        step(0);
    });
}
function readInto(fd, buf, position) {
    for (let got = 0; got < buf.length;) {
        const n = fs.readSync(fd, buf, got, buf.length - got, position + got);
        if (n === 0)
            throw new StrataError('E_CORRUPT', `short read of the local spool at ${position + got}`);
        got += n;
    }
}
//# sourceMappingURL=s3-writer.js.map