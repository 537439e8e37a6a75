// Builds one directory's tree object from disk, re-reading only what the dirty
// trie says: a full listing, a patch of a few named entries on top of the old
// tree, or nothing (the old subtree is reused by hash). Files go through the
// stat cache, so even a full listing reads only files whose stat changed.
import * as fs from 'node:fs';
import { readlinkSync } from 'node:fs';
import { StrataError, errnoCode, isStrataError } from '../errors.js';
import { STAT_SLOTS, SlotStat, kindOf, lstatRaw, metaOf, readDirNames, type EntryStat, type ExtraStat } from '../fs/dir-entry.js';
import { readExtras } from '../fs/entry-extras.js';
import { displayName, isValidName, joinPath } from '../fs/paths.js';
import { hashBytes } from '../hash.js';
import { BLOB_DATA } from '../store/pack.js';
import { isRepositoryWriteError, type BlobWriter } from '../store/repository.js';
import { XATTR_INLINE_MAX, decodeChunkList, sortEntries, type FileContent, type TreeEntry, type XAttr } from '../tree/codec.js';
import { findEntry, loadTree, type TreeSink } from '../tree/trees.js';
import type { DirtyMark, DirtyNode } from './dirty-tree.js';
import { KnownDirs } from './known-dirs.js';
import type { FileSaver } from './file-saver.js';
import type { IgnoreRules } from './ignore-rules.js';
import type { ScannedDir } from '../fs/native.js';
import { PRESENT, ReadAhead, asBuffer, canScan, childPath, listDirectory, listScanned, startScan, type EarlyListings, type ListingHooks } from './listing.js';
import type { DirCache, DirRecord, StatCache } from './stat-cache.js';
import { RecordArena } from './record-arena.js';

export interface BuildContext {
  repo: BlobWriter;
  sink: TreeSink;
  saver: FileSaver;
  statCache: StatCache;
  dirCache: DirCache;
  dryRun: boolean;
  full: boolean; // ignore the stat cache
  signal?: AbortSignal; // abandon the snapshot (nothing is committed)
  notice(rel: Buffer, code: string, message: string, skipped: boolean): void;
  onFile(rel: string, size: number): void;
  /** files of a directory reused through its listing digest (progress only) */
  onFiles?(count: number, bytes: number): void;
  /** a dirty build: the source directory, the parent snapshot's root tree and the whole trie (moved directories are found through them) */
  moves?: { root: Buffer; parentRoot: Buffer; dirty: DirtyNode };
  /** listings read while the repository was being opened (prescan.ts) */
  prescan?: EarlyListings;
}

const S_IFMT = BigInt(fs.constants.S_IFMT);
const S_IFDIR = BigInt(fs.constants.S_IFDIR);
const NO_SUBTREE = Buffer.alloc(32);
/** entries between turns of the event loop during a listing */
const YIELD_EVERY = 1024;

export class DirBuilder {
  dirsScanned = 0;
  /** directories whose names were read (readdir): full and 'all' listings */
  dirsListed = 0;
  /** directories reused through their listing digest (no file looked at) */
  dirsReused = 0;
  private sinceYield = 0;
  private notices = 0;
  /** a file whose size lied was reported (once per snapshot) */
  private sizeLiedWarned = false;
  /** directory records to write once the snapshot's blobs are durable (copied compactly: record-arena.ts) */
  private readonly pending = new RecordArena();
  /** records returned by the digest fast path: their parent checks the subtree is still indexed */
  private readonly reused = new WeakSet<DirRecord>();
  private nameBuf = Buffer.allocUnsafe(64 * 1024);
  /** subdirectories read ahead on the thread pool during full listings (with the addon) */
  private readonly readAhead: ReadAhead;
  /** directories to look at again next time (a file kept changing while read) */
  readonly retry: DirtyMark[] = [];

  private readonly known: KnownDirs | undefined;

  constructor(private readonly ctx: BuildContext) {
    this.readAhead = new ReadAhead(16, 6, ctx.prescan);
    this.known = ctx.moves
      ? new KnownDirs(
          { repo: ctx.repo, dirCache: ctx.dirCache, ...ctx.moves },
          {
            entry: (dirAbs, dirRel, rules, name, child, oldE) => this.entry(dirAbs, dirRel, rules, name, child, oldE, true),
            finish: (entries, rel, st) => this.finish(entries, rel, st),
            rerecord: (st, rel, rec) => {
              if (!ctx.dryRun) this.pending.push(...ctx.dirCache.encode(st, rel, rec));
            },
          },
        )
      : undefined;
  }

