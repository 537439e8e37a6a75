// Paths as raw bytes. Linux file names are byte strings that need not be
// UTF-8; strata keeps them as Buffers end to end and only turns them into
// text for display, with one quoting used everywhere (ls, find, log, diff,
// cat, warnings, JSON) and accepted back as input (Go/restic style):
// a name that is valid, printable UTF-8 and does not start with '"' is shown
// as is; any other is shown in double quotes with Go escapes (\xNN for bytes
// that are not UTF-8, \n \t \" \\ …). So the raw name "n\xff" (two bytes)
// and a file literally named n\xff (five characters) never look alike.
import { isUtf8 } from 'node:buffer';
const SLASH = Buffer.from('/');
export function joinPath(dir, name) {
    return dir.length === 0 ? name : Buffer.concat([dir, SLASH, name]);
}
export const isValidName = (name) => isUtf8(name);
// eslint-disable-next-line no-control-regex
const NEEDS_QUOTES = /[\x00-\x1f\x7f]|^"/;
const ESC = { 0x07: '\\a', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x0b: '\\v', 0x22: '\\"', 0x5c: '\\\\' };
/** One name (no '/') for display: as is, or Go-quoted when it needs it. */
export function quoteName(n) {
    if (isUtf8(n)) {
        const s = n.toString('utf8');
        if (!NEEDS_QUOTES.test(s))
            return s;
    }
    let out = '"';
    let i = 0;
    while (i < n.length) {
        const b = n[i];
        if (ESC[b]) {
            out += ESC[b];
            i++;
            continue;
        }
        if (b < 0x20 || b === 0x7f) {
            out += `\\x${b.toString(16).padStart(2, '0')}`;
            i++;
            continue;
        }
        if (b < 0x80) {
            out += String.fromCharCode(b);
            i++;
            continue;
        }
        const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
        const seq = n.subarray(i, i + len);
        if (len > 1 && seq.length === len && isUtf8(seq)) {
            out += seq.toString('utf8');
            i += len;
        }
        else {
            out += `\\x${b.toString(16).padStart(2, '0')}`;
            i++;
        }
    }
    return out + '"';
}
/** Text for humans and JSON: each '/'-separated component quoted only when it needs it. */
export function displayName(p) {
    if (isUtf8(p) && !/[\x00-\x1f\x7f"]/.test(p.toString('utf8')))
        return p.toString('utf8');
    const parts = [];
    let start = 0;
    for (let i = 0; i <= p.length; i++) {
        if (i === p.length || p[i] === 0x2f) {
            parts.push(quoteName(p.subarray(start, i)));
            start = i + 1;
        }
    }
    return parts.join('/');
}
const UNESC = { a: 0x07, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b, '"': 0x22, '\\': 0x5c };
/** A Go-quoted name back to bytes; undefined when `s` is not a well-formed quoted string. */
export function unquoteName(s) {
    if (s.length < 2 || !s.startsWith('"') || !s.endsWith('"'))
        return undefined;
    const body = s.slice(1, -1);
    const out = [];
    let lit = '';
    for (let i = 0; i < body.length; i++) {
        const c = body[i];
        if (c === '"')
            return undefined;
        if (c !== '\\') {
            lit += c;
            continue;
        }
        const e = body[++i];
        if (e === undefined)
            return undefined;
        let byte = UNESC[e];
        if (e === 'x') {
            const hex = body.slice(i + 1, i + 3);
            if (!/^[0-9a-fA-F]{2}$/.test(hex))
                return undefined;
            byte = parseInt(hex, 16);
            i += 2;
        }
        if (byte === undefined)
            return undefined;
        out.push(Buffer.from(lit, 'utf8'), Buffer.from([byte]));
        lit = '';
    }
    out.push(Buffer.from(lit, 'utf8'));
    return Buffer.concat(out);
}
/** Inverse of quoteName for user input: a quoted name is unquoted, anything else taken literally. */
export function parseDisplayName(s) {
    return unquoteName(s) ?? Buffer.from(s, 'utf8');
}
/** Base64 of the raw bytes when a name is not valid UTF-8 (JSON's `name_bytes`), else undefined. */
export function rawBytesField(p) {
    return isUtf8(p) ? undefined : p.toString('base64');
}
//# sourceMappingURL=paths.js.map