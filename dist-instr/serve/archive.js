// Streams a directory of a snapshot as a .tar (POSIX ustar with pax headers
// for long names and big files) or a .zip (stored entries, data descriptors,
// zip64 not supported: a file of 4 GiB or more stops the zip with an error).
// Symlinks go in as links (tar) or as link entries (zip, unix mode S_IFLNK).
import * as zlib from 'node:zlib';
import { StrataError } from '../errors.js';
import { displayName } from '../fs/paths.js';
import { entryName } from './repo-view.js';
/** Every entry under a directory, parents before children, in name order. */
export async function* walk(view, dir, prefix) {
    for (const e of await view.list(dir, prefix)) {
        const p = prefix ? `${prefix}/${entryName(e)}` : entryName(e);
        yield { path: p, entry: e };
        if (e.kind === 'dir')
            yield* walk(view, e, p);
    }
}
// ---- tar ----
function octal(n, width) {
    return n.toString(8).padStart(width - 1, '0') + '\0';
}
function paxRecord(key, value) {
    const body = ` ${key}=${value}\n`;
    let len = Buffer.byteLength(body) + 1;
    while (String(len).length + Buffer.byteLength(body) !== len)
        len = String(len).length + Buffer.byteLength(body);
    return Buffer.from(`${len}${body}`);
}
function header(name, e) {
    const b = Buffer.alloc(512);
    b.write(name, 0, 100, 'utf8');
    b.write(octal(e.mode & 0o7777, 8), 100, 'latin1');
    b.write(octal(Math.min(e.uid, 0o7777777), 8), 108, 'latin1');
    b.write(octal(Math.min(e.gid, 0o7777777), 8), 116, 'latin1');
    b.write(octal(e.size, 12), 124, 'latin1');
    b.write(octal(Math.max(0, Math.floor(e.mtime)), 12), 136, 'latin1');
    b.write('        ', 148, 'latin1');
    b.write(e.type, 156, 'latin1');
    if (e.link)
        b.write(e.link, 157, 100, 'utf8');
    b.write('ustar\0', 257, 'latin1');
    b.write('00', 263, 'latin1');
    let sum = 0;
    for (const x of b)
        sum += x;
    b.write(octal(sum, 7) + ' ', 148, 'latin1');
    return b;
}
const pad = (n) => Buffer.alloc((512 - (n % 512)) % 512);
/** A tar stream of `items` (paths under `top`). */
export async function* tarStream(view, items) {
    for await (const { path: p, entry: e } of items) {
        if (e.kind !== 'file' && e.kind !== 'dir' && e.kind !== 'symlink')
            continue; // devices, fifos: not archived
        const name = e.kind === 'dir' ? `${p}/` : p;
        const link = e.kind === 'symlink' ? displayName(e.target) : undefined;
        const size = e.kind === 'file' ? e.size : 0;
        const mtime = Number(e.mtimeNs / 1000000000n);
        const pax = [];
        if (Buffer.byteLength(name) > 99)
            pax.push(paxRecord('path', name));
        if (link && Buffer.byteLength(link) > 99)
            pax.push(paxRecord('linkpath', link));
        if (size > 0o77777777777)
            pax.push(paxRecord('size', String(size)));
        if (pax.length) {
            const body = Buffer.concat(pax);
            yield header('PaxHeader', { mode: 0o644, uid: 0, gid: 0, size: body.length, mtime, type: 'x' });
            yield body;
            yield pad(body.length);
        }
        yield header(name, { mode: e.mode, uid: e.uid, gid: e.gid, size: Math.min(size, 0o77777777777), mtime, type: e.kind === 'dir' ? '5' : e.kind === 'symlink' ? '2' : '0', link });
        if (e.kind === 'file') {
            for await (const b of view.bytes(e, p))
                yield b;
            yield pad(size);
        }
    }
    yield Buffer.alloc(1024);
}
// ---- zip ----
function dosTime(ms) {
    const d = new Date(ms);
    const year = Math.max(1980, d.getUTCFullYear());
    return {
        time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
        date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    };
}
/** A zip stream of `items` (stored, no compression: the repository already holds them compressed). */
export async function* zipStream(view, items) {
    const central = [];
    let offset = 0;
    for await (const { path: p, entry: e } of items) {
        if (e.kind !== 'file' && e.kind !== 'dir' && e.kind !== 'symlink')
            continue;
        if (e.size >= 0xffffffff || offset >= 0xffffffff)
            throw new StrataError('E_USAGE', `${p}: zip without zip64 is limited to 4 GiB; download as .tar`);
        const name = Buffer.from(e.kind === 'dir' ? `${p}/` : p, 'utf8');
        const { time, date } = dosTime(Number(e.mtimeNs / 1000000n));
        const typeBits = e.kind === 'dir' ? 0o040000 : e.kind === 'symlink' ? 0o120000 : 0o100000;
        const local = Buffer.alloc(30);
        local.writeUInt32LE(0x04034b50, 0);
        local.writeUInt16LE(20, 4);
        local.writeUInt16LE(0x0808, 6); // data descriptor follows; names are UTF-8
        local.writeUInt16LE(0, 8); // stored
        local.writeUInt16LE(time, 10);
        local.writeUInt16LE(date, 12);
        local.writeUInt16LE(name.length, 26);
        const start = offset;
        yield local;
        yield name;
        offset += 30 + name.length;
        let crc = 0;
        let size = 0;
        const data = e.kind === 'file' ? view.bytes(e, p) : e.kind === 'symlink' ? one(e.target) : one(Buffer.alloc(0));
        for await (const b of data) {
            crc = zlib.crc32(b, crc);
            size += b.length;
            yield b;
        }
        const desc = Buffer.alloc(16);
        desc.writeUInt32LE(0x08074b50, 0);
        desc.writeUInt32LE(crc >>> 0, 4);
        desc.writeUInt32LE(size, 8);
        desc.writeUInt32LE(size, 12);
        yield desc;
        offset += size + 16;
        central.push({ name, crc: crc >>> 0, size, offset: start, time, date, attr: ((typeBits | (e.mode & 0o7777)) << 16) >>> 0 });
    }
    const cdStart = offset;
    for (const c of central) {
        const h = Buffer.alloc(46);
        h.writeUInt32LE(0x02014b50, 0);
        h.writeUInt16LE((3 << 8) | 20, 4); // made by unix
        h.writeUInt16LE(20, 6);
        h.writeUInt16LE(0x0808, 8);
        h.writeUInt16LE(c.time, 12);
        h.writeUInt16LE(c.date, 14);
        h.writeUInt32LE(c.crc, 16);
        h.writeUInt32LE(c.size, 20);
        h.writeUInt32LE(c.size, 24);
        h.writeUInt16LE(c.name.length, 28);
        h.writeUInt32LE(c.attr, 38);
        h.writeUInt32LE(c.offset, 42);
        yield h;
        yield c.name;
        offset += 46 + c.name.length;
    }
    if (central.length > 0xffff || offset >= 0xffffffff)
        throw new StrataError('E_USAGE', 'zip without zip64 is limited to 65535 entries and 4 GiB; download as .tar');
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(central.length, 8);
    end.writeUInt16LE(central.length, 10);
    end.writeUInt32LE(offset - cdStart, 12);
    end.writeUInt32LE(cdStart, 16);
    yield end;
}
async function* one(b) {
    yield b;
}
//# sourceMappingURL=archive.js.map