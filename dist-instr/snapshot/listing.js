// One directory's listing for a full scan: its names, every entry's lstat
// fields packed in one array (no Stats object kept per entry), which entries
// are excluded or vanished, and the listing digest that the dir builder
// compares with the recorded one to reuse an unchanged directory whole.
// Two ways to the same listing: the native addon's scanDir (read and lstat on
// the thread pool, so a walk can read ahead: startScan / listScanned), or
// readdirSync + lstatSync here (listDirectory: without the addon).
import * as fs from 'node:fs';
import { getSystemErrorName } from 'node:util';
import { EXTRA_SLOTS, RECORD_ATIME, STAT_SLOTS, SlotStat, readDirNames, toExtra, toSlots } from '../fs/dir-entry.js';
import { scanDir } from '../fs/native.js';
import { displayName, joinPath } from '../fs/paths.js';
import { errnoCode } from '../errors.js';
import { hashBytes, newHasher } from '../hash.js';
import { IGNORE_FILE, IGNORE_FILE_BUF } from './ignore-rules.js';
export const PRESENT = 0;
export const EXCLUDED = 1;
export const MISSING = 2;
const SLASH = 0x2f;
const DIGEST_TAG = Buffer.from('strata-listing-2\0');
export const asBuffer = (p) => (typeof p === 'string' ? Buffer.from(p) : p);
export const childPath = (prefix, name) => typeof prefix === 'string' ? prefix + name : Buffer.concat([prefix, name]);
/**
 * List `abs` and lstat every entry in one synchronous pass (listing order: the
 * same order gives the same digest, another only costs a rebuild).
 */
export async function listDirectory(abs, rel, parentRules, hooks) {
    let names = [];
    let text = typeof abs === 'string';
    if (text) {
        names = fs.readdirSync(abs);
        for (let i = 0; i < names.length; i++) {
            if (names[i].includes('\ufffd')) {
                text = false;
                abs = Buffer.from(abs);
                break;
            }
        }
    }
    if (!text)
        names = readDirNames(abs);
    const n = names.length;
    let rules = parentRules;
    for (let i = 0; i < n; i++) {
        if (text ? names[i] === IGNORE_FILE : names[i].equals(IGNORE_FILE_BUF)) {
            rules = parentRules.enter(asBuffer(abs), displayName(rel));
            break;
        }
    }
    const filterAll = !rules.excludesNothingIn(abs.toString());
    let prefix;
    if (typeof abs === 'string')
        prefix = abs + '/';
    else {
        prefix = Buffer.allocUnsafe(abs.length + 1);
        abs.copy(prefix, 0);
        prefix[abs.length] = SLASH;
    }
    const slots = new BigInt64Array(n * STAT_SLOTS);
    const extra = new BigInt64Array(n * EXTRA_SLOTS);
    const state = new Uint8Array(n);
    let nameLen = 0;
    for (let i = 0; i < n; i++)
        nameLen += 2 + (text ? 3 * names[i].length : names[i].length);
    const nb = hooks.scratch(nameLen);
    let no = 0;
    let dirCount = 0;
    let fileCount = 0;
    let fileBytes = 0;
    for (let i = 0; i < n; i++) {
        const wait = hooks.beforeEntry();
        if (wait)
            await wait;
        let p;
        if (text) {
            const name = names[i];
            const len = nb.write(name, no + 2);
            nb.writeUInt16LE(len, no);
            no += 2 + len;
            p = prefix + name;
        }
        else {
            const name = names[i];
            no = nb.writeUInt16LE(name.length, no);
            no += name.copy(nb, no);
            p = Buffer.concat([prefix, name], prefix.length + name.length);
        }
        let est;
        try {
            est = fs.lstatSync(p, { bigint: true, throwIfNoEntry: false });
            if (!est)
                throw Object.assign(new Error(`ENOENT: no such file or directory, lstat '${p.toString()}'`), { code: 'ENOENT' });
        }
        catch (e) {
            const code = errnoCode(e);
            const r = joinPath(rel, asBuffer(names[i]));
            if (code === 'ENOENT' || code === 'ENOTDIR')
                hooks.notice(r, 'ENOENT', 'vanished before it could be read', false);
            else
                hooks.notice(r, code ?? 'E_IO', e.message, true);
            state[i] = MISSING;
            continue;
        }
        toSlots(est, slots, i);
        toExtra(est, extra, i);
        const isDir = est.isDirectory();
        if (filterAll && rules.excludes(p.toString(), displayName(joinPath(rel, asBuffer(names[i]))), isDir, est)) {
            state[i] = EXCLUDED;
            continue;
        }
        if (isDir)
            dirCount++;
        else if (est.isFile()) {
            fileCount++;
            fileBytes += Number(est.size);
        }
    }
    const h = newHasher();
    h.update(DIGEST_TAG);
    h.update(rules.fingerprint);
    h.update(nb.subarray(0, no));
    h.update(new Uint8Array(slots.buffer, slots.byteOffset, slots.byteLength));
    h.update(new Uint8Array(extra.buffer, extra.byteOffset, extra.byteLength));
    h.update(state);
    return { text, names, prefix, rules, slots, extra, state, dirCount, fileCount, fileBytes, digest: h.digest().subarray(0, 16) };
}
const S_IFMT = BigInt(fs.constants.S_IFMT);
const S_IFDIR = BigInt(fs.constants.S_IFDIR);
const S_IFREG = BigInt(fs.constants.S_IFREG);
const IGNORE_LEN = IGNORE_FILE_BUF.length;
const noop = () => { };
let nativeScan = scanDir !== null;
/** Whether listings are read by the addon (startScan gives a promise) or by listDirectory. */
export const canScan = () => nativeScan;
/** Read listings with the addon (when it is there) or with readdirSync + lstatSync (tests inject races into the latter). */
export function useNativeScan(on) {
    nativeScan = on && scanDir !== null;
}
/**
 * Start reading directory `abs` on the thread pool (null without the addon). The promise is
 * marked handled: a read-ahead nobody consumes (an abandoned snapshot) never crashes the process.
 */
