// Read-only WebDAV under /dav/: OPTIONS, PROPFIND (depth 0 or 1), GET and
// HEAD (with Range). The namespace:
//   /dav/                       ids/ and latest/
//   /dav/ids/<short id>/...     every snapshot, by the first 8 hex digits (more if two share them)
//   /dav/latest/<source>/...    the newest snapshot of each source (names: repo-view.ts)
// Symlinks are resources of their own (GET returns the link text), never followed.
import { StrataError } from '../errors.js';
import { displayName } from '../fs/paths.js';
import { sendFile } from './api.js';
import { HttpError, decodeSegments } from './http-util.js';
import { entryName, mtimeIso, sourceNames } from './repo-view.js';
const ALLOW = 'OPTIONS, PROPFIND, GET, HEAD';
const esc = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const hrefOf = (segs, dir) => '/dav/' + segs.map(encodeURIComponent).join('/') + (dir && segs.length ? '/' : '');
function virtualDir(segs, mtime = new Date(0)) {
    return { href: hrefOf(segs, true), name: segs.at(-1) ?? '', dir: true, size: 0, mtime };
}
function entryNode(segs, e) {
    const dir = e.kind === 'dir';
    return {
        href: hrefOf(segs, dir),
        name: entryName(e),
        dir,
        size: e.kind === 'file' ? e.size : e.kind === 'symlink' ? e.target.length : dir ? 0 : 0,
        mtime: new Date(mtimeIso(e)),
        etag: e.content?.hash.toString('hex') ?? e.subtree?.toString('hex'),
        type: e.kind === 'symlink' ? 'inode/symlink' : e.kind === 'file' ? 'application/octet-stream' : undefined,
        entry: e,
    };
}
function propXml(n) {
    return (`<d:response><d:href>${esc(n.href)}</d:href><d:propstat><d:prop>` +
        `<d:displayname>${esc(n.name)}</d:displayname>` +
        `<d:resourcetype>${n.dir ? '<d:collection/>' : ''}</d:resourcetype>` +
        (n.dir ? '' : `<d:getcontentlength>${n.size}</d:getcontentlength>`) +
        `<d:getlastmodified>${n.mtime.toUTCString()}</d:getlastmodified>` +
        (n.etag ? `<d:getetag>"${n.etag}"</d:getetag>` : '') +
        (n.type ? `<d:getcontenttype>${n.type}</d:getcontenttype>` : '') +
        (n.entry?.kind === 'symlink' ? `<s:symlink xmlns:s="urn:strata">${esc(displayName(n.entry.target))}</s:symlink>` : '') +
        `</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`);
}
/** Names under /dav/ids/: the 8-hex short id, longer only where two snapshots share it. */
export function idNames(all) {
    const ids = all.map((s) => s.id);
    const sorted = [...ids].sort();
    const len = new Map();
    for (let i = 0; i < sorted.length; i++) {
        let n = 8;
        for (const other of [sorted[i - 1], sorted[i + 1]]) {
            if (!other)
                continue;
            let k = 0;
            while (k < 64 && other[k] === sorted[i][k])
                k++;
            n = Math.max(n, k + 1);
        }
        len.set(sorted[i], n);
    }
    return ids.map((id) => id.slice(0, len.get(id)));
}
/** The snapshot a /dav/ids|latest/NAME segment names. */
async function snapshotFor(view, area, name) {
    const all = await view.snapshots();
    if (area === 'ids') {
        if (!/^[0-9a-f]{8,64}$/.test(name))
            throw new HttpError(404, `no snapshot ${name} (use the short id as listed in /dav/ids/)`);
        const hits = all.filter((s) => s.id.startsWith(name));
        if (hits.length === 0)
            throw new StrataError('E_NO_SNAPSHOT', `no snapshot matches ${name}`);
        if (hits.length > 1)
            throw new StrataError('E_AMBIGUOUS', `snapshot id prefix ${name} is ambiguous (${hits.length} matches)`);
        return hits[0];
    }
    const l = sourceNames(all).get(name);
    if (!l)
        throw new StrataError('E_NO_SNAPSHOT', `no source named ${name} in the repository`);
    return all.filter((s) => s.host === l.host && s.source === l.source).at(-1);
}
/** The node at `segs` and, for a collection, a way to list its children. */
async function resolve(view, segs) {
    if (segs.length === 0)
        return { node: virtualDir([]), children: async () => [virtualDir(['ids']), virtualDir(['latest'])] };
    const [area, name, ...rest] = segs;
    if (area !== 'ids' && area !== 'latest')
        throw new HttpError(404, `no such WebDAV path: ${hrefOf(segs, false)}`);
    if (name === undefined) {
        return {
            node: virtualDir([area]),
            children: async () => {
                const all = await view.snapshots();
                if (area === 'ids') {
                    const names = idNames(all);
                    return all.map((s, i) => virtualDir(['ids', names[i]], new Date(s.time)));
                }
                return [...sourceNames(all).keys()].map((n) => virtualDir(['latest', n]));
            },
        };
    }
    const snap = await snapshotFor(view, area, name);
    const entry = await view.entry(snap, rest.join('/'));
    const node = rest.length ? entryNode(segs, entry) : { ...entryNode(segs, entry), name, href: hrefOf(segs, true) };
    return {
        node,
        children: async () => (entry.kind === 'dir' ? (await view.list(entry, rest.join('/'))).map((e) => entryNode([...segs, entryName(e)], e)) : []),
    };
}
export async function handleDav(view, req, res, url) {
    const segs = decodeSegments(url.pathname.slice('/dav'.length));
    switch (req.method) {
        case 'OPTIONS':
            res.writeHead(200, { dav: '1', allow: ALLOW, 'ms-author-via': 'DAV', 'content-length': '0' });
            return void res.end();
        case 'PROPFIND': {
            const depth = req.headers.depth ?? 'infinity';
            if (depth !== '0' && depth !== '1')
                throw new HttpError(403, 'PROPFIND with Depth: infinity is not supported (use 0 or 1)');
            req.resume(); // the body (which properties) is ignored: all are returned
            const { node, children } = await resolve(view, segs);
            const nodes = [node, ...(depth === '1' && node.dir ? await children() : [])];
            const body = Buffer.from(`<?xml version="1.0" encoding="utf-8"?>\n<d:multistatus xmlns:d="DAV:">${nodes.map(propXml).join('')}</d:multistatus>\n`);
            res.writeHead(207, { 'content-type': 'application/xml; charset=utf-8', 'content-length': body.length });
            return void res.end(body);
        }
        case 'GET':
        case 'HEAD': {
            const { node, children } = await resolve(view, segs);
            if (node.dir) {
                const list = await children();
                const html = `<!doctype html><meta charset="utf-8"><title>${esc(node.href)}</title><ul>${list.map((n) => `<li><a href="${esc(n.href)}">${esc(n.name)}${n.dir ? '/' : ''}</a></li>`).join('')}</ul>`;
                const body = Buffer.from(html);
                res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length });
                return void res.end(req.method === 'HEAD' ? undefined : body);
            }
            const e = node.entry;
            if (e.kind === 'symlink') {
                const body = e.target;
                res.writeHead(200, { 'content-type': 'inode/symlink', 'content-length': body.length, 'last-modified': node.mtime.toUTCString() });
                return void res.end(req.method === 'HEAD' ? undefined : body);
            }
            if (e.kind !== 'file')
                throw new HttpError(404, `${node.href} is a ${e.kind}: nothing to read`);
            return sendFile(view, req, res, e, node.href, { 'content-type': 'application/octet-stream' });
        }
        default:
            res.writeHead(405, { allow: ALLOW, 'content-type': 'text/plain' });
            return void res.end(`strata: WebDAV here is read-only (${req.method} not allowed)\n`);
    }
}
//# sourceMappingURL=webdav.js.map