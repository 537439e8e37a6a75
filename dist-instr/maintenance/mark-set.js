// A set of 32-byte hashes that may outgrow memory: prune marks every blob
// reachable from the kept snapshots (10M blobs would be ~1 GB as a JS Set of
// hex strings). New members collect in a small in-memory batch and go to a
// temporary, unsynced LMDB environment in one sorted transaction; lookups
// consult both. The environment lives in <repo>/tmp and is deleted on close.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { open } from 'lmdb';
const BATCH = 100_000;
const EMPTY = Buffer.alloc(0);
export class MarkSet {
    dir;
    env;
    db;
    batch = new Map();
    count = 0;
    constructor(dir) {
        this.dir = dir;
        this.env = open({ path: dir, noSync: true, noMetaSync: true, compression: false, mapSize: 2 ** 37 });
        this.db = this.env.openDB({ name: 'm', keyEncoding: 'binary', encoding: 'binary' });
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
        return this.batch.has(h.toString('latin1')) || this.db.doesExist(h);
    }
    /** Add; true when it was not there before. */
    add(h) {
        const k = h.toString('latin1');
        if (this.batch.has(k) || this.db.doesExist(h))
            return false;
        this.batch.set(k, h);
        this.count++;
        if (this.batch.size >= BATCH)
            this.flush();
        return true;
    }
    flush() {
        if (this.batch.size === 0)
            return;
        const keys = [...this.batch.values()].sort(Buffer.compare);
        this.env.transactionSync(() => {
            for (const k of keys)
                this.db.putSync(k, EMPTY);
        });
        this.batch = new Map();
    }
    async close() {
        this.batch.clear();
        await this.env.close();
        fs.rmSync(this.dir, { recursive: true, force: true });
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