// The API calls that are not plain reads: POST /api/restore (to a path on the
// server's machine, dry run first, then with confirm; never into or around the
// repository) and GET /api/events (Server-Sent Events: the snapshot list
// changed), polled from the listing function so other writers are seen.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StrataError } from '../errors.js';
import { restore } from '../restore/restorer.js';
import { HttpError, cleanPath, readJson, sendJson } from './http-util.js';
import { shortId } from './repo-view.js';
/** The real path of p, or of its nearest existing ancestor plus the rest. */
function realish(p) {
    let cur = path.resolve(p);
    const rest = [];
    for (;;) {
        try {
            return path.join(fs.realpathSync(cur), ...rest.reverse());
        }
        catch {
            const up = path.dirname(cur);
            if (up === cur)
                return path.join(cur, ...rest.reverse());
            rest.push(path.basename(cur));
            cur = up;
        }
    }
}
const inside = (child, parent) => child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
/** Refuse targets inside the repository, or that contain it. */
export function checkTarget(target, repoDir) {
    if (!path.isAbsolute(target))
        throw new StrataError('E_USAGE', `restore target must be an absolute path on the server: ${target}`);
    const t = realish(target);
    const r = realish(repoDir);
    if (inside(t, r))
        throw new StrataError('E_USAGE', `refusing to restore into the repository: ${target}`);
    if (inside(r, t))
        throw new StrataError('E_USAGE', `refusing to restore into a directory that contains the repository: ${target}`);
    return target;
}
export async function handleRestore(view, req, res) {
    if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
        throw new HttpError(415, 'restore takes a JSON body (content-type application/json)');
    const body = (await readJson(req));
    if (typeof body.snap !== 'string' || typeof body.target !== 'string')
        throw new HttpError(400, 'restore needs snap and target (strings)');
    const snapshot = await view.snapshot(body.snap);
    const p = cleanPath(typeof body.path === 'string' ? body.path : '');
    const entry = await view.entry(snapshot, p);
    const target = checkTarget(body.target, view.location);
    const dryRun = body.confirm !== true;
    const actions = [];
    const notices = [];
    const stats = await restore(view.repo, {
        entry,
        target,
        skipIdentical: true,
        dryRun,
        onAction: dryRun ? (a) => void (actions.length < 1000 && actions.push({ ...a })) : undefined,
        onNotice: (n) => void notices.push(`${n.path}: ${n.message}`),
    });
    sendJson(res, { snapshot: shortId(snapshot), path: p, target, dryRun, actions, notices, ...stats }, stats.errors ? 500 : 200);
}
/** One poller shared by all event streams; runs only while someone listens. */
export class SnapshotEvents {
    view;
    intervalMs;
    clients = new Set();
    timer;
    polling = false;
    last = '';
    lastMsg = '';
    constructor(view, intervalMs) {
        this.view = view;
        this.intervalMs = intervalMs;
    }
    attach(req, res) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': strata\n\n' + this.lastMsg); // a new listener starts from the current state
        this.clients.add(res);
        req.on('close', () => {
            this.clients.delete(res);
            if (this.clients.size === 0)
                this.stop();
        });
        if (!this.timer && !this.polling)
            this.schedule(0);
    }
    schedule(ms) {
        this.timer = setTimeout(() => void this.poll(), ms);
        this.timer.unref();
    }
    async poll() {
        this.polling = true;
        this.timer = undefined;
        try {
            const all = await this.view.snapshots();
            const key = `${all.length}:${all.at(-1)?.id ?? ''}`;
            if (key !== this.last) {
                this.last = key;
                const msg = `event: snapshots\ndata: ${JSON.stringify({ count: all.length, latest: all.at(-1)?.id ?? null })}\n\n`;
                this.lastMsg = msg;
                for (const c of this.clients)
                    c.write(msg);
            }
        }
        catch {
            // a transient read error (a writer mid-commit): try again next round
        }
        this.polling = false;
        if (this.clients.size > 0 && !this.timer)
            this.schedule(this.intervalMs);
    }
    stop() {
        clearTimeout(this.timer);
        this.timer = undefined;
    }
    closeAll() {
        this.stop();
        for (const c of this.clients)
            c.end();
        this.clients.clear();
    }
}
//# sourceMappingURL=actions.js.map