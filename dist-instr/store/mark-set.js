// A set of 32-byte hashes that may outgrow memory: prune marks every blob
// reachable from the kept snapshots (10M blobs would be ~1 GB as a JS Set of
// hex strings). New members collect in a small in-memory batch and go to a
// temporary, unsynced LMDB environment in one sorted transaction; lookups
// consult both. The environment lives in the cache's tmp/ and is deleted on close.
// It is opened only when the first batch spills, and every spill first checks
// the scratch disk has room for it: a memory-mapped file on a full disk must
// become an E_NO_SPACE error, never a SIGBUS.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { open } from 'lmdb';
import { freeBytes, isNoSpace, noSpaceError } from './space.js';
/** hashes kept in memory before a spill (STRATA_TEST_MARK_BATCH: tests spill early) */
const BATCH = Number(process.env.STRATA_TEST_MARK_BATCH) || 100_000;
const EMPTY = Buffer.alloc(0);
/** Scratch bytes to have free per spilled hash (LMDB leaf + branch pages, half full at worst) and in reserve. */
const BYTES_PER_MARK = 160;
const RESERVE = 1 << 20;
export class MarkSet {
    dir;
    env;
    db;
    batch = new Map();
    count = 0;
    constructor(dir) {
        this.dir = dir;
    }
    /** A new empty set under `tmpRoot` (created 0700); stale sets of dead processes there are removed. */
    static create(tmpRoot) {
        fs.mkdirSync(tmpRoot, { recursive: true, mode: 0o700 });
        for (const name of fs.readdirSync(tmpRoot)) {
            const pid = Number(/^mark-(\d+)-/.exec(name)?.[1]);
            if (pid && !alive(pid))
                fs.rmSync(path.join(tmpRoot, name), { recursive: true, force: true });
        }
        return new MarkSet(path.join(tmpRoot, `mark-${process.pid}-${randomBytes(4).toString('hex')}`));
    }
    get size() {
        return this.count;
    }
    has(h) {
        return this.batch.has(h.toString('latin1')) || !!this.db?.doesExist(h);
    }
    /** Add; true when it was not there before. */
    add(h) {
        const k = h.toString('latin1');
        if (this.batch.has(k) || this.db?.doesExist(h))
            return false;
        this.batch.set(k, h);
        this.count++;
        if (this.batch.size >= BATCH)
            this.flush();
        return true;
    }
    /** Spill the batch to disk (a no-op while it is empty). Throws E_NO_SPACE, before mapping anything, when the disk cannot take it. */
    flush() {
        if (this.batch.size === 0)
            return;
        const need = this.batch.size * BYTES_PER_MARK + RESERVE;
        const free = freeBytes(path.dirname(this.dir));
        if (free !== undefined && free < need)
            throw noSpaceError(undefined, path.dirname(this.dir), 'the scratch mark set', need - free);
        const keys = [...this.batch.values()].sort(Buffer.compare);
        try {
            if (!this.env) {
                this.env = open({ path: this.dir, noSync: true, noMetaSync: true, compression: false, mapSize: 2 ** 37 });
                this.db = this.env.openDB({ name: 'm', keyEncoding: 'binary', encoding: 'binary' });
            }
            const db = this.db;
            this.env.transactionSync(() => {
                for (const k of keys)
                    db.putSync(k, EMPTY);
            });
        }
        catch (e) {
            throw isNoSpace(e, this.dir) ? noSpaceError(e, path.dirname(this.dir), 'the scratch mark set', keys.length * BYTES_PER_MARK) : e;
        }
        this.batch = new Map();
    }
    async close() {
        this.batch.clear();
        try {
            await this.env?.close();
        }
        finally {
            fs.rmSync(this.dir, { recursive: true, force: true });
        }
    }
}
function alive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (e) {
        return e.code === 'EPERM';
    }
}
//# sourceMappingURL=mark-set.js.map