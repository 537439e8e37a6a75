// ObjectStore on a local directory. Writes go to a temporary name in the same
// directory, are fsynced, renamed into place, and the directory is fsynced, so
// a crash leaves either the old state or the complete new object.
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { StrataError, errnoCode } from '../errors.js';
import { classifyWriteError } from './space.js';
const MAX_OPEN = 64;
export class LocalObjectStore {
    root;
    location;
    fds = new Map(); // LRU of read handles
    constructor(root) {
        this.root = root;
        this.location = root;
    }
    abs(name) {
        if (name.includes('..') || name.startsWith('/'))
            throw new StrataError('E_USAGE', `bad object name ${name}`);
        return path.join(this.root, name);
    }
    async put(name, data) {
        return this.write(name, data, false);
    }
    /**
     * Atomically replace an object with bytes that must carry the same name
     * (repair: a damaged pack rebuilt byte for byte from its verified blobs).
     */
    async replace(name, data) {
        await this.write(name, data, true);
    }
    async write(name, data, overwrite) {
        const dest = this.abs(name);
        if (!overwrite && fs.existsSync(dest))
            return false;
        if (overwrite) {
            const fd = this.fds.get(name);
            if (fd !== undefined) {
                this.fds.delete(name);
                fs.closeSync(fd);
            }
        }
        const dir = path.dirname(dest);
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        const tmp = path.join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
        // write and fsync on libuv's thread pool: a 32 MiB pack takes 50-300 ms to
        // reach the disk, and the caller keeps reading and compressing meanwhile
        const parts = Buffer.isBuffer(data) ? [data] : data;
        const total = parts.reduce((n, p) => n + p.length, 0);
        let fh;
        try {
            fh = await fsp.open(tmp, 'wx', 0o600);
        }
        catch (e) {
            throw classifyWriteError(e, this.root, name, total);
        }
        let written = 0;
        try {
            for (const p of parts) {
                let off = 0;
                while (off < p.length)
                    off += (await fh.write(p, off, p.length - off)).bytesWritten;
                written += p.length;
            }
            await fh.sync();
        }
        catch (e) {
            await fh.close();
            fs.rmSync(tmp, { force: true });
            const c = classifyWriteError(e, this.root, name, total - written);
            if (c !== e)
                throw c;
            throw new StrataError('E_IO', `writing ${dest}: ${e.message}`, { cause: e });
        }
        await fh.close();
        try {
            await fsp.rename(tmp, dest);
            await fsyncDirAsync(dir);
        }
        catch (e) {
            fs.rmSync(tmp, { force: true });
            throw classifyWriteError(e, this.root, name);
        }
        return true;
    }
    openWriter() {
        // the temporary file sits at the top, outside every listed folder, until commit renames it into place
        return new LocalWriter(this, this.root);
    }
    /** Absolute path of an object name (checked). */
    pathOf(name) {
        return this.abs(name);
    }
    handle(name) {
        let fd = this.fds.get(name);
        if (fd !== undefined) {
            this.fds.delete(name);
            this.fds.set(name, fd);
            return fd;
        }
        try {
            fd = fs.openSync(this.abs(name), 'r');
        }
        catch (e) {
            if (errnoCode(e) === 'ENOENT')
                throw new StrataError('E_OBJECT_MISSING', `missing repository file ${name}`);
            throw new StrataError('E_IO', `opening ${this.abs(name)}: ${e.message}`, { cause: e });
        }
        this.fds.set(name, fd);
        if (this.fds.size > MAX_OPEN) {
            const [oldest, ofd] = this.fds.entries().next().value;
            this.fds.delete(oldest);
            fs.closeSync(ofd);
        }
        return fd;
    }
    async get(name, offset = 0, length, into) {
        const fd = this.handle(name);
        const len = length ?? fs.fstatSync(fd).size - offset;
        const buf = into && into.length >= len ? into.subarray(0, len) : Buffer.allocUnsafe(len);
        let got = 0;
        while (got < len) {
            const n = fs.readSync(fd, buf, got, len - got, offset + got);
            if (n === 0)
                throw new StrataError('E_CORRUPT', `${name}: short read at ${offset + got} (file truncated?)`);
            got += n;
        }
        return buf;
    }
    async size(name) {
        try {
            return fs.statSync(this.abs(name)).size;
        }
        catch (e) {
            if (errnoCode(e) === 'ENOENT')
                return undefined;
            throw e;
        }
    }
    async *list(prefix) {
        const base = this.abs(prefix.replace(/\/$/, ''));
        const walk = function* (dir, rel) {
            for (const e of entriesOf(dir)) {
                if (e.name.startsWith('.tmp-'))
                    continue;
                const r = rel ? `${rel}/${e.name}` : e.name;
                if (e.isDirectory())
                    yield* walk(path.join(dir, e.name), r);
                else if (e.isFile())
                    yield r;
            }
        };
        yield* walk(base, prefix.replace(/\/$/, ''));
    }
    async sweepTemporaries(olderThanMs, dryRun = false) {
        const swept = { files: 0, bytes: 0 };
        const before = Date.now() - olderThanMs;
        const sweep = (dir, depth) => {
            for (const e of entriesOf(dir)) {
                const p = path.join(dir, e.name);
                if (e.isDirectory() && depth > 0 && !e.name.startsWith('.'))
                    sweep(p, depth - 1);
                if (!e.isFile() || !e.name.startsWith('.tmp-'))
                    continue;
                const st = fs.statSync(p, { throwIfNoEntry: false });
                if (!st || st.mtimeMs > before)
                    continue;
                if (!dryRun)
                    fs.rmSync(p, { force: true });
                swept.files++;
                swept.bytes += st.size;
            }
        };
        sweep(this.root, 0); // packs being written start at the top
        for (const sub of ['packs', 'index', 'snapshots', 'locks'])
            sweep(path.join(this.root, sub), sub === 'packs' ? 1 : 0);
        return swept;
    }
    async delete(name) {
        const fd = this.fds.get(name);
        if (fd !== undefined) {
            this.fds.delete(name);
            fs.closeSync(fd);
        }
        fs.rmSync(this.abs(name), { force: true });
    }
    async close() {
        for (const fd of this.fds.values())
            fs.closeSync(fd);
        this.fds.clear();
    }
}
export function fsyncDir(dir) {
    const fd = fs.openSync(dir, 'r');
    try {
        fs.fsyncSync(fd);
    }
    finally {
        fs.closeSync(fd);
    }
}
async function fsyncDirAsync(dir) {
    const fh = await fsp.open(dir, 'r');
    try {
        await fh.sync();
    }
    finally {
        await fh.close();
    }
}
/** A temporary file beside the final objects, written with positioned writes on libuv's pool. */
class LocalWriter {
    store;
    tmp;
    fd;
    committed;
    constructor(store, dir) {
        this.store = store;
        this.root = dir;
        try {
            fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
            this.tmp = path.join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
            this.fd = fs.openSync(this.tmp, 'wx+', 0o600); // read too: blobs are read back before the pack is done
        }
        catch (e) {
            throw classifyWriteError(e, dir, 'a pack');
        }
    }
    root;
    async write(data, position) {
        let off = 0;
        try {
            while (off < data.length) {
                const n = await new Promise((resolve, reject) => fs.write(this.fd, data, off, data.length - off, position + off, (e, written) => (e ? reject(e) : resolve(written))));
                off += n;
            }
        }
        catch (e) {
            throw classifyWriteError(e, this.root, 'a pack', data.length - off);
        }
    }
    read(position, length) {
        // after commit the bytes are at their final name (read until the caller has indexed them)
        const fd = this.fd >= 0 ? this.fd : this.openEither();
        try {
            const buf = Buffer.allocUnsafe(length);
            let got = 0;
            while (got < length) {
                const n = fs.readSync(fd, buf, got, length - got, position + got);
                if (n === 0)
                    throw new StrataError('E_CORRUPT', `${this.tmp}: short read at ${position + got}`);
                got += n;
            }
            return buf;
        }
        finally {
            if (fd !== this.fd)
                fs.closeSync(fd);
        }
    }
    /** The bytes while commit renames them: at the temporary name, or already at the final one. */
    openEither() {
        try {
            return fs.openSync(this.tmp, 'r');
        }
        catch (e) {
            if (errnoCode(e) !== 'ENOENT' || !this.committed)
                throw e;
            return fs.openSync(this.committed, 'r');
        }
    }
    async commit(name) {
        const dest = this.store.pathOf(name);
        if (fs.existsSync(dest)) {
            await this.abort();
            this.committed = dest; // same name, same bytes
            return false;
        }
        try {
            await new Promise((resolve, reject) => fs.fsync(this.fd, (e) => (e ? reject(e) : resolve())));
        }
        catch (e) {
            await this.abort();
            const c = classifyWriteError(e, this.root, 'a pack');
            if (c !== e)
                throw c;
            throw new StrataError('E_IO', `writing ${dest}: ${e.message}`, { cause: e });
        }
        fs.closeSync(this.fd);
        this.fd = -1;
        const dir = path.dirname(dest);
        try {
            fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
            this.committed = dest;
            await fsp.rename(this.tmp, dest);
            await fsyncDirAsync(dir);
        }
        catch (e) {
            if (!fs.existsSync(dest)) {
                this.committed = undefined;
                fs.rmSync(this.tmp, { force: true });
            }
            throw classifyWriteError(e, this.root, 'a pack');
        }
        return true;
    }
    async abort() {
        if (this.fd >= 0)
            fs.closeSync(this.fd);
        this.fd = -1;
        fs.rmSync(this.tmp, { force: true });
    }
}
/** A folder's entries; none when it does not exist. */
function entriesOf(dir) {
    try {
        return fs.readdirSync(dir, { withFileTypes: true });
    }
    catch (e) {
        if (errnoCode(e) === 'ENOENT')
            return [];
        throw e;
    }
}
//# sourceMappingURL=local-store.js.map