  /** directories found under a new name (same inode) and reused without listing them */
  get dirsMoved(): number {
    return this.known?.moved ?? 0;
  }

  /** directories proven unchanged by their own stat and their subdirectories' (no listing) */
  get dirsVerified(): number {
    return this.known?.verified ?? 0;
  }

  private readonly listingHooks: ListingHooks = {
    beforeEntry: () => {
      if (this.ctx.signal?.aborted) throw new StrataError('E_ABORTED', 'snapshot abandoned');
      if (++this.sinceYield < YIELD_EVERY) return undefined;
      this.sinceYield = 0;
      return new Promise((r) => setImmediate(r));
    },
    notice: (rel, code, message, skipped) => this.notice(rel, code, message, skipped),
    scratch: (bytes) => (this.nameBuf.length >= bytes ? this.nameBuf : (this.nameBuf = Buffer.allocUnsafe(bytes * 2))),
  };

  private notice(rel: Buffer, code: string, message: string, skipped: boolean): void {
    this.notices++;
    this.ctx.notice(rel, code, message, skipped);
  }

  /**
   * Write the directory records of this build. Call only once every blob the
   * build produced is durable and indexed (after repository flush): a record
   * with a listing digest vouches for its whole subtree.
   */
  commitRecords(): void {
    const records = this.pending.take();
    if (!this.ctx.dryRun) this.ctx.dirCache.storeEncoded(records);
  }

  /**
   * Tree of directory `abs`. `node` null: re-list everything below (the stat
   * cache still spares unchanged files). `old`: this path's subtree in the
   * parent snapshot, when it is known to be the same directory.
   */
  async build(abs: Buffer, rel: Buffer, rules: IgnoreRules, node: DirtyNode | null, old: DirRecord | null, st: fs.BigIntStats): Promise<DirRecord> {
    if (old && node && !node.recursive && !node.created && !node.all && node.names.size === 0 && node.children.size === 0) return old;
    if (!old || !node || node.recursive || node.created) {
      const p = isValidName(abs) ? abs.toString() : abs;
      const rec = await this.scanFull(p, rel, rules, st, true);
      return this.reused.has(rec) && !this.ctx.repo.hasBlob(rec.subtree) ? this.scanFull(p, rel, rules, st, false) : rec;
    }
    const here = rules.enter(abs, displayName(rel));
    if (node.all) return this.scan(abs, rel, here, node, old, st);
    return this.patch(abs, rel, here, node, old, st);
  }

