// Access control: one random token per server start. The browser brings it
// once in the URL (?token=) and then holds it in an HttpOnly cookie; WebDAV
// clients send it as the password of HTTP Basic auth (user "strata"); scripts
// may send it as a Bearer token. No token: 401; a wrong one: 403.
import { randomBytes, timingSafeEqual } from 'node:crypto';
export const COOKIE = 'strata_token';
export const DAV_USER = 'strata';
export function newToken() {
    return randomBytes(24).toString('base64url');
}
function same(a, b) {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
}
function cookie(req, name) {
    for (const part of (req.headers.cookie ?? '').split(';')) {
        const i = part.indexOf('=');
        if (i > 0 && part.slice(0, i).trim() === name)
            return part.slice(i + 1).trim();
    }
    return undefined;
}
/** The token a request presents, if any (query, cookie, Basic or Bearer). */
export function presented(req, url) {
    const q = url.searchParams.get('token');
    if (q !== null)
        return q;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
        const s = Buffer.from(auth.slice(6), 'base64').toString('utf8');
        const i = s.indexOf(':');
        return i < 0 ? '' : s.slice(0, i) === DAV_USER ? s.slice(i + 1) : '';
    }
    if (auth?.startsWith('Bearer '))
        return auth.slice(7);
    return cookie(req, COOKIE);
}
export function check(req, url, token) {
    const t = presented(req, url);
    if (t === undefined)
        return 'missing';
    return same(t, token) ? 'ok' : 'wrong';
}
export function setCookie(token, secure) {
    return `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`;
}
//# sourceMappingURL=auth.js.map