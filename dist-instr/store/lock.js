// Repository locks as objects `locks/<random>` written through the ObjectStore
// (put-if-absent, list, delete: nothing local-only, so it works on an object
// store too). Writers (snapshot, watch, forget) and check hold shared locks;
// prune and repair hold an exclusive one. Holders refresh by writing a new
// object before deleting the old, and re-verify before committing, so a
// holder whose lock was broken as stale never commits. docs/design.md,
// "Prune and concurrency", has the protocol and why it is safe.
import * as os from 'node:os';
import { randomBytes } from 'node:crypto';
import { StrataError, errnoCode, isStrataError } from '../errors.js';
const envMs = (name, fallback) => {
    const v = Number(process.env[name]);
    return Number.isFinite(v) && process.env[name] !== '' && process.env[name] !== undefined ? v * 1000 : fallback;
};
export const defaultStaleMs = () => envMs('STRATA_LOCK_STALE', 30 * 60_000);
const defaultWaitMs = () => envMs('STRATA_LOCK_WAIT', 0);
function pidAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (e) {
        return errnoCode(e) === 'EPERM';
    }
}
/** Stale: not refreshed within staleMs, or its process on this host is gone. */
export function isStale(info, staleMs, now = Date.now()) {
    if (now - Date.parse(info.time) > staleMs)
        return true;
    return info.host === os.hostname() && !pidAlive(info.pid);
}
export async function listLocks(store, staleMs = defaultStaleMs()) {
    const out = [];
    for await (const name of store.list('locks/')) {
        let info = null;
        try {
            info = JSON.parse((await store.get(name)).toString('utf8'));
            if (typeof info?.time !== 'string' || typeof info.pid !== 'number')
                info = null;
        }
        catch (e) {
            if (isStrataError(e, 'E_OBJECT_MISSING'))
                continue; // released meanwhile
        }
        out.push({ name, info, stale: info !== null && isStale(info, staleMs) });
    }
    return out;
}
export function describeLock(l) {
    if (!l.info)
        return `${l.name} (unreadable; delete it by hand if no strata process is running)`;
    const i = l.info;
    return `${i.exclusive ? 'exclusive' : 'shared'} lock by ${i.command} (pid ${i.pid} on ${i.host}, refreshed ${i.time})`;
}
export class RepoLock {
    store;
    name;
    info;
    staleMs;
    lastRefresh = Date.now();
    released = false;
    lost;
    inflight;
    timer;
    constructor(store, name, info, staleMs) {
        this.store = store;
        this.name = name;
        this.info = info;
        this.staleMs = staleMs;
        // liveness only: correctness never depends on this timer firing (verify() does not)
        this.timer = setInterval(() => void this.refreshIfDue().catch(() => { }), Math.max(1000, staleMs / 6));
        this.timer.unref();
    }
    /** Write a fresh lock object, check the old one still exists, then delete it. */
    refresh() {
        this.inflight ??= this.doRefresh().finally(() => (this.inflight = undefined));
        return this.inflight;
    }
    async doRefresh() {
        if (this.lost)
            throw this.lost;
        if (this.released)
            throw new StrataError('E_LOCKED', 'the repository lock was already released');
        const old = this.name;
        const info = { ...this.info, time: new Date().toISOString() };
        const name = `locks/${randomBytes(16).toString('hex')}`;
        await this.store.put(name, Buffer.from(JSON.stringify(info)));
        this.name = name;
        const stillThere = (await this.store.size(old)) !== undefined;
        await this.store.delete(old);
        if (!stillThere) {
            // Someone judged us stale and removed our lock: a prune may have run meanwhile.
            this.released = true;
            clearInterval(this.timer);
            await this.store.delete(name);
            this.lost = new StrataError('E_LOCKED', `lost the repository lock (${old} was removed as stale while this ${info.command} ran); nothing was committed, run it again`);
            throw this.lost;
        }
        this.lastRefresh = Date.now();
    }
    async refreshIfDue() {
        if (this.lost)
            throw this.lost;
        if (!this.released && Date.now() - this.lastRefresh > this.staleMs / 6)
            await this.refresh();
    }
    /** Before a commit: prove the lock was never broken (see docs/design.md). */
    async verify() {
        await this.refresh();
    }
    async release() {
        if (this.released)
            return;
        this.released = true;
        clearInterval(this.timer);
        await this.store.delete(this.name);
    }
}
/**
 * Take a lock: write ours, then look at the others. Shared conflicts with a
 * fresh exclusive lock; exclusive with any fresh lock. Stale locks found by
 * an exclusive taker are deleted, then it looks again (that second look is
 * what makes breaking a stale lock safe). On conflict ours is removed and we
 * retry until waitMs has passed, then throw E_LOCKED.
 */
export async function acquireLock(store, opts) {
    const staleMs = opts.staleMs ?? defaultStaleMs();
    const deadline = Date.now() + (opts.waitMs ?? defaultWaitMs());
    const command = opts.command ?? 'strata';
    for (let attempt = 0;; attempt++) {
        const info = { host: os.hostname(), pid: process.pid, time: new Date().toISOString(), exclusive: opts.exclusive, command, ...opts.info };
        const name = `locks/${randomBytes(16).toString('hex')}`;
        await store.put(name, Buffer.from(JSON.stringify(info)));
        let conflict;
        try {
            conflict = await findConflict(store, name, opts.exclusive, staleMs);
        }
        catch (e) {
            await store.delete(name);
            throw e;
        }
        if (!conflict)
            return new RepoLock(store, name, info, staleMs);
        await store.delete(name);
        if (Date.now() >= deadline) {
            throw new StrataError('E_LOCKED', `repository is locked: ${describeLock(conflict)}; try again later${opts.exclusive ? '' : ' (or wait with STRATA_LOCK_WAIT=SECONDS)'}`);
        }
        const backoff = Math.min(2000, 50 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random());
        await new Promise((r) => setTimeout(r, Math.min(backoff, Math.max(0, deadline - Date.now()) + 1)));
    }
}
async function findConflict(store, mine, exclusive, staleMs) {
    const others = (await listLocks(store, staleMs)).filter((l) => l.name !== mine);
    const against = (l) => exclusive || l.info === null || l.info.exclusive;
    const conflicts = (ls) => ls.find((l) => !l.stale && against(l));
    const c = conflicts(others);
    if (c)
        return c;
    // break stale locks in our way, so their holder, should it wake up, finds out at its next refresh
    const stale = others.filter((l) => l.stale && against(l));
    if (stale.length === 0)
        return undefined;
    for (const l of stale)
        await store.delete(l.name);
    // look again: a holder that refreshed meanwhile shows up now and wins
    return conflicts((await listLocks(store, staleMs)).filter((l) => l.name !== mine));
}
/**
 * Run `fn` holding a lock; a snapshot committed meanwhile is verified against it (repo.lock).
 * Under the lock the cache is first brought up to date with the repository's index segments:
 * a prune that ran since (here or on another host) resets it, so nothing written under this lock
 * deduplicates against a blob that is gone (the generation check, docs/design.md).
 */
export async function withLock(repo, opts, fn) {
    const lock = await acquireLock(repo.store, opts);
    const prev = repo.lock;
    repo.lock = lock;
    try {
        await repo.syncIndex();
        return await fn(lock);
    }
    finally {
        repo.lock = prev;
        await lock.release().catch(() => { });
    }
}
//# sourceMappingURL=lock.js.map