export function startScan(abs) {
    if (!scanDir || !nativeScan)
        return null;
    const p = scanDir(abs, RECORD_ATIME);
    p.catch(noop);
    return p;
}
/**
 * The listing of `abs` from the addon's read (`scan`, from startScan): the same names, fields,
 * states and digest as listDirectory gives (names as raw bytes, text false).
 */
export async function listScanned(abs, rel, parentRules, hooks, scan) {
    const wait = hooks.beforeEntry();
    if (wait)
        await wait;
    const { names: raw, slots, extra, errs, count: n } = await scan;
    const block = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    const names = new Array(n);
    let hasIgnore = false;
    for (let i = 0, o = 0; i < n; i++) {
        const len = block[o] | (block[o + 1] << 8);
        const name = (names[i] = block.subarray(o + 2, o + 2 + len));
        if (len === IGNORE_LEN && name.equals(IGNORE_FILE_BUF))
            hasIgnore = true;
        o += 2 + len;
    }
    const rules = hasIgnore ? parentRules.enter(abs, displayName(rel)) : parentRules;
    const filterAll = !rules.excludesNothingIn(abs.toString());
    const prefix = Buffer.allocUnsafe(abs.length + 1);
    abs.copy(prefix, 0);
    prefix[abs.length] = SLASH;
    const state = new Uint8Array(n);
    let dirCount = 0;
    let fileCount = 0;
    let fileBytes = 0;
    for (let i = 0; i < n; i++) {
        if (errs[i] !== 0) {
            const code = getSystemErrorName(-errs[i]);
            const r = joinPath(rel, names[i]);
            if (code === 'ENOENT' || code === 'ENOTDIR')
                hooks.notice(r, 'ENOENT', 'vanished before it could be read', false);
            else
                hooks.notice(r, code, `${code}: lstat '${displayName(Buffer.concat([prefix, names[i]]))}' failed`, true);
            state[i] = MISSING;
            continue;
        }
        const o = i * STAT_SLOTS;
        const fmt = slots[o + 2] & S_IFMT;
        if (filterAll) {
            const p = Buffer.concat([prefix, names[i]]);
            if (rules.excludes(p.toString(), displayName(joinPath(rel, names[i])), fmt === S_IFDIR, new SlotStat(slots, i))) {
                state[i] = EXCLUDED;
                continue;
            }
        }
        if (fmt === S_IFDIR)
            dirCount++;
        else if (fmt === S_IFREG) {
            fileCount++;
            fileBytes += Number(slots[o + 6]);
        }
    }
    // one hash call over the parts (BLAKE3 of the concatenation: the same digest as listDirectory's
    // incremental one); small inputs go to the WebAssembly build, cheaper per call than a native hasher
    const digest = hashBytes(Buffer.concat([DIGEST_TAG, rules.fingerprint, block, new Uint8Array(slots.buffer, slots.byteOffset, slots.byteLength), new Uint8Array(extra.buffer, extra.byteOffset, extra.byteLength), state])).subarray(0, 16);
    return { text: false, names, prefix, rules, slots, extra, state, dirCount, fileCount, fileBytes, digest };
}
/**
 * Read-ahead of subdirectories for a depth-first walk: while the walk is in one subdirectory, the
 * next few siblings are already being read on the thread pool (both cores lstat). At most `max`
 * reads started and not yet taken across the whole walk, `perDir` per directory.
 */
