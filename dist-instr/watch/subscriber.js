// The one door to the watcher backends: watchman through our own socket
// client (watchman-client.ts), inotify through @parcel/watcher. Every call has
// a timeout; a subscription that answers late is dropped. Watchman watches
// this daemon created are removed on close. Tests inject faults through the
// `faults` option (never set in production): a subscribe that hangs.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import watcher from '@parcel/watcher';
import { WatchmanClient } from './watchman-client.js';
export function withTimeout(p, ms, what) {
    let timer;
    const t = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)));
    return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
export class Subscriber {
    backend;
    timeoutMs;
    log;
    client;
    connecting;
    /** roots watched before this daemon's first request: not ours to remove */
    initial;
    /** roots (and source directories) this daemon asked watchman to watch */
    created = new Set();
    adopted = new Set();
    hangs;
    constructor(backend, timeoutMs, faults = {}, log = () => { }) {
        this.backend = backend;
        this.timeoutMs = timeoutMs;
        this.log = log;
        this.hangs = faults.hangSubscribes ?? 0;
    }
    /** Treat a watch on `dir` as ours even if it exists already (left by a daemon that died). */
    adopt(dir) {
        this.adopted.add(dir);
    }
    async watchman() {
        if (this.client && !this.client.closed)
            return this.client;
        this.connecting ??= (async () => {
            const c = new WatchmanClient(this.timeoutMs);
            try {
                await c.connect();
            }
            catch (e) {
                c.close();
                throw e;
            }
            this.client = c;
            return c;
        })().finally(() => (this.connecting = undefined));
        return this.connecting;
    }
    /** Subscribe to `dir`, ignoring `ignore` (absolute directories inside it); rejects after the timeout. */
    async subscribe(dir, ignore, cb) {
        if (this.hangs > 0) {
            this.hangs--;
            return withTimeout(new Promise(() => { }), this.timeoutMs, `subscribe ${dir} (injected fault)`);
        }
        if (this.backend === 'watchman')
            return withTimeout(this.watchmanSubscribe(dir, ignore, cb), this.timeoutMs * 2, `watchman subscribe ${dir}`);
        let late = false;
        const p = watcher.subscribe(dir, (err, events) => cb(err, events), { backend: 'inotify', ignore: [...ignore] });
        try {
            const s = await withTimeout(p, this.timeoutMs, `subscribe ${dir}`);
            return { unsubscribe: () => withTimeout(s.unsubscribe(), this.timeoutMs, `unsubscribe ${dir}`) };
        }
        catch (e) {
            late = true;
            // it may still answer: then drop it at once
            void p.then((s) => {
                if (late)
                    void s.unsubscribe().catch(() => { });
            }, () => { });
            throw e;
        }
    }
    async watchmanSubscribe(dir, ignore, cb) {
        const c = await this.watchman();
        this.initial ??= new Set(await c.watchList());
        const ours = (root) => {
            if (!this.initial.has(root) || this.adopted.has(root))
                this.created.add(root);
        };
        ours(dir); // even if watch-project answers too late for us: it may have created the watch
        const rel = ignore.map((d) => path.relative(dir, d)).filter((r) => r && !r.startsWith('..'));
        const { name, root } = await c.subscribe(dir, rel, cb, ours);
        return { unsubscribe: () => c.unsubscribe(root, name) };
    }
    /** Remove the watchman watches this daemon created, then close the connection. */
    async close() {
        let c = this.client;
        if ((!c || c.closed) && this.created.size > 0)
            c = await withTimeout(this.watchman(), 3000, 'watchman connect').catch(() => undefined);
        this.client = undefined;
        if (!c)
            return;
        if (c.closed)
            this.log(`cannot remove the watchman watches on ${[...this.created].join(', ')}: no connection`);
        else
            // all sent at once: watchman reads them even if we must exit before the answers
            await Promise.all([...this.created].map((root) => c.command(['watch-del', root], Math.min(this.timeoutMs, 2500)).then(() => this.created.delete(root), (e) => {
                if (/not watched|unable to resolve root/i.test(e.message))
                    this.created.delete(root); // a source dir inside another watch
                else
                    this.log(`cannot remove the watchman watch on ${root}: ${e.message}`);
            })));
        c.close();
    }
    /** Last resort when a stop overran its time: remove our remaining watches with the watchman CLI. */
    closeSync() {
        this.client?.close();
        const end = Date.now() + 2000;
        for (const root of this.created)
            if (Date.now() < end)
                spawnSync('watchman', ['watch-del', root], { stdio: 'ignore', timeout: Math.max(100, end - Date.now()) });
        this.created.clear();
    }
}
//# sourceMappingURL=subscriber.js.map