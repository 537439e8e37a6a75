// What the server reads from the repository, through the engines only: the
// snapshot list (re-read on every request: another process may add snapshots,
// and the index may live outside the repository), snapshot references, tree
// entries by path, directory listings and file bytes (verified, ranged).
import * as path from 'node:path';
import { StrataError, isStrataError } from '../errors.js';
import { displayName } from '../fs/paths.js';
import { newHasher } from '../hash.js';
import { listSnapshots, resolveSnapshot, rootEntry } from '../snapshot/manifest.js';
import { fileChunks, loadTree, resolvePath } from '../tree/trees.js';
export const shortId = (s) => s.id.slice(0, 8);
export const mtimeIso = (e) => new Date(Number(e.mtimeNs / 1000000n)).toISOString();
/** A name per (host, source) for /dav/latest/: the source's base name, with @host or ~N when needed. */
export function sourceNames(snaps) {
    const lineages = new Map();
    for (const s of snaps)
        lineages.set(`${s.host}\0${s.source}`, { host: s.host, source: s.source });
    const base = (l) => path.basename(l.source) || 'root';
    const count = new Map();
    for (const l of lineages.values())
        count.set(base(l), (count.get(base(l)) ?? 0) + 1);
    const out = new Map();
    for (const l of lineages.values()) {
        let name = count.get(base(l)) > 1 ? `${base(l)}@${l.host}` : base(l);
        for (let n = 2; out.has(name); n++)
            name = `${base(l)}@${l.host}~${n}`;
        out.set(name, l);
    }
    return out;
}
export class RepoView {
    repo;
    /** directory listings being decoded right now (a second request waits for the first) */
    loading = new Map();
    constructor(repo) {
        this.repo = repo;
    }
    /**
     * Decode the root of each source's newest snapshot in the background, so
     * the first click on it is instant (a 100k-entry tree takes a few hundred
     * ms to decode; the tree cache then keeps it).
     */
    async warm() {
        const all = await this.snapshots();
        const latest = new Map(all.map((s) => [`${s.host}\0${s.source}`, s]));
        for (const s of latest.values())
            await this.list(rootEntry(s), '');
    }
    get location() {
        return this.repo.location;
    }
    snapshots() {
        return listSnapshots(this.repo);
    }
    /** An id prefix, latest or latest~N (optionally of one source). */
    snapshot(ref, source) {
        return resolveSnapshot(this.repo, ref, { source });
    }
    entry(s, p) {
        return resolvePath(this.repo, rootEntry(s), p);
    }
    /** The entry, or undefined when the path is absent. */
    async entryOrNone(s, p) {
        try {
            return await this.entry(s, p);
        }
        catch (e) {
            if (isStrataError(e, 'E_NO_PATH'))
                return undefined;
            throw e;
        }
    }
    async list(dir, where) {
        if (dir.kind !== 'dir')
            throw new StrataError('E_NOT_DIR', `${where || '/'} is a ${dir.kind}, not a directory`);
        const key = dir.subtree.toString('hex');
        const busy = this.loading.get(key);
        if (busy)
            return busy;
        const p = loadTree(this.repo, dir.subtree).finally(() => this.loading.delete(key));
        this.loading.set(key, p);
        return p;
    }
    /**
     * The bytes start..end (inclusive) of a file, chunk by chunk. Every chunk is
     * verified by the store; a whole read also checks the file hash and throws
     * E_CORRUPT at the end if it differs.
     */
    async *bytes(e, where, start = 0, end = e.size - 1) {
        if (e.kind !== 'file')
            throw new StrataError('E_NOT_FILE', `${where} is a ${e.kind}, not a file`);
        const chunks = await fileChunks(this.repo, e.content);
        const whole = start === 0 && end === e.size - 1 ? newHasher() : undefined;
        let off = 0;
        for (const h of chunks) {
            if (off > end)
                break;
            const data = await this.repo.getBlob(h);
            const from = off;
            off += data.length;
            whole?.update(data);
            if (off <= start)
                continue;
            yield data.subarray(Math.max(0, start - from), Math.min(data.length, end + 1 - from));
        }
        if (whole) {
            const got = whole.digest();
            if (!got.equals(e.content.hash))
                throw new StrataError('E_CORRUPT', `${where}: content does not match its hash`);
        }
    }
    /** A whole small file as one buffer (text diffs, previews); refuses above `max` bytes. */
    async read(e, where, max) {
        if (e.kind === 'file' && e.size > max)
            throw new StrataError('E_USAGE', `${where} is larger than ${max} bytes`);
        const parts = [];
        for await (const b of this.bytes(e, where))
            parts.push(Buffer.from(b));
        return Buffer.concat(parts);
    }
}
export const entryName = (e) => displayName(e.name);
//# sourceMappingURL=repo-view.js.map