export class ReadAhead {
    max;
    perDir;
    early;
    open = 0;
    /** bumped whenever the walk reads file content: a read started before is not used after it */
    generation = 0;
    constructor(max = 16, perDir = 6, early) {
        this.max = max;
        this.perDir = perDir;
        this.early = early;
    }
    /** The listing of `abs` read before the walk started, while no file content has been read. */
    takeEarly(abs) {
        return this.generation === 0 ? this.early?.take(abs) : undefined;
    }
    /** Plan reading the subdirectories of `l` (the walk enters them in listing order); null without the addon. */
    plan(l, isSubdir) {
        if (!nativeScan || l.text)
            return null;
        const order = [];
        for (let i = 0; i < l.names.length; i++)
            if (isSubdir(i))
                order.push(i);
        return order.length ? new DirReadAhead(this, l.prefix, l.names, order) : null;
    }
    /** @internal */ tryOpen() {
        if (this.open >= this.max)
            return false;
        this.open++;
        return true;
    }
    /** @internal */ close() {
        this.open--;
    }
    /**
     * The walk is about to read a file's content (which may take long): listings read ahead so far
     * are dropped when taken, and read afresh. A directory is listed no earlier than without
     * read-ahead once the walk has spent time elsewhere (a subdirectory deleted meanwhile is missed,
     * as it would be without read-ahead, not stored empty).
     */
    invalidate() {
        this.generation++;
        this.early?.stop();
    }
}
export class DirReadAhead {
    ra;
    prefix;
    names;
    order;
    next = 0;
    taken = 0;
    started = new Map();
    constructor(ra, prefix, names, order) {
        this.ra = ra;
        this.prefix = prefix;
        this.names = names;
        this.order = order;
        this.fill();
    }
    fill() {
        while (this.next < this.order.length && this.next < this.taken + this.ra.perDir && this.ra.tryOpen()) {
            const i = this.order[this.next++];
            const abs = Buffer.concat([this.prefix, this.names[i]]);
            this.started.set(i, { p: this.ra.takeEarly(abs) ?? startScan(abs), gen: this.ra.generation });
        }
    }
    /** The read of subdirectory `i` if it was started (the caller awaits it), else undefined; starts the next ones. */
    take(i) {
        const s = this.started.get(i);
        if (s) {
            this.started.delete(i);
            this.ra.close();
        }
        else if (this.order[this.next] === i)
            this.next++; // not started (the walk-wide cap): the caller reads it
        this.taken++;
        this.fill();
        return s && s.gen === this.ra.generation ? s.p : undefined;
    }
}
//# sourceMappingURL=listing.js.map