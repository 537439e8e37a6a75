// The snapshotter: turns the source directory into a new root tree and a
// manifest. With a dirty trie it re-reads only dirty directories and reuses
// every clean subtree of the parent snapshot by hash; without one it re-lists
// the whole tree (a stat-only walk: the stat cache spares unchanged files).
// Problems with single paths are reported and skipped; the snapshot completes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Chunker } from '../chunker.js';
import { StrataError, isStrataError } from '../errors.js';
import { lstatRaw, metaOf } from '../fs/dir-entry.js';
import { readExtras } from '../fs/entry-extras.js';
import { displayName } from '../fs/paths.js';
import { dropMissingPacks } from '../store/lost-blobs.js';
import { isRepositoryWriteError } from '../store/repository.js';
import { XATTR_INLINE_MAX } from '../tree/codec.js';
import { repoTreeSink } from '../tree/trees.js';
import { DirBuilder } from './dir-builder.js';
import { FileSaver } from './file-saver.js';
import { IgnoreRules } from './ignore-rules.js';
import { saveManifest } from './manifest.js';
import { DirCache, StatCache } from './stat-cache.js';
const LIST_MAX = 1000;
/** The index's prune epoch when this process last snapshotted into a repository (the watch daemon's long-lived one). */
const epochAtLastSnapshot = new WeakMap();
export async function takeSnapshot(repo, req) {
    const started = Date.now();
    const source = path.resolve(req.source);
    const host = req.host ?? os.hostname();
    const counters = { bytesRead: 0, filesRead: 0 };
    const progress = { files: 0, bytes: 0, bytesRead: 0, path: '' };
    const skipped = [];
    const warnings = [];
    let skippedCount = 0;
    let warningCount = 0;
    let lastTick = 0;
    const writeBase = { ...repo.writeStats };
    const writer = req.dryRun ? null : repo;
    // a pack file that is gone: its blobs leave the index first, so this snapshot stores them again.
    // Only on full listings (one-shot snapshots, the daemon's catch-up and reconcile): it lists packs/,
    // which an event-driven snapshot must not pay for (on S3 that is a listing of every pack)
    if (!req.dryRun && !req.dirty) {
        const lost = await dropMissingPacks(repo.index, repo.store);
        if (lost.packs.length) {
            const p = { path: '.', code: 'W_LOST_PACKS', message: `${lost.packs.length} pack file(s) of the repository are missing (${lost.packs.map((h) => h.slice(0, 12)).join(', ')}); their ${lost.blobs} blobs were dropped from the index and are stored again from the source where it still has it. Run 'strata check'` };
            warningCount++;
            warnings.push(p);
            req.onNotice?.({ ...p, skipped: false });
        }
    }
    const notice = (rel, code, message, isSkipped) => {
        const p = { path: displayName(rel) || '.', code, message };
        if (isSkipped) {
            if (skippedCount++ < LIST_MAX)
                skipped.push(p);
        }
        else if (warningCount++ < LIST_MAX)
            warnings.push(p);
        req.onNotice?.({ ...p, skipped: isSkipped });
    };
    const src = Buffer.from(source);
    let st;
    try {
        st = lstatRaw(src);
    }
    catch (e) {
        throw new StrataError('E_SOURCE', `cannot read source ${source}: ${e.message}`, { cause: e });
    }
    if (!st.isDirectory())
        throw new StrataError('E_SOURCE', `source ${source} is not a directory`);
    const repoAbs = path.resolve(repo.location);
    let repoReal = repoAbs;
    try {
        repoReal = fs.realpathSync(repoAbs);
    }
    catch { }
    // never back up the repository itself, nor this host's cache of it (it changes as we go)
    const cacheAt = repo.scratchDir ? [path.dirname(repo.scratchDir)] : [];
    const rules = IgnoreRules.root(req.exclude ?? [], [repoAbs, repoReal, ...cacheAt], {
        excludeCaches: req.excludeCaches,
        maxFileSize: req.excludeLargerThan,
        device: req.oneFileSystem ? st.dev : undefined,
    });
    const parent = req.parent ?? null;
    // the parent's clean subtrees are reused unchecked: not after blobs left the index (lost-blobs.ts, or
    // a prune) since this process's previous snapshot; then this one walks everything (stat cache checks)
    const epoch = repo.index.pruneEpoch();
    const seenEpoch = epochAtLastSnapshot.get(repo);
    if (!req.dryRun)
        epochAtLastSnapshot.set(repo, epoch);
    const dirty = seenEpoch !== undefined && seenEpoch !== epoch ? null : (req.dirty ?? null);
    const old = parent && dirty ? { subtree: Buffer.from(parent.root, 'hex'), files: parent.stats.files, dirs: parent.stats.dirs, size: parent.stats.bytes } : null;
    const builder = new DirBuilder({
        repo,
        sink: req.treeSink ?? repoTreeSink(writer, repo.ids),
        saver: new FileSaver(writer, repo.ids, new Chunker(repo.config.chunker), counters),
        statCache: new StatCache(repo.index, host, source, epoch),
        dirCache: new DirCache(repo.index, host, source, epoch),
        dryRun: !!req.dryRun,
        prescan: req.prescan ?? undefined,
        full: !!req.full,
        signal: req.signal,
        moves: old && dirty ? { root: src, parentRoot: old.subtree, dirty } : undefined,
        notice,
        onFile(rel, size) {
            progress.files++;
            progress.bytes += size;
            const now = Date.now();
            if (req.onProgress && now - lastTick >= 200) {
                lastTick = now;
                progress.path = rel;
                progress.bytesRead = counters.bytesRead;
                req.onProgress(progress);
            }
        },
        onFiles(count, bytes) {
            progress.files += count;
            progress.bytes += bytes;
        },
    });
    let root;
    try {
        root = await builder.build(src, Buffer.alloc(0), rules, dirty, old, st);
    }
    catch (e) {
        if (isStrataError(e) || isRepositoryWriteError(e))
            throw e; // a repository write failure is not the source's
        throw new StrataError('E_SOURCE', `cannot read source ${source}: ${e.message}`, { cause: e });
    }
    finally {
        req.prescan?.stop();
    }
    if (!req.dryRun) {
        await repo.flush();
        builder.commitRecords(); // only now: a directory record vouches for blobs that are durable and indexed
    }
    const meta = metaOf(st);
    const rootHex = root.subtree.toString('hex');
    const rootMeta = { mode: meta.mode, uid: meta.uid, gid: meta.gid, mtimeNs: meta.mtimeNs.toString() };
    const rootXattrs = sourceXattrs(src, st, (message) => notice(Buffer.alloc(0), 'W_XATTR', message, false));
    if (rootXattrs.length)
        rootMeta.xattrs = rootXattrs;
    const unchanged = parent !== null && parent.root === rootHex;
    const base = { root: rootHex, retry: builder.retry, dirsScanned: builder.dirsScanned, dirsReused: builder.dirsReused, dirsListed: builder.dirsListed, dirsMoved: builder.dirsMoved, dirsVerified: builder.dirsVerified };
    if (unchanged && req.skipUnchanged)
        return { ...base, snapshot: null };
    const stats = {
        files: root.files,
        dirs: root.dirs,
        bytes: root.size,
        bytesRead: counters.bytesRead,
        filesRead: counters.filesRead,
        bytesAdded: repo.writeStats.bytesAdded - writeBase.bytesAdded,
        blobsAdded: repo.writeStats.blobsAdded - writeBase.blobsAdded,
        dirsScanned: builder.dirsScanned,
        dirsListed: builder.dirsListed,
        dirsMoved: builder.dirsMoved,
        durationMs: Date.now() - started,
    };
    const manifest = {
        version: 1,
        time: new Date().toISOString(),
        host,
        source,
        root: rootHex,
        rootMeta,
        parent: parent?.id ?? null,
        unchanged,
        stats,
        skipped,
        skippedCount,
        warnings,
        warningCount,
        ...(req.tags?.length ? { tags: [...new Set(req.tags)] } : {}),
        ...(req.paths?.length ? { paths: [...req.paths] } : {}),
    };
    if (req.dryRun)
        return { ...base, snapshot: { ...manifest, id: null } };
    const saved = await saveManifest(repo, manifest);
    return { ...base, snapshot: saved };
}
/** The source directory's own extended attributes for `rootMeta` (inline only: values over 4 KiB are left out with a warning). */
function sourceXattrs(src, st, problem) {
    const x = readExtras(src, 'dir', st, problem);
    const out = [];
    for (const { name, value } of x.xattrs ?? []) {
        if (value.length > XATTR_INLINE_MAX)
            problem(`extended attribute ${name.toString()} of the source directory itself not kept: ${value.length} bytes (at most ${XATTR_INLINE_MAX})`);
        else
            out.push({ name: name.toString('base64'), value: value.toString('base64') });
    }
    return out;
}
//# sourceMappingURL=snapshotter.js.map