// A minimal watchman client speaking JSON over its unix socket: one
// connection per daemon, every request with a timeout, subscriptions that
// report create+delete pairs (parcel's watchman backend drops them), recrawls
// and cancelled roots. When the socket ends (watchman restarted or killed)
// every subscription gets an error; the daemon re-subscribes on a new client.
import { execFile } from 'node:child_process';
import * as net from 'node:net';
const sleepReject = (ms, what, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
/** The watchman socket path (`watchman get-sockname`, which starts the server when needed). */
export function sockname(timeoutMs) {
    return new Promise((resolve, reject) => {
        execFile('watchman', ['--no-pretty', 'get-sockname'], { timeout: timeoutMs }, (err, stdout) => {
            if (err)
                return reject(new Error(`watchman get-sockname: ${err.message.split('\n')[0]}`));
            try {
                resolve(JSON.parse(stdout).sockname);
            }
            catch (e) {
                reject(new Error(`watchman get-sockname: ${e.message}`));
            }
        });
    });
}
export class WatchmanClient {
    timeoutMs;
    sock;
    buf = '';
    queue = [];
    subs = new Map();
    seq = 0;
    closed = false;
    constructor(timeoutMs) {
        this.timeoutMs = timeoutMs;
    }
    async connect() {
        const path = await sockname(this.timeoutMs);
        await new Promise((resolve, reject) => {
            const timer = sleepReject(this.timeoutMs, 'watchman socket', reject);
            const s = net.connect(path, () => {
                clearTimeout(timer);
                resolve();
            });
            s.setEncoding('utf8');
            s.on('data', (d) => this.onData(d));
            s.on('error', (e) => {
                clearTimeout(timer);
                reject(e);
                this.fail(e);
            });
            s.on('close', () => this.fail(new Error('watchman connection closed (server restarted or stopped)')));
            this.sock = s;
        });
    }
    onData(d) {
        this.buf += d;
        let i;
        while ((i = this.buf.indexOf('\n')) >= 0) {
            const line = this.buf.slice(0, i);
            this.buf = this.buf.slice(i + 1);
            if (!line.trim())
                continue;
            let pdu;
            try {
                pdu = JSON.parse(line);
            }
            catch {
                continue;
            }
            if (pdu.unilateral || (pdu.subscription && pdu.files))
                this.onUnilateral(pdu);
            else if (pdu.log)
                continue;
            else {
                const p = this.queue.shift();
                if (!p)
                    continue;
                clearTimeout(p.timer);
                if (pdu.error)
                    p.reject(new Error(`watchman: ${pdu.error}`));
                else
                    p.resolve(pdu);
            }
        }
    }
    onUnilateral(pdu) {
        const sub = this.subs.get(pdu.subscription);
        if (!sub)
            return;
        if (pdu.canceled) {
            this.subs.delete(pdu.subscription);
            sub.cb(null, [], 'canceled');
            return;
        }
        const first = sub.first;
        sub.first = false;
        if (pdu.is_fresh_instance && !first)
            return sub.cb(null, [], 'fresh');
        if (typeof pdu.warning === 'string' && /recrawl/i.test(pdu.warning))
            sub.cb(null, [], 'recrawl');
        const events = [];
        for (const f of (pdu.files ?? [])) {
            const path = sub.prefix + f.name;
            // new && !exists: created and deleted between two ticks; the parent still changed
            events.push({ path, type: !f.exists ? 'delete' : f.new ? 'create' : 'update' });
        }
        if (events.length)
            sub.cb(null, events);
    }
    fail(e) {
        if (this.closed)
            return;
        this.closed = true;
        for (const p of this.queue.splice(0)) {
            clearTimeout(p.timer);
            p.reject(e);
        }
        for (const s of this.subs.values())
            s.cb(e, []);
        this.subs.clear();
        this.sock?.destroy();
    }
    command(args, timeoutMs = this.timeoutMs) {
        if (this.closed || !this.sock)
            return Promise.reject(new Error('watchman connection is closed'));
        return new Promise((resolve, reject) => {
            const timer = sleepReject(timeoutMs, `watchman ${String(args[0])}`, (e) => {
                // a request that does not answer leaves the stream out of step: drop the connection
                reject(e);
                this.fail(e);
            });
            this.queue.push({ resolve, reject, timer });
            this.sock.write(JSON.stringify(args) + '\n');
        });
    }
    async watchList() {
        return (await this.command(['watch-list'])).roots ?? [];
    }
    /** Subscribe to `dir`; returns the subscription name and the watch root. */
    async subscribe(dir, ignoreDirs, cb, onRoot) {
        const wp = await this.command(['watch-project', dir]);
        const root = wp.watch;
        onRoot?.(root);
        const rel = wp.relative_path;
        const name = `strata-${process.pid}-${++this.seq}`;
        const q = { fields: ['name', 'exists', 'new', 'type'], empty_on_fresh_instance: true };
        if (rel)
            q.relative_root = rel;
        const ex = ignoreDirs.flatMap((d) => [
            ['dirname', d],
            ['name', d, 'wholename'],
        ]);
        if (ex.length)
            q.expression = ['not', ['anyof', ...ex]];
        this.subs.set(name, { root, prefix: dir + '/', cb, first: true });
        try {
            await this.command(['subscribe', root, name, q]);
        }
        catch (e) {
            this.subs.delete(name);
            throw e;
        }
        return { name, root };
    }
    async unsubscribe(root, name) {
        if (!this.subs.delete(name) || this.closed)
            return;
        await this.command(['unsubscribe', root, name]);
    }
    close() {
        this.closed = true;
        for (const p of this.queue.splice(0)) {
            clearTimeout(p.timer);
            p.reject(new Error('watchman connection closed'));
        }
        this.subs.clear();
        this.sock?.destroy();
    }
}
//# sourceMappingURL=watchman-client.js.map