  /**
   * Re-list directory `abs` completely (no old tree to patch). Every entry is
   * lstat'ed synchronously in one pass; subdirectories are built next; then the
   * listing digest (names, lstat fields, subdirectory subtree hashes, rules)
   * is compared with the one recorded for this directory inode at this path.
   * Equal: the recorded subtree is the tree this listing produces (every file
   * is where and as it was: same inode, size, mtime and ctime), so no file goes
   * through the stat cache and nothing is encoded or written. Otherwise each
   * entry is built as usual. `fast` false: never take the digest shortcut.
   */
  private async scanFull(abs: Buffer | string, rel: Buffer, parentRules: IgnoreRules, st: EntryStat, fast: boolean, pre?: Promise<ScannedDir>): Promise<DirRecord> {
    this.dirsScanned++;
    this.dirsListed++;
    const ctx = this.ctx;
    const noticesAtStart = this.notices;
    // 1. lstat every entry; the digest covers each name and the lstat fields a tree entry depends on
    const L = canScan()
      ? await listScanned(asBuffer(abs), rel, parentRules, this.listingHooks, pre ?? this.readAhead.takeEarly(asBuffer(abs)) ?? startScan(asBuffer(abs))!)
      : await listDirectory(abs, rel, parentRules, this.listingHooks);
    const { text, names, prefix, rules, slots, extra, state, dirCount, fileCount, fileBytes, digest: listing } = L;
    const n = names.length;
    const listingClean = this.notices === noticesAtStart;

    // 2. the record says this listing is unchanged: build the subdirectories first, and if their
    // subtrees are the recorded ones too, the recorded subtree is this directory's tree
    const subs: (DirRecord | null | undefined)[] = dirCount > 0 ? new Array(n) : [];
    const rels: Buffer[] = dirCount > 0 ? new Array(n) : [];
    let ownDirNotices = 0;
    let childNotices = 0; // notices from inside subdirectories: theirs to account for, not ours
    const isSubdir = (i: number) => state[i] === PRESENT && (slots[i * STAT_SLOTS + 2]! & S_IFMT) === S_IFDIR;
    const ahead = dirCount > 0 ? this.readAhead.plan(L, isSubdir) : null;
    const subdir = async (i: number): Promise<DirRecord | null> => {
      const r = (rels[i] = joinPath(rel, asBuffer(names[i]!)));
      const before = this.notices;
      try {
        const sub = await this.scanFull(childPath(prefix, names[i]!), r, rules, new SlotStat(slots, i, extra), fast, ahead?.take(i));
        childNotices += this.notices - before;
        return sub;
      } catch (err) {
        childNotices += this.notices - before;
        // a failed repository write (a full disk, a dropped connection) is never the directory's fault
        if (isRepositoryWriteError(err) || (isStrataError(err) && err.code !== 'E_IO')) throw err;
        ownDirNotices++;
        const code = errnoCode(err);
        if (code === 'ENOENT' || code === 'ENOTDIR') this.notice(r, 'ENOENT', 'vanished before it could be read', false);
        else this.notice(r, code ?? 'E_IO', `directory not readable: ${(err as Error).message}`, true);
        return null;
      }
    };
    const known = fast && listingClean && !ctx.full ? ctx.dirCache.lookupListing(st, rel, listing) : undefined;
    if (known) {
      const parts: Uint8Array[] = [listing];
      for (let i = 0; i < n; i++) if (isSubdir(i)) parts.push((subs[i] = await subdir(i))?.subtree ?? NO_SUBTREE);
      if (ownDirNotices === 0 && hashBytes(Buffer.concat(parts)).subarray(0, 16).equals(known.digest)) {
        this.dirsReused++;
        this.reused.add(known.rec);
        if (fileCount > 0) ctx.onFiles?.(fileCount, fileBytes);
        // renamed or moved: record it at its new path (same digests), for the watch daemon's path checks
        if (!known.samePath && !ctx.dryRun) this.pending.push(...ctx.dirCache.encode(st, rel, known.rec, Buffer.concat([listing, known.digest])));
        return known.rec;
      }
    }

    // 3. otherwise: build every entry in listing order (files through the stat cache)
    const entries: TreeEntry[] = [];
    for (let i = 0; i < n; i++) {
      if (state[i] !== PRESENT) continue;
      const est = new SlotStat(slots, i, extra);
      const name = asBuffer(names[i]!);
      const kind = kindOf(est);
      if (!text && !isValidName(name)) this.notice(joinPath(rel, name), 'W_NAME_ENCODING', 'name is not valid UTF-8; stored as raw bytes', false);
      const e: TreeEntry = { name, kind, ...metaOf(est), size: 0 };
      const big = this.extras(e, asBuffer(childPath(prefix, names[i]!)), joinPath(rel, name), est);
      if (big) await this.storeXattrValues(big);
      if (kind === 'dir') {
        if (subs[i] === undefined) subs[i] = await subdir(i);
        let sub = subs[i];
        if (!sub) continue;
        // a subtree reused by digest goes into a new tree: make sure it is still there
        if (this.reused.has(sub) && !ctx.repo.hasBlob(sub.subtree)) {
          const before = this.notices;
          subs[i] = sub = await this.scanFull(childPath(prefix, names[i]!), rels[i]!, rules, est, false);
          childNotices += this.notices - before;
        }
        entries.push(Object.assign(e, { subtree: sub.subtree, files: sub.files, dirs: sub.dirs, size: sub.size }));
        continue;
      }
      if (ctx.signal?.aborted) throw new StrataError('E_ABORTED', 'snapshot abandoned');
      if (++this.sinceYield >= YIELD_EVERY) {
        this.sinceYield = 0;
        await new Promise((res) => setImmediate(res));
      }
      const built = await this.leafEntry(e, est, asBuffer(childPath(prefix, names[i]!)), joinPath(rel, name), rel);
      if (built) entries.push(built);
    }
    const parts: Uint8Array[] = [listing];
    for (let i = 0; i < n; i++) if (isSubdir(i)) parts.push(subs[i]?.subtree ?? NO_SUBTREE);
    const digest = hashBytes(Buffer.concat(parts)).subarray(0, 16);
    // notices of our own (not of subdirectories, which decide for themselves) keep the digest out
    const clean = this.notices - noticesAtStart - childNotices === 0;
    return this.finish(sortEntries(entries), rel, st, clean ? Buffer.concat([listing, digest]) : undefined, true);
  }

