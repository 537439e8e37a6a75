// One directory's listing for a full scan: its names, every entry's lstat
// fields packed in one array (no Stats object kept per entry), which entries
// are excluded or vanished, and the listing digest that the dir builder
// compares with the recorded one to reuse an unchanged directory whole.
import * as fs from 'node:fs';
import { EXTRA_SLOTS, STAT_SLOTS, readDirNames, toExtra, toSlots } from '../fs/dir-entry.js';
import { displayName, joinPath } from '../fs/paths.js';
import { errnoCode } from '../errors.js';
import { newHasher } from '../hash.js';
import { IGNORE_FILE, IGNORE_FILE_BUF, type IgnoreRules } from './ignore-rules.js';

export const PRESENT = 0;
export const EXCLUDED = 1;
export const MISSING = 2;
const SLASH = 0x2f;
const DIGEST_TAG = Buffer.from('strata-listing-2\0');

export const asBuffer = (p: string | Buffer): Buffer => (typeof p === 'string' ? Buffer.from(p) : p);
export const childPath = (prefix: string | Buffer, name: string | Buffer): string | Buffer =>
  typeof prefix === 'string' ? prefix + (name as string) : Buffer.concat([prefix, name as Buffer]);

export interface Listing {
  /** names as strings where that is lossless (cheaper than a Buffer per name and path), else raw bytes */
  text: boolean;
  names: string[] | Buffer[];
  /** the directory's path with a trailing slash, in the same form as the names */
  prefix: string | Buffer;
  /** the rules in force inside (the directory's own .strataignore applied) */
  rules: IgnoreRules;
  /** STAT_SLOTS lstat fields per entry (fs/dir-entry.ts) */
  slots: BigInt64Array;
  /** EXTRA_SLOTS fields per entry (atime of a file, nlink, blocks): recorded in tree entries, so in the digest too */
  extra: BigInt64Array;
  /** per entry: PRESENT, EXCLUDED or MISSING */
  state: Uint8Array;
  dirCount: number;
  fileCount: number;
  fileBytes: number;
  /** 16 bytes over the rules' fingerprint, the names, the lstat fields and the states */
  digest: Buffer;
}

export interface ListingHooks {
  /** called before each entry's lstat: may throw (abort) or return a promise to wait for (a turn of the event loop) */
  beforeEntry(): Promise<unknown> | undefined;
  notice(rel: Buffer, code: string, message: string, skipped: boolean): void;
  /** a reusable buffer of at least this many bytes */
  scratch(bytes: number): Buffer;
}

/**
 * List `abs` and lstat every entry in one synchronous pass (listing order: the
 * same order gives the same digest, another only costs a rebuild).
 */
export async function listDirectory(abs: Buffer | string, rel: Buffer, parentRules: IgnoreRules, hooks: ListingHooks): Promise<Listing> {
  let names: string[] | Buffer[] = [];
  let text = typeof abs === 'string';
  if (text) {
    names = fs.readdirSync(abs);
    for (let i = 0; i < names.length; i++) {
      if (names[i]!.includes('\ufffd')) {
        text = false;
        abs = Buffer.from(abs as string);
        break;
      }
    }
  }
  if (!text) names = readDirNames(abs as Buffer);
  const n = names.length;
  let rules = parentRules;
  for (let i = 0; i < n; i++) {
    if (text ? names[i] === IGNORE_FILE : (names[i] as Buffer).equals(IGNORE_FILE_BUF)) {
      rules = parentRules.enter(asBuffer(abs), displayName(rel));
      break;
    }
  }
  const filterAll = !rules.excludesNothingIn(abs.toString());
  let prefix: Buffer | string;
  if (typeof abs === 'string') prefix = abs + '/';
  else {
    prefix = Buffer.allocUnsafe(abs.length + 1);
    abs.copy(prefix, 0);
    prefix[abs.length] = SLASH;
  }

  const slots = new BigInt64Array(n * STAT_SLOTS);
  const extra = new BigInt64Array(n * EXTRA_SLOTS);
  const state = new Uint8Array(n);
  let nameLen = 0;
  for (let i = 0; i < n; i++) nameLen += 2 + (text ? 3 * (names[i] as string).length : (names[i] as Buffer).length);
  const nb = hooks.scratch(nameLen);
  let no = 0;
  let dirCount = 0;
  let fileCount = 0;
  let fileBytes = 0;
  for (let i = 0; i < n; i++) {
    const wait = hooks.beforeEntry();
    if (wait) await wait;
    let p: string | Buffer;
    if (text) {
      const name = names[i] as string;
      const len = nb.write(name, no + 2);
      nb.writeUInt16LE(len, no);
      no += 2 + len;
      p = (prefix as string) + name;
    } else {
      const name = names[i] as Buffer;
      no = nb.writeUInt16LE(name.length, no);
      no += name.copy(nb, no);
      p = Buffer.concat([prefix as Buffer, name], (prefix as Buffer).length + name.length);
    }
    let est: fs.BigIntStats | undefined;
    try {
      est = fs.lstatSync(p, { bigint: true, throwIfNoEntry: false });
      if (!est) throw Object.assign(new Error(`ENOENT: no such file or directory, lstat '${p.toString()}'`), { code: 'ENOENT' });
    } catch (e) {
      const code = errnoCode(e);
      const r = joinPath(rel, asBuffer(names[i]!));
      if (code === 'ENOENT' || code === 'ENOTDIR') hooks.notice(r, 'ENOENT', 'vanished before it could be read', false);
      else hooks.notice(r, code ?? 'E_IO', (e as Error).message, true);
      state[i] = MISSING;
      continue;
    }
    toSlots(est, slots, i);
    toExtra(est, extra, i);
    const isDir = est.isDirectory();
    if (filterAll && rules.excludes(p.toString(), displayName(joinPath(rel, asBuffer(names[i]!))), isDir, est)) {
      state[i] = EXCLUDED;
      continue;
    }
    if (isDir) dirCount++;
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
