// The JSON API the page uses (GET /api/...): snapshots, lazy directory
// listings, find by glob, the log of a path, the diff of two snapshots, a text
// diff of two versions of a file, file bytes (with Range) and directory
// archives. Restore and live events live in actions.ts.
import { StrataError } from '../errors.js';
import { pathHistory, versionHash } from '../snapshot/history.js';
import { filterSnapshots } from '../snapshot/manifest.js';
import { diffEntries } from '../tree/diff.js';
import { Finder, compileGlob } from '../tree/find.js';
import { displayName } from '../fs/paths.js';
import { tarStream, walk, zipStream } from './archive.js';
import { HttpError, cleanPath, contentType, disposition, parseRange, sendJson } from './http-util.js';
import { entryName, mtimeIso, shortId, sourceNames } from './repo-view.js';
import { lineDiff } from './text-diff.js';
const TEXT_DIFF_MAX = 2 << 20;
const FIND_LIMIT = 2000;
export function snapJson(s, name) {
    return {
        id: s.id,
        shortId: shortId(s),
        time: s.time,
        host: s.host,
        source: s.source,
        sourceName: name,
        files: s.stats.files,
        dirs: s.stats.dirs,
        bytes: s.stats.bytes,
        bytesAdded: s.stats.bytesAdded,
        filesRead: s.stats.filesRead,
        unchanged: s.unchanged,
    };
}
export function entryJson(e, path) {
    return {
        name: entryName(e),
        path,
        type: e.kind,
        mode: e.mode,
        size: e.size,
        mtime: mtimeIso(e),
        ...(e.content ? { hash: e.content.hash.toString('hex') } : {}),
        ...(e.subtree ? { files: e.files ?? 0, dirs: e.dirs ?? 0 } : {}),
        ...(e.target ? { target: displayName(e.target) } : {}),
    };
}
const join = (a, b) => (a ? `${a}/${b}` : b);
function need(q, name) {
    const v = q.get(name);
    if (!v)
        throw new HttpError(400, `missing query parameter ${name}`);
    return v;
}
function intParam(q, name, dflt, max) {
    const v = q.get(name);
    if (v === null)
        return dflt;
    if (!/^\d+$/.test(v))
        throw new HttpError(400, `${name} must be a number`);
    return Math.min(Number(v), max);
}
async function at(view, q, key = 'snap') {
    const snapshot = await view.snapshot(need(q, key));
    const path = cleanPath(q.get('path'));
    return { snapshot, path, entry: await view.entry(snapshot, path) };
}
/** Stream an async iterable of buffers into the response, honouring back-pressure. */
export async function pipe(res, body) {
    for await (const b of body) {
        if (res.destroyed)
            return;
        if (!res.write(b)) {
            await new Promise((r) => {
                const done = () => {
                    res.off('drain', done).off('close', done);
                    r();
                };
                res.on('drain', done).on('close', done);
            });
        }
    }
    res.end();
}
/** Send a file's bytes (ranged when asked); shared with WebDAV. */
export async function sendFile(view, req, res, e, where, headers) {
    const range = parseRange(req.headers.range, e.size);
    const common = { 'accept-ranges': 'bytes', 'last-modified': new Date(mtimeIso(e)).toUTCString(), etag: `"${e.content.hash.toString('hex')}"`, ...headers };
    if (range === null) {
        res.writeHead(416, { ...common, 'content-range': `bytes */${e.size}` });
        return void res.end();
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? e.size - 1;
    const head = () => res.writeHead(range ? 206 : 200, { ...common, 'content-length': String(end - start + 1), ...(range ? { 'content-range': `bytes ${start}-${end}/${e.size}` } : {}) });
    if (req.method === 'HEAD' || e.size === 0)
        return void head().end();
    // the first chunk is read (and verified) before the status goes out, so a damaged
    // one is a clean 500; a later one cuts the connection short: never wrong bytes
    const body = view.bytes(e, where, start, end);
    const first = await body.next();
    head();
    if (!first.done)
        res.write(first.value);
    await pipe(res, body);
}
export async function handleApi(view, req, res, url) {
    const q = url.searchParams;
    const route = url.pathname.slice('/api/'.length);
    switch (route) {
        case 'snapshots': {
            const all = await view.snapshots();
            const names = new Map([...sourceNames(all)].map(([n, l]) => [`${l.host}\0${l.source}`, n]));
            return sendJson(res, { repository: view.location, snapshots: all.map((s) => snapJson(s, names.get(`${s.host}\0${s.source}`))) });
        }
        case 'ls': {
            const { snapshot, path, entry } = await at(view, q);
            const offset = intParam(q, 'offset', 0, Number.MAX_SAFE_INTEGER);
            const limit = intParam(q, 'limit', 1000, 10000);
            const list = entry.kind === 'dir' ? await view.list(entry, path) : [entry];
            const page = list.slice(offset, offset + limit).map((e) => entryJson(e, entry.kind === 'dir' ? join(path, entryName(e)) : path));
            return sendJson(res, { snapshot: snapJson(snapshot), path, type: entry.kind, total: list.length, offset, entries: page });
        }
        case 'find': {
            const snapshot = await view.snapshot(need(q, 'snap'));
            const finder = new Finder(view.repo, compileGlob(need(q, 'glob')));
            const found = await finder.find(Buffer.from(snapshot.root, 'hex'));
            return sendJson(res, { snapshot: snapJson(snapshot), total: found.length, matches: found.slice(0, FIND_LIMIT).map((f) => entryJson(f.entry, f.path)) });
        }
        case 'log': {
            const path = cleanPath(need(q, 'path'));
            const all = await view.snapshots();
            const ref = q.get('snap');
            const lineage = ref ? await view.snapshot(ref) : undefined;
            const snaps = lineage ? filterSnapshots(all, { source: lineage.source, host: lineage.host }) : all;
            const h = await pathHistory(view.repo, snaps, path);
            return sendJson(res, {
                path: h.path,
                snapshots: h.snapshots,
                versions: h.versions.map((v) => ({
                    snapshot: v.snapshot.id,
                    shortId: shortId(v.snapshot),
                    time: v.snapshot.time,
                    status: v.status,
                    kind: v.entry?.kind ?? null,
                    size: v.entry ? v.entry.size : null,
                    hash: v.entry ? (versionHash(v.entry) ?? null) : null,
                    mtime: v.entry ? mtimeIso(v.entry) : null,
                })),
            });
        }
        case 'diff': {
            const a = await view.snapshot(need(q, 'a'));
            const b = await view.snapshot(need(q, 'b'));
            const path = cleanPath(q.get('path'));
            const ea = await view.entryOrNone(a, path);
            const eb = await view.entryOrNone(b, path);
            if (!ea && !eb)
                throw new StrataError('E_NO_PATH', `path not found in either snapshot: ${path} (${shortId(a)}, ${shortId(b)})`);
            const r = await diffEntries(view.repo, ea, eb, path);
            return sendJson(res, { a: snapJson(a), b: snapJson(b), path, changes: r.changes });
        }
        case 'textdiff': {
            const a = await view.snapshot(need(q, 'a'));
            const b = await view.snapshot(need(q, 'b'));
            const path = cleanPath(need(q, 'path'));
            const read = async (s) => {
                const e = await view.entryOrNone(s, path);
                if (!e)
                    return Buffer.alloc(0);
                if (e.kind !== 'file')
                    throw new StrataError('E_NOT_FILE', `${path} in ${shortId(s)} is a ${e.kind}, not a file`);
                return view.read(e, `${shortId(s)}:${path}`, TEXT_DIFF_MAX);
            };
            const [x, y] = [await read(a), await read(b)];
            if (x.includes(0) || y.includes(0))
                return sendJson(res, { path, binary: true, lines: [] });
            return sendJson(res, { path, binary: false, lines: lineDiff(x.toString('utf8'), y.toString('utf8')) });
        }
        case 'file': {
            const { snapshot, path, entry } = await at(view, q);
            if (entry.kind !== 'file')
                throw new StrataError('E_NOT_FILE', `${path || '/'} is a ${entry.kind}, not a file`);
            const name = path.slice(path.lastIndexOf('/') + 1);
            const type = contentType(name);
            const headers = {
                'content-type': q.get('download') ? 'application/octet-stream' : type,
                'content-disposition': disposition(q.get('download') ? 'attachment' : 'inline', name),
                'content-security-policy': 'sandbox; default-src none',
                'x-content-type-options': 'nosniff',
            };
            return sendFile(view, req, res, entry, `${shortId(snapshot)}:${path}`, headers);
        }
        case 'archive': {
            const { snapshot, path, entry } = await at(view, q);
            const format = q.get('format') ?? 'tar';
            if (format !== 'tar' && format !== 'zip')
                throw new HttpError(400, `format must be tar or zip, not ${format}`);
            if (entry.kind !== 'dir')
                throw new StrataError('E_NOT_DIR', `${path || '/'} is a ${entry.kind}, not a directory`);
            const base = path ? path.slice(path.lastIndexOf('/') + 1) : `strata-${shortId(snapshot)}`;
            res.writeHead(200, { 'content-type': format === 'tar' ? 'application/x-tar' : 'application/zip', 'content-disposition': disposition('attachment', `${base}.${format}`) });
            if (req.method === 'HEAD')
                return void res.end();
            const items = walk(view, entry, base);
            return pipe(res, format === 'tar' ? tarStream(view, items) : zipStream(view, items));
        }
        default:
            throw new HttpError(404, `no such API call: ${url.pathname}`);
    }
}
//# sourceMappingURL=api.js.map