  private async scan(abs: Buffer, rel: Buffer, rules: IgnoreRules, node: DirtyNode | null, old: DirRecord | null, st: fs.BigIntStats): Promise<DirRecord> {
    this.dirsScanned++;
    this.dirsListed++;
    const names = readDirNames(abs);
    const oldEntries = node && old ? await loadTree(this.ctx.repo, old.subtree) : null;
    const entries: TreeEntry[] = [];
    for (const name of names) {
      const key = name.toString('latin1');
      const oldE = oldEntries ? findEntry(oldEntries, name) : undefined;
      const e = await this.entry(abs, rel, rules, name, node ? (node.children.get(key) ?? 'clean') : null, oldE, false);
      if (e) entries.push(e);
    }
    return this.finish(sortEntries(entries), rel, st);
  }

  /** Re-stat only the touched names and dirty children on top of the old tree. */
  private async patch(abs: Buffer, rel: Buffer, rules: IgnoreRules, node: DirtyNode, old: DirRecord, st: fs.BigIntStats): Promise<DirRecord> {
    this.dirsScanned++;
    const byName = new Map<string, TreeEntry>();
    for (const e of await loadTree(this.ctx.repo, old.subtree)) byName.set(e.name.toString('latin1'), e);
    const touched = new Set([...node.names, ...node.children.keys()]);
    for (const key of touched) {
      const name = Buffer.from(key, 'latin1');
      const child = node.children.get(key);
      const e = await this.entry(abs, rel, rules, name, child ?? (node.names.has(key) ? 'clean' : null), byName.get(key), true);
      if (e) byName.set(key, e);
      else byName.delete(key);
    }
    return this.finish(sortEntries([...byName.values()]), rel, st);
  }

  /** `entries` sorted. `digest`: the listing digest to record (a complete, notice-free listing). `deferred`: write the record only in commitRecords. */
  private async finish(entries: TreeEntry[], rel: Buffer, st: EntryStat, digest?: Buffer, deferred = false): Promise<DirRecord> {
    let files = 0;
    let dirs = 0;
    let size = 0;
    for (const e of entries) {
      if (e.kind === 'file') {
        files++;
        size += e.size;
      } else if (e.kind === 'dir') {
        files += e.files!;
        dirs += e.dirs! + 1;
        size += e.size;
      }
    }
    const { hash } = await this.ctx.sink.saveTree(entries);
    const rec: DirRecord = { subtree: hash, files, dirs, size };
    if (this.ctx.dryRun) return rec;
    if (deferred) this.pending.push(...this.ctx.dirCache.encode(st, rel, rec, digest));
    else this.ctx.dirCache.store(st, rel, rec);
    return rec;
  }

