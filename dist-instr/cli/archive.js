// Archive writers for `strata dump`: tar (POSIX ustar, with pax records for
// long or non-ASCII names and large sizes) and zip (stored, with data
// descriptors; zip64 is not written, so members over 4 GiB are refused).
import * as zlib from 'node:zlib';
import { StrataError } from '../errors.js';
const TYPEFLAG = { file: '0', symlink: '2', chardev: '3', blockdev: '4', dir: '5', fifo: '6' };
function octal(n, len) {
    return n.toString(8).padStart(len - 1, '0') + '\0';
}
function paxRecord(key, value) {
    const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
    let len = body.length + 1;
    while (String(len).length + body.length !== len)
        len = String(len).length + body.length;
    return Buffer.concat([Buffer.from(String(len)), body]);
}
function header(name, e, type, size, link = Buffer.alloc(0)) {
    const h = Buffer.alloc(512);
    name.copy(h, 0, 0, Math.min(100, name.length));
    h.write(octal((e?.mode ?? 0o644) & 0o7777, 8), 100, 'latin1');
    h.write(octal(e?.uid ?? 0, 8), 108, 'latin1');
    h.write(octal(e?.gid ?? 0, 8), 116, 'latin1');
    h.write(octal(size, 12), 124, 'latin1');
    h.write(octal(e ? e.mtimeNs / 1000000000n : 0n, 12), 136, 'latin1');
    h.write('        ', 148, 'latin1');
    h.write(type, 156, 'latin1');
    link.copy(h, 157, 0, Math.min(100, link.length));
    h.write('ustar\x0000', 257, 'latin1');
    if (e?.rdev !== undefined) {
        h.write(octal(Math.floor(e.rdev / 256) & 0xfff, 8), 329, 'latin1');
        h.write(octal(e.rdev & 0xff, 8), 337, 'latin1');
    }
    let sum = 0;
    for (const b of h)
        sum += b;
    h.write(octal(sum, 7) + ' ', 148, 'latin1');
    return h;
}
const pad = (n) => Buffer.alloc((512 - (n % 512)) % 512);
const ascii = (b) => b.every((x) => x >= 0x20 && x < 0x7f);
/** One tar member; `content` streams a file's bytes. */
export async function tarMember(write, m, content) {
    const e = m.entry;
    const type = TYPEFLAG[e.kind];
    if (!type)
        return; // sockets cannot be archived
    const name = e.kind === 'dir' ? Buffer.concat([m.path, Buffer.from('/')]) : m.path;
    const size = e.kind === 'file' ? e.size : 0;
    const link = e.kind === 'symlink' ? e.target : Buffer.alloc(0);
    const pax = [];
    if (name.length > 100 || !ascii(name))
        pax.push(paxRecord('path', name));
    if (link.length > 100 || !ascii(link))
        pax.push(paxRecord('linkpath', link));
    if (size > 0o77777777777)
        pax.push(paxRecord('size', Buffer.from(String(size))));
    pax.push(paxRecord('mtime', Buffer.from(`${e.mtimeNs / 1000000000n}.${String(e.mtimeNs % 1000000000n).padStart(9, '0')}`)));
    const body = Buffer.concat(pax);
    await write(Buffer.concat([header(Buffer.from('PaxHeader'), null, 'x', body.length), body, pad(body.length)]));
    await write(header(name, e, type, size > 0o77777777777 ? 0 : size, link));
    if (e.kind === 'file') {
        await content(write);
        await write(pad(size));
    }
}
export const tarEnd = (write) => write(Buffer.alloc(1024));
/** Zip writer: stored members with data descriptors, then the central directory. */
export class ZipWriter {
    out;
    offset = 0;
    central = [];
    count = 0;
    constructor(out) {
        this.out = out;
    }
    async write(b) {
        this.offset += b.length;
        await this.out(b);
    }
    async member(m, content) {
        const e = m.entry;
        if (e.kind !== 'file' && e.kind !== 'dir' && e.kind !== 'symlink')
            return;
        if (e.size >= 0xffffffff)
            throw new StrataError('E_USAGE', `${m.path.toString()} is 4 GiB or more: use the tar format for it`);
        const name = e.kind === 'dir' ? Buffer.concat([m.path, Buffer.from('/')]) : m.path;
        const d = new Date(Number(e.mtimeNs / 1000000n));
        const dosTime = (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2);
        const dosDate = (Math.max(0, d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate();
        const flags = 0x0008 | 0x0800; // sizes in the data descriptor; names are UTF-8 (raw bytes pass through)
        const start = this.offset;
        const local = Buffer.alloc(30);
        local.writeUInt32LE(0x04034b50, 0);
        local.writeUInt16LE(10, 4);
        local.writeUInt16LE(flags, 6);
        local.writeUInt16LE(0, 8);
        local.writeUInt16LE(dosTime, 10);
        local.writeUInt16LE(dosDate, 12);
        local.writeUInt16LE(name.length, 26);
        await this.write(Buffer.concat([local, name]));
        let crc = 0;
        let size = 0;
        const sink = async (b) => {
            crc = zlib.crc32(b, crc);
            size += b.length;
            await this.write(b);
        };
        if (e.kind === 'file')
            await content(sink);
        else if (e.kind === 'symlink')
            await sink(e.target);
        const desc = Buffer.alloc(16);
        desc.writeUInt32LE(0x08074b50, 0);
        desc.writeUInt32LE(crc >>> 0, 4);
        desc.writeUInt32LE(size, 8);
        desc.writeUInt32LE(size, 12);
        await this.write(desc);
        const c = Buffer.alloc(46);
        c.writeUInt32LE(0x02014b50, 0);
        c.writeUInt16LE((3 << 8) | 20, 4); // made by Unix: external attributes carry the mode
        c.writeUInt16LE(10, 6);
        c.writeUInt16LE(flags, 8);
        c.writeUInt16LE(dosTime, 12);
        c.writeUInt16LE(dosDate, 14);
        c.writeUInt32LE(crc >>> 0, 16);
        c.writeUInt32LE(size, 20);
        c.writeUInt32LE(size, 24);
        c.writeUInt16LE(name.length, 28);
        const fmt = e.kind === 'dir' ? 0o040000 : e.kind === 'symlink' ? 0o120000 : 0o100000;
        c.writeUInt32LE((((fmt | (e.mode & 0o7777)) << 16) | (e.kind === 'dir' ? 0x10 : 0)) >>> 0, 38);
        c.writeUInt32LE(start, 42);
        this.central.push(Buffer.concat([c, name]));
        this.count++;
        if (this.offset >= 0xffffffff)
            throw new StrataError('E_USAGE', 'the zip archive would pass 4 GiB: use the tar format');
    }
    async end() {
        const cd = Buffer.concat(this.central);
        const at = this.offset;
        await this.write(cd);
        const eocd = Buffer.alloc(22);
        eocd.writeUInt32LE(0x06054b50, 0);
        eocd.writeUInt16LE(this.count, 8);
        eocd.writeUInt16LE(this.count, 10);
        eocd.writeUInt32LE(cd.length, 12);
        eocd.writeUInt32LE(at, 16);
        await this.write(eocd);
    }
}
//# sourceMappingURL=archive.js.map