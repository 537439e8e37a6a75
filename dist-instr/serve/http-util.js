import { StrataError, isStrataError } from '../errors.js';
/** A request the server refuses, with its HTTP status (a StrataError: E_USAGE, or E_IO for 5xx). */
export class HttpError extends StrataError {
    status;
    constructor(status, message) {
        super(status >= 500 ? 'E_IO' : 'E_USAGE', message);
        this.status = status;
    }
}
const STATUS = {
    E_USAGE: 400,
    E_NO_SNAPSHOT: 404,
    E_NO_PATH: 404,
    E_AMBIGUOUS: 409,
    E_NOT_DIR: 400,
    E_NOT_FILE: 400,
    E_CORRUPT: 500,
    E_BLOB_MISSING: 500,
    E_LOCKED: 423,
};
export function statusOf(e) {
    if (e instanceof HttpError)
        return e.status;
    if (isStrataError(e))
        return STATUS[e.code] ?? 500;
    return 500;
}
export function sendJson(res, value, status = 200) {
    const body = Buffer.from(JSON.stringify(value));
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-store' });
    res.end(body);
}
export function sendText(res, status, text, headers = {}) {
    const body = Buffer.from(text + '\n');
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length, ...headers });
    res.end(body);
}
/** Reply to a failed request: one line naming what failed (JSON under /api/). */
export function sendError(res, e, json) {
    const status = statusOf(e);
    const message = e instanceof Error ? e.message : String(e);
    const code = isStrataError(e) ? e.code : 'E_IO';
    if (res.headersSent) {
        res.destroy(e instanceof Error ? e : undefined);
        return;
    }
    if (json)
        sendJson(res, { error: message, code }, status);
    else
        sendText(res, status, `strata: ${message}`);
}
/** Read a small request body (JSON), at most `max` bytes. */
export async function readJson(req, max = 64 * 1024) {
    const parts = [];
    let n = 0;
    for await (const c of req) {
        n += c.length;
        if (n > max)
            throw new HttpError(413, 'request body too large');
        parts.push(c);
    }
    try {
        return JSON.parse(Buffer.concat(parts).toString('utf8'));
    }
    catch {
        throw new HttpError(400, 'request body is not JSON');
    }
}
/**
 * Parse a Range header for a resource of `size` bytes: undefined = whole
 * resource, null = unsatisfiable (416). Only single ranges are served.
 */
export function parseRange(header, size) {
    if (!header)
        return undefined;
    const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
    if (!m || (m[1] === '' && m[2] === ''))
        return undefined; // multiple or odd ranges: send it all
    let start;
    let end;
    if (m[1] === '') {
        const suffix = Number(m[2]);
        if (suffix === 0)
            return null;
        start = Math.max(0, size - suffix);
        end = size - 1;
    }
    else {
        start = Number(m[1]);
        end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    }
    if (start >= size || end < start)
        return null;
    return { start, end };
}
/**
 * Decode the segments of a URL path. Rejects what could leave the tree:
 * '.' or '..' segments (raw or encoded), encoded '/' or '\', NUL, bad escapes.
 */
export function decodeSegments(rawPath) {
    const out = [];
    for (const raw of rawPath.split('/')) {
        if (raw === '')
            continue;
        if (/%2f|%5c|%00/i.test(raw))
            throw new HttpError(400, `encoded slash or NUL in path: ${rawPath}`);
        let s;
        try {
            s = decodeURIComponent(raw);
        }
        catch {
            throw new HttpError(400, `bad escape in path: ${rawPath}`);
        }
        if (s === '.' || s === '..' || s.includes('/') || s.includes('\0'))
            throw new HttpError(400, `path may not contain '.' or '..' segments: ${rawPath}`);
        out.push(s);
    }
    return out;
}
/** Validate a snapshot-relative path given as a query parameter ('a/b/c'). */
export function cleanPath(p) {
    if (!p)
        return '';
    const parts = p.split('/').filter((s) => s !== '');
    if (parts.some((s) => s === '.' || s === '..' || s.includes('\0')))
        throw new StrataError('E_USAGE', `path may not contain '.' or '..': ${p}`);
    return parts.join('/');
}
const TYPES = {
    txt: 'text/plain; charset=utf-8',
    md: 'text/plain; charset=utf-8',
    json: 'application/json',
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    webp: 'image/webp',
    svg: 'image/svg+xml',
    pdf: 'application/pdf',
};
/** A content type from the file name; SVG is served as an attachment type elsewhere (scripts). */
export function contentType(name) {
    const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
    return TYPES[ext] ?? 'application/octet-stream';
}
/** A Content-Disposition header value for a (possibly non-ASCII) file name. */
export function disposition(kind, name) {
    const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
    return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
//# sourceMappingURL=http-util.js.map