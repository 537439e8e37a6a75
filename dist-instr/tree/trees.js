// Loading and saving tree objects through the narrow blob interfaces, plus
// path lookup inside a tree. A small LRU keeps recently decoded trees, since
// walks revisit parents and snapshots share most subtrees.
import { StrataError } from '../errors.js';
import { parseDisplayName } from '../fs/paths.js';
import { BLOB_CHUNKLIST, BLOB_TREE } from '../store/pack.js';
import { MAX_INLINE_CHUNKS, decodeChunkList, decodeTree, encodeChunkList, encodeTree } from './codec.js';
// Bounded by entries, not trees: one flat directory can hold 100k entries.
// Cached arrays are shared: callers must not mutate them.
const CACHE_MAX_ENTRIES = 150_000;
const cache = new Map();
let cachedEntries = 0;
function remember(hex, entries) {
    if (entries.length > CACHE_MAX_ENTRIES * 0.8 || cache.has(hex))
        return;
    cache.set(hex, entries);
    cachedEntries += entries.length;
    while (cachedEntries > CACHE_MAX_ENTRIES) {
        const [oldest, old] = cache.entries().next().value;
        cache.delete(oldest);
        cachedEntries -= old.length;
    }
}
/** A tree decoded elsewhere (restore's prefetch of many trees by ranged reads) joins the cache; `hash` must name it. */
export function rememberTree(hash, entries) {
    remember(hash.toString('hex'), entries);
}
/** Whether loadTree would answer from the cache. */
export function isTreeCached(hash) {
    return cache.has(hash.toString('hex'));
}
export async function loadTree(repo, hash) {
    const hex = hash.toString('hex');
    const hit = cache.get(hex);
    if (hit) {
        cache.delete(hex);
        cache.set(hex, hit);
        return hit;
    }
    const entries = decodeTree(await repo.getBlob(hash));
    remember(hex, entries);
    return entries;
}
/** Saves into a repository (BlobWriter); a dry-run sink (null) only names trees, with `ids`. */
export function repoTreeSink(repo, ids) {
    return {
        async saveTree(entries) {
            const raw = encodeTree(entries);
            const hash = ids.blobId(raw);
            const added = repo ? await repo.putBlob(BLOB_TREE, hash, raw) : false;
            // large trees are re-read right after a change in them (the watch daemon): keep them decoded
            if (entries.length >= 1000)
                remember(hash.toString('hex'), entries);
            return { hash, added };
        },
    };
}
/** Build a file's content reference (`hash`: the plain content hash; `chunks`: ids), spilling long chunk lists into a blob. */
export async function makeFileContent(repo, ids, hash, chunks) {
    if (chunks.length <= MAX_INLINE_CHUNKS)
        return { hash, chunks };
    const raw = encodeChunkList(chunks);
    const listHash = ids.blobId(raw);
    if (repo)
        await repo.putBlob(BLOB_CHUNKLIST, listHash, raw);
    return { hash, chunkList: listHash };
}
export async function fileChunks(repo, c) {
    return c.chunkList ? decodeChunkList(await repo.getBlob(c.chunkList)) : c.chunks;
}
/** Split "a/b/c" into raw name components (UTF-8), ignoring empty and "." parts. */
export function splitPath(p) {
    const parts = p.split('/').filter((s) => s !== '' && s !== '.');
    if (parts.includes('..'))
        throw new StrataError('E_USAGE', `path may not contain '..': ${p}`);
    return parts.map((s) => parseDisplayName(s));
}
/** splitPath without unquoting: for a name that literally looks quoted. */
function splitPathLiteral(p) {
    return p
        .split('/')
        .filter((s) => s !== '' && s !== '.')
        .map((s) => (s.startsWith('"') ? Buffer.from(s, 'utf8') : undefined));
}
export function findEntry(entries, name) {
    let lo = 0;
    let hi = entries.length - 1;
    while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const c = Buffer.compare(entries[mid].name, name);
        if (c === 0)
            return entries[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return undefined;
}
/**
 * Resolve a path inside a snapshot's root tree. Returns a synthetic directory
 * entry for the root itself when the path is empty.
 */
export async function resolvePath(repo, root, p) {
    let cur = root;
    const parts = splitPath(p);
    const literal = splitPathLiteral(p);
    for (let i = 0; i < parts.length; i++) {
        if (cur.kind !== 'dir')
            throw new StrataError('E_NO_PATH', `${parts.slice(0, i).join('/')} is not a directory in this snapshot`);
        const entries = await loadTree(repo, cur.subtree);
        // a name is given as displayed (Go-quoted when it needs it); a literal quoted-looking name still matches
        const next = findEntry(entries, parts[i]) ?? (literal[i] ? findEntry(entries, literal[i]) : undefined);
        if (!next)
            throw new StrataError('E_NO_PATH', `path not found in snapshot: ${p}`);
        cur = next;
    }
    return cur;
}
//# sourceMappingURL=trees.js.map