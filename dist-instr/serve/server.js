// The `strata serve` HTTP(S) server: checks the token on every request, then
// routes /api/ (api.ts, actions.ts), /dav/ (webdav.ts) and the page (page.ts
// plus the compiled ui/*.js). Loopback by default; another address only with
// TLS or an explicit insecure opt-in.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { StrataError } from '../errors.js';
import { SnapshotEvents, handleRestore } from './actions.js';
import { handleApi } from './api.js';
import { DAV_USER, check, newToken, setCookie } from './auth.js';
import { HttpError, sendError } from './http-util.js';
import { PAGE_CSS, pageHtml } from './page.js';
import { RepoView } from './repo-view.js';
import { handleDav } from './webdav.js';
const UI_DIR = new URL('./ui/', import.meta.url);
export function isLoopback(host) {
    return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
/** "HOST:PORT", "[v6]:PORT" or ":PORT". */
export function parseListen(s) {
    const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(s);
    if (!m || Number(m[3]) > 65535)
        throw new StrataError('E_USAGE', `--listen wants HOST:PORT (e.g. 127.0.0.1:8080), not ${s}`);
    return { host: m[1] ?? (m[2] || '127.0.0.1'), port: Number(m[3]) };
}
function serveUi(res, name) {
    if (!/^[a-z][a-z0-9-]*\.js$/.test(name))
        throw new HttpError(404, `no such file: /ui/${name}`);
    let body;
    try {
        body = fs.readFileSync(new URL(name, UI_DIR));
    }
    catch {
        throw new HttpError(404, `no such file: /ui/${name}`);
    }
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-cache' });
    res.end(body);
}
const PAGE_HEADERS = {
    'content-security-policy': "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
};
export async function startServer(repo, opts) {
    const tls = !!(opts.tlsCert || opts.tlsKey);
    if (tls && !(opts.tlsCert && opts.tlsKey))
        throw new StrataError('E_USAGE', '--tls-cert and --tls-key go together');
    if (!isLoopback(opts.host) && !tls && !opts.insecureHttp) {
        throw new StrataError('E_USAGE', `refusing to listen on ${opts.host} without TLS: give --tls-cert and --tls-key, or --insecure-http to accept plain HTTP on the network`);
    }
    const token = opts.token ?? newToken();
    const view = new RepoView(repo);
    const events = new SnapshotEvents(view, opts.pollMs ?? 1000);
    const handle = async (req, res) => {
        // URL parsing folds '..' and '%2e%2e' away: look at the raw path first
        const rawPath = (req.url ?? '/').split('?')[0];
        if (rawPath.split('/').some((seg) => /^(\.|%2e){1,2}$/i.test(seg)))
            return sendError(res, new HttpError(400, `path may not contain '.' or '..' segments: ${rawPath}`), rawPath.startsWith('/api/'));
        const url = new URL(req.url ?? '/', 'http://x');
        const isDav = url.pathname === '/dav' || url.pathname.startsWith('/dav/');
        const isApi = url.pathname.startsWith('/api/');
        try {
            const auth = check(req, url, token);
            if (auth !== 'ok') {
                const status = auth === 'missing' ? 401 : 403;
                return sendError(res, new HttpError(status, auth === 'missing' ? 'this server needs the access token printed at its start' : 'wrong access token'), isApi);
            }
            if (url.searchParams.has('token') && req.method === 'GET' && !isDav && !isApi) {
                res.writeHead(303, { location: '/', 'set-cookie': setCookie(token, tls) });
                return void res.end();
            }
            if (isDav)
                return await handleDav(view, req, res, url);
            if (isApi) {
                if (url.pathname === '/api/restore') {
                    if (req.method !== 'POST')
                        throw new HttpError(405, 'restore is a POST');
                    return await handleRestore(view, req, res);
                }
                if (req.method !== 'GET' && req.method !== 'HEAD')
                    throw new HttpError(405, `${req.method} not allowed on ${url.pathname}`);
                if (url.pathname === '/api/events')
                    return events.attach(req, res);
                return await handleApi(view, req, res, url);
            }
            if (req.method !== 'GET' && req.method !== 'HEAD')
                throw new HttpError(405, `${req.method} not allowed`);
            if (url.pathname.startsWith('/ui/'))
                return serveUi(res, url.pathname.slice(4));
            if (url.pathname === '/style.css') {
                res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' });
                return void res.end(PAGE_CSS);
            }
            if (url.pathname !== '/')
                throw new HttpError(404, `no such page: ${url.pathname}`);
            res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...PAGE_HEADERS });
            res.end(pageHtml());
        }
        catch (e) {
            sendError(res, e, isApi);
        }
    };
    const listener = (req, res) => void handle(req, res);
    const server = tls ? https.createServer({ cert: fs.readFileSync(opts.tlsCert), key: fs.readFileSync(opts.tlsKey) }, listener) : http.createServer(listener);
    // clients keep idle connections for a while; closing first races with their next request
    server.keepAliveTimeout = 60_000;
    await new Promise((resolve, reject) => {
        server.once('error', (e) => reject(new StrataError('E_USAGE', `cannot listen on ${opts.host}:${opts.port}: ${e.message}`, { cause: e })));
        server.listen(opts.port, opts.host, () => resolve());
    });
    const port = server.address().port;
    view.warm().catch(() => { }); // only a head start: requests report their own errors
    const scheme = tls ? 'https' : 'http';
    const hostPart = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    return {
        url: `${scheme}://${hostPart}:${port}/?token=${token}`,
        davUrl: `${scheme}://${DAV_USER}:${token}@${hostPart}:${port}/dav/`,
        token,
        port,
        close: () => new Promise((resolve) => {
            events.closeAll();
            server.close(() => resolve());
            server.closeAllConnections();
        }),
    };
}
//# sourceMappingURL=server.js.map