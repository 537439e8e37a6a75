// `strata repair snapshots` (restic's name): rewrite every snapshot that
// references data the index does not have (a lost pack, a corrupted blob
// dropped by check or repair), leaving out exactly the files and directories
// that cannot be restored, so the rest of each snapshot stays restorable. Every
// dropped path is named (and recorded as a W_REPAIRED warning in the new
// manifest). Crash-safe: new trees are durable and indexed before the new
// manifest is written, and the old manifest goes only after that; rerunning
// after a crash produces the same manifest (same bytes, same id).
import { displayName } from '../fs/paths.js';
import { listSnapshots, deleteSnapshot, saveManifest } from '../snapshot/manifest.js';
import { faultPoint } from '../fault.js';
import { decodeTree, sortEntries } from '../tree/codec.js';
import { fileChunks, repoTreeSink } from '../tree/trees.js';
import { Reacher, breathe } from './reach.js';
/** Paths listed per snapshot (the count covers all). */
const MAX_PATHS = 1000;
/** For each snapshot, the paths whose data the index does not have (none: not listed). */
export async function lostPaths(repo) {
    const out = [];
    const visited = repo.newMarkSet();
    try {
        for (const s of await listSnapshots(repo)) {
            const lost = { snapshot: s.id, time: s.time, source: s.source, count: 0, paths: [] };
            const reacher = new Reacher(repo, {
                visited,
                onRef: (h) => (repo.index.hasBlob(h) ? null : 'lost'),
                onProblem: (p) => {
                    lost.count++;
                    if (lost.paths.length < MAX_PATHS)
                        lost.paths.push(p.path ?? '/');
                },
            });
            await reacher.walk(s);
            if (lost.count)
                out.push(lost);
        }
    }
    finally {
        await visited.close();
    }
    return out;
}
class Rewriter {
    repo;
    dryRun;
    memo = new Map();
    loads = 0;
    constructor(repo, dryRun) {
        this.repo = repo;
        this.dryRun = dryRun;
    }
    async fileIntact(e) {
        try {
            const chunks = await fileChunks(this.repo, e.content);
            return chunks.every((h) => this.repo.index.hasBlob(h));
        }
        catch {
            return false; // the chunk list is lost
        }
    }
    async tree(hash) {
        const key = hash.toString('hex');
        const known = this.memo.get(key);
        if (known)
            return known;
        if (++this.loads % 500 === 0)
            await breathe();
        let entries;
        try {
            if (!this.repo.index.hasBlob(hash))
                throw new Error('lost');
            entries = decodeTree(await this.repo.getBlob(hash));
        }
        catch {
            const r = { hash: null, dropped: [], files: 0, dirs: 0, size: 0 };
            this.memo.set(key, r);
            return r;
        }
        const kept = [];
        const dropped = [];
        let files = 0;
        let dirs = 0;
        let size = 0;
        let changed = false;
        for (const e of entries) {
            const name = displayName(e.name);
            if (e.kind === 'dir') {
                const sub = await this.tree(e.subtree);
                if (!sub.hash) {
                    dropped.push(`${name}/`);
                    changed = true;
                    continue;
                }
                for (const d of sub.dropped)
                    dropped.push(`${name}/${d}`);
                const ne = sub.hash.equals(e.subtree) ? e : { ...e, subtree: sub.hash, files: sub.files, dirs: sub.dirs, size: sub.size };
                if (ne !== e)
                    changed = true;
                kept.push(ne);
                files += ne.files ?? 0;
                dirs += (ne.dirs ?? 0) + 1;
                size += ne.size;
            }
            else if (e.kind === 'file' && !(await this.fileIntact(e))) {
                dropped.push(name);
                changed = true;
            }
            else {
                kept.push(e);
                if (e.kind === 'file') {
                    files++;
                    size += e.size;
                }
            }
        }
        let out = hash;
        if (changed)
            out = this.dryRun ? Buffer.alloc(32) : (await repoTreeSink(this.repo, this.repo.ids).saveTree(sortEntries(kept))).hash;
        const r = { hash: out, dropped, files, dirs, size };
        this.memo.set(key, r);
        return r;
    }
}
/**
 * Rewrite the snapshots that reference lost data. The caller holds the
 * exclusive lock (a concurrent prune must not see half-written trees).
 */
export async function repairSnapshots(repo, opts = {}) {
    repo.requireWholeIndex('repair snapshots');
    const out = [];
    const rw = new Rewriter(repo, !!opts.dryRun);
    for (const s of await listSnapshots(repo)) {
        opts.onProgress?.(`snapshot ${s.id.slice(0, 8)}`);
        const r = await rw.tree(Buffer.from(s.root, 'hex'));
        if (!r.hash) {
            out.push({ snapshot: s.id, time: s.time, source: s.source, dropped: ['/'], newId: null, unrecoverable: `its root directory tree ${s.root.slice(0, 16)} is lost; nothing of it can be restored: remove it with 'strata forget ${s.id.slice(0, 12)}'` });
            continue;
        }
        if (r.dropped.length === 0)
            continue;
        const rep = { snapshot: s.id, time: s.time, source: s.source, dropped: r.dropped, newId: null };
        out.push(rep);
        if (opts.dryRun)
            continue;
        await repo.flush(); // the new trees are durable and indexed before any manifest names them
        faultPoint('repair');
        const notes = r.dropped.map((p) => ({ path: p, code: 'W_REPAIRED', message: `left out by 'strata repair snapshots': its data was lost (snapshot ${s.id.slice(0, 12)})` }));
        const { id: _id, ...m } = s;
        const next = {
            ...m,
            root: r.hash.toString('hex'),
            stats: { ...m.stats, files: r.files, dirs: r.dirs, bytes: r.size },
            warnings: [...m.warnings, ...notes].slice(0, 1000),
            warningCount: m.warningCount + notes.length,
        };
        const saved = await saveManifest(repo, next);
        faultPoint('repair');
        await deleteSnapshot(repo, s.id);
        faultPoint('repair');
        rep.newId = saved.id;
    }
    return out;
}
//# sourceMappingURL=repair-snapshots.js.map