  /**
   * The entry for `name` in directory `dirAbs`, or null when it is gone,
   * excluded or unreadable. `childNode`: for a directory child, what is dirty
   * below it ('clean': nothing; null: re-list everything).
   */
  private async entry(
    dirAbs: Buffer,
    dirRel: Buffer,
    rules: IgnoreRules,
    name: Buffer,
    childNode: DirtyNode | 'clean' | null,
    oldE: TreeEntry | undefined,
    patching: boolean,
  ): Promise<TreeEntry | null> {
    if (this.ctx.signal?.aborted) throw new StrataError('E_ABORTED', 'snapshot abandoned');
    // let the event loop turn now and then: native hashers are freed there, watch events arrive there
    if (++this.sinceYield >= 256) {
      this.sinceYield = 0;
      await new Promise((r) => setImmediate(r));
    }
    const abs = joinPath(dirAbs, name);
    const rel = joinPath(dirRel, name);
    let st: fs.BigIntStats;
    try {
      st = lstatRaw(abs);
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        if (!patching) this.notice(rel, 'ENOENT', 'vanished before it could be read', false);
      } else this.notice(rel, code ?? 'E_IO', (e as Error).message, true);
      return null;
    }
    const kind = kindOf(st);
    const relStr = displayName(rel);
    if (rules.excludes(abs.toString(), relStr, kind === 'dir', st)) return null;
    if (!isValidName(name)) this.notice(rel, 'W_NAME_ENCODING', 'name is not valid UTF-8; stored as raw bytes', false);
    const e: TreeEntry = { name, kind, ...metaOf(st), size: 0 };
    const big = this.extras(e, abs, rel, st);
    if (big) await this.storeXattrValues(big);
    if (kind !== 'dir') return this.leafEntry(e, st, abs, rel, dirRel, oldE);
    let sub: DirRecord;
    try {
      sub = await this.dirChild(abs, rel, rules, childNode, oldE, st);
    } catch (err) {
      if (isRepositoryWriteError(err) || (isStrataError(err) && err.code !== 'E_IO')) throw err;
      this.notice(rel, errnoCode(err) ?? 'E_IO', `directory not readable: ${(err as Error).message}`, true);
      return null;
    }
    return Object.assign(e, { subtree: sub.subtree, files: sub.files, dirs: sub.dirs, size: sub.size });
  }

  /** Store xattr values too large to be inline as data blobs. */
  private async storeXattrValues(values: Buffer[]): Promise<void> {
    if (this.ctx.dryRun) return;
    for (const v of values) await this.ctx.repo.putBlob(BLOB_DATA, this.ctx.repo.ids.blobId(v), v);
  }

  /** Version 2 metadata (docs/format.md §6.1a). Returns xattr values to store as blobs (rare), else undefined: no promise per entry. */
  private extras(e: TreeEntry, abs: Buffer, rel: Buffer, st: EntryStat & ExtraStat): Buffer[] | undefined {
    const x = readExtras(abs, e.kind, st, (message) => this.notice(rel, 'W_XATTR', message, false));
    if (x.atimeNs !== undefined) e.atimeNs = x.atimeNs;
    if (x.link) e.link = x.link;
    if (x.sparse) e.sparse = true;
    if (!x.xattrs) return undefined;
    let big: Buffer[] | undefined;
    e.xattrs = x.xattrs.map(({ name, value }): XAttr => {
      if (value.length <= XATTR_INLINE_MAX) return { name, value, size: value.length };
      (big ??= []).push(value);
      return { name, blob: this.ctx.repo.ids.blobId(value), size: value.length };
    });
    return big;
  }

  /** Finish the entry `e` of anything but a directory (lstat `st`). */
  private async leafEntry(e: TreeEntry, st: EntryStat, abs: Buffer, rel: Buffer, dirRel: Buffer, oldE?: TreeEntry): Promise<TreeEntry | null> {
    switch (e.kind) {
      case 'file':
        return this.fileEntry(e, abs, rel, displayName(rel), st, oldE, dirRel);
      case 'symlink':
        try {
          e.target = readlinkSync(abs, { encoding: 'buffer' });
        } catch (err) {
          this.notice(rel, errnoCode(err) ?? 'E_IO', (err as Error).message, errnoCode(err) !== 'ENOENT');
          return null;
        }
        e.size = e.target.length;
        return e;
      case 'chardev':
      case 'blockdev':
        e.rdev = Number(st.rdev);
        this.notice(rel, 'W_SPECIAL', `${e.kind} recorded as metadata only`, false);
        return e;
      default:
        this.notice(rel, 'W_SPECIAL', `${e.kind} recorded as metadata only, never opened`, false);
        return e;
    }
  }

  private async dirChild(abs: Buffer, rel: Buffer, rules: IgnoreRules, node: DirtyNode | 'clean' | null, oldE: TreeEntry | undefined, st: fs.BigIntStats): Promise<DirRecord> {
    if (node === null) return this.build(abs, rel, rules, null, null, st);
    // the old subtree counts only if this is the same directory (inode) last seen at this path
    const rec = oldE?.kind === 'dir' ? this.ctx.dirCache.lookup(st, rel) : undefined;
    const old = rec && rec.subtree.equals(oldE!.subtree!) ? rec : null;
    if (node === 'clean') return old ?? this.build(abs, rel, rules, null, null, st);
    if (node.created && this.known) {
      // announced as created: a directory the dir cache knows (moved here, or re-announced) is not re-listed
      const known = await this.known.reuse(abs, rel, rules, node, oldE, st);
      if (known) return known;
    }
    return this.build(abs, rel, rules, node, old, st);
  }

  private async fileEntry(e: TreeEntry, abs: Buffer, rel: Buffer, relStr: string, st: EntryStat, oldE: TreeEntry | undefined, dirRel: Buffer): Promise<TreeEntry | null> {
    const ctx = this.ctx;
    try {
      const cached = ctx.full ? undefined : ctx.statCache.lookup(st, rel);
      if (cached && (await this.allPresent(cached.content, cached.checkList))) {
        e.content = cached.content;
        e.size = Number(st.size);
        if (cached.checkList && !ctx.dryRun) ctx.statCache.store(st, rel, cached.content);
      } else {
        // without an earlier version to keep, a file that keeps changing is stored as last read (never dropped)
        this.readAhead.invalidate(); // listings read ahead before this (maybe long) read are not used
        const saved = await ctx.saver.save(abs, st, oldE?.kind !== 'file');
        e.content = saved.content;
        e.size = saved.size;
        e.mtimeNs = saved.stat.mtimeNs;
        if (saved.changed) {
          e.changed = true;
          this.retry.push({ dir: dirRel.toString('latin1'), names: [e.name.toString('latin1')] });
          this.notice(rel, 'W_FILE_CHANGED', 'file kept changing while being read; stored as last read (marked changed), will retry', false);
        } else if (saved.sizeLied) {
          // procfs/sysfs: the stat says nothing about the content, so never reuse it from the cache
          // (nor its directory from the listing digest: counting a notice keeps the digest out)
          if (!this.sizeLiedWarned) this.notice(rel, 'W_SIZE_LIES', `its size says ${st.size} bytes but reading it gave ${saved.size}; stored what was read (further such files in this snapshot are not reported)`, false);
          else this.notices++;
          this.sizeLiedWarned = true;
        } else if (!ctx.dryRun) ctx.statCache.store(saved.stat, rel, saved.content);
      }
    } catch (err) {
      // a failed repository write (a full disk) is never this file's fault: stop the snapshot
      if (isRepositoryWriteError(err) || isStrataError(err, 'E_NO_SPACE')) throw err;
      const code = isStrataError(err) ? err.code : (errnoCode(err) ?? 'E_IO');
      if (code === 'ENOENT') {
        this.notice(rel, code, 'vanished while being read', false);
        return null;
      }
      if (code === 'E_FILE_CHANGED') this.retry.push({ dir: dirRel.toString('latin1'), names: [e.name.toString('latin1')] });
      const msg = isStrataError(err) ? err.message : code === 'EACCES' ? 'permission denied' : (err as Error).message;
      if (code === 'E_FILE_CHANGED' && oldE?.kind === 'file') {
        this.notice(rel, code, `${msg}; kept the previous version, will retry`, false);
        return oldE;
      }
      this.notice(rel, code, msg, true);
      return null;
    }
    ctx.onFile(relStr, e.size);
    return e;
  }

  /** Every blob a cached content names is in the index (a chunk list's chunks too, when `checkList`). */
  private async allPresent(c: FileContent, checkList: boolean): Promise<boolean> {
    const repo = this.ctx.repo;
    if (!c.chunkList) return c.chunks!.every((h) => repo.hasBlob(h));
    if (!repo.hasBlob(c.chunkList)) return false;
    if (!checkList) return true;
    try {
      return decodeChunkList(await repo.getBlob(c.chunkList)).every((h) => repo.hasBlob(h));
    } catch {
      return false; // an unreadable list: read the file again
    }
  }
}
