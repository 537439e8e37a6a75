// Taking one source's snapshots for the daemon: under a shared repository
// lock (prune holds an exclusive one between snapshots), one at a time across
// the daemon's sources, on the latest snapshot still listed as parent, then
// thinning that source's snapshots by the retention policy.
import * as fs from 'node:fs';
import { isStrataError } from '../errors.js';
import { filterSnapshots, listSnapshots } from '../snapshot/manifest.js';
import { takeSnapshot } from '../snapshot/snapshotter.js';
import { applyRetention, policyIsEmpty } from '../snapshot/retention.js';
import { withLock } from '../store/lock.js';
export class SourceSnapshots {
    repo;
    opts;
    latest = null;
    constructor(repo, opts) {
        this.repo = repo;
        this.opts = opts;
    }
    async init() {
        this.latest = await this.parent();
    }
    async parent() {
        return filterSnapshots(await listSnapshots(this.repo), { source: this.opts.source, host: this.opts.host }).at(-1) ?? null;
    }
    /** One snapshot (only `dirty` re-read when given); null when abandoned. */
    async take(dirty) {
        const serialize = this.opts.serialize ?? ((fn) => fn());
        try {
            return await serialize(() => withLock(this.repo, { exclusive: false, command: 'watch', waitMs: this.opts.lockWaitMs ?? 10 * 60_000 }, async () => {
                if (this.opts.stopping())
                    return null;
                // forget or prune may have run since our last snapshot: trust only a parent that is still listed
                const current = await this.parent();
                if (this.latest && current?.id !== this.latest.id) {
                    this.opts.log('info', 'the latest snapshot changed outside this daemon (forget/prune?): re-scanning the whole tree');
                    dirty = undefined;
                }
                this.latest = current;
                const r = await takeSnapshot(this.repo, {
                    source: this.opts.source,
                    host: this.opts.host,
                    parent: this.latest,
                    dirty: this.latest ? dirty : undefined,
                    skipUnchanged: this.latest !== null,
                    exclude: this.opts.exclude,
                    tags: this.opts.tags,
                    signal: this.opts.signal,
                    onNotice: this.opts.onNotice,
                });
                if (r.snapshot?.id) {
                    this.latest = r.snapshot;
                    await this.thin();
                }
                return r;
            }));
        }
        catch (e) {
            if (isStrataError(e, 'E_ABORTED'))
                return null;
            throw e;
        }
    }
    /** Apply the retention policy to this source's own snapshots (host + source), after each snapshot. */
    async thin() {
        const policy = this.opts.retention;
        if (!policy || policyIsEmpty(policy))
            return;
        const plan = await applyRetention(this.repo, policy, { host: this.opts.host, source: this.opts.source });
        const removed = plan.reduce((n, g) => n + g.remove.length, 0);
        if (removed)
            this.opts.log('info', `retention: forgot ${removed} snapshot(s); run 'strata prune' to free their data`);
    }
}
/** Whether any directory marked as created now holds subdirectories (parcel's inotify backend never watches those). */
export function createdNestedDirs(root, marks) {
    for (const m of marks) {
        if (!(m.recursive || m.created) || m.dir === '')
            continue;
        try {
            const abs = Buffer.concat([Buffer.from(root + '/'), Buffer.from(m.dir, 'latin1')]);
            if (fs.readdirSync(abs, { withFileTypes: true }).some((d) => d.isDirectory()))
                return true;
        }
        catch {
            continue;
        }
    }
    return false;
}
//# sourceMappingURL=source-snapshots.js.map