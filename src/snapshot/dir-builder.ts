// Builds one directory's tree object from disk, re-reading only what the dirty
// trie says: a full listing, a patch of a few named entries on top of the old
// tree, or nothing (the old subtree is reused by hash). Files go through the
// stat cache, so even a full listing reads only files whose stat changed.
import type * as fs from 'node:fs';
import { readlinkSync } from 'node:fs';
import { StrataError, errnoCode, isStrataError } from '../errors.js';
import { kindOf, lstatRaw, metaOf, readDirNames } from '../fs/dir-entry.js';
import { displayName, isValidName, joinPath } from '../fs/paths.js';
import type { BlobWriter } from '../store/repository.js';
import { sortEntries, type TreeEntry } from '../tree/codec.js';
import { findEntry, loadTree, type TreeSink } from '../tree/trees.js';
import type { DirtyMark, DirtyNode } from './dirty-tree.js';
import type { FileSaver } from './file-saver.js';
import type { IgnoreRules } from './ignore-rules.js';
import type { DirCache, DirRecord, StatCache } from './stat-cache.js';

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
}

export class DirBuilder {
  dirsScanned = 0;
  private sinceYield = 0;
  /** directories to look at again next time (a file kept changing while read) */
  readonly retry: DirtyMark[] = [];

  constructor(private readonly ctx: BuildContext) {}

  /**
   * Tree of directory `abs`. `node` null: re-list everything below (the stat
   * cache still spares unchanged files). `old`: this path's subtree in the
   * parent snapshot, when it is known to be the same directory.
   */
  async build(abs: Buffer, rel: Buffer, rules: IgnoreRules, node: DirtyNode | null, old: DirRecord | null, st: fs.BigIntStats): Promise<DirRecord> {
    if (old && node && !node.recursive && !node.all && node.names.size === 0 && node.children.size === 0) return old;
    const here = rules.enter(abs, displayName(rel));
    if (!old || !node || node.recursive) return this.scan(abs, rel, here, null, null, st);
    if (node.all) return this.scan(abs, rel, here, node, old, st);
    return this.patch(abs, rel, here, node, old, st);
  }

  private async scan(abs: Buffer, rel: Buffer, rules: IgnoreRules, node: DirtyNode | null, old: DirRecord | null, st: fs.BigIntStats): Promise<DirRecord> {
    this.dirsScanned++;
    const names = readDirNames(abs);
    const oldEntries = node && old ? await loadTree(this.ctx.repo, old.subtree) : null;
    const entries: TreeEntry[] = [];
    for (const name of names) {
      const key = name.toString('latin1');
      const oldE = oldEntries ? findEntry(oldEntries, name) : undefined;
      const e = await this.entry(abs, rel, rules, name, node ? (node.children.get(key) ?? 'clean') : null, oldE, false);
      if (e) entries.push(e);
    }
    return this.finish(entries, rel, st);
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
    return this.finish([...byName.values()], rel, st);
  }

  private async finish(entries: TreeEntry[], rel: Buffer, st: fs.BigIntStats): Promise<DirRecord> {
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
    const { hash } = await this.ctx.sink.saveTree(sortEntries(entries));
    const rec: DirRecord = { subtree: hash, files, dirs, size };
    if (!this.ctx.dryRun) this.ctx.dirCache.store(st, rel, rec);
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
        if (!patching) this.ctx.notice(rel, 'ENOENT', 'vanished before it could be read', false);
      } else this.ctx.notice(rel, code ?? 'E_IO', (e as Error).message, true);
      return null;
    }
    const kind = kindOf(st);
    const relStr = displayName(rel);
    if (rules.excludes(abs.toString(), relStr, kind === 'dir')) return null;
    if (!isValidName(name)) this.ctx.notice(rel, 'W_NAME_ENCODING', 'name is not valid UTF-8; stored as raw bytes', false);
    const e: TreeEntry = { name, kind, ...metaOf(st), size: 0 };
    switch (kind) {
      case 'file':
        return this.fileEntry(e, abs, rel, relStr, st, oldE, dirRel);
      case 'dir': {
        let sub: DirRecord;
        try {
          sub = await this.dirChild(abs, rel, rules, childNode, oldE, st);
        } catch (err) {
          if (isStrataError(err) && err.code !== 'E_IO') throw err;
          this.ctx.notice(rel, errnoCode(err) ?? 'E_IO', `directory not readable: ${(err as Error).message}`, true);
          return null;
        }
        return Object.assign(e, { subtree: sub.subtree, files: sub.files, dirs: sub.dirs, size: sub.size });
      }
      case 'symlink':
        try {
          e.target = readlinkSync(abs, { encoding: 'buffer' });
        } catch (err) {
          this.ctx.notice(rel, errnoCode(err) ?? 'E_IO', (err as Error).message, errnoCode(err) !== 'ENOENT');
          return null;
        }
        e.size = e.target.length;
        return e;
      case 'chardev':
      case 'blockdev':
        e.rdev = Number(st.rdev);
        this.ctx.notice(rel, 'W_SPECIAL', `${kind} recorded as metadata only`, false);
        return e;
      default:
        this.ctx.notice(rel, 'W_SPECIAL', `${kind} recorded as metadata only, never opened`, false);
        return e;
    }
  }

  private async dirChild(abs: Buffer, rel: Buffer, rules: IgnoreRules, node: DirtyNode | 'clean' | null, oldE: TreeEntry | undefined, st: fs.BigIntStats): Promise<DirRecord> {
    if (node === null) return this.build(abs, rel, rules, null, null, st);
    // the old subtree counts only if this is the same directory (inode) last seen at this path
    const rec = oldE?.kind === 'dir' ? this.ctx.dirCache.lookup(st, rel) : undefined;
    const old = rec && rec.subtree.equals(oldE!.subtree!) ? rec : null;
    if (node === 'clean') return old ?? this.build(abs, rel, rules, null, null, st);
    return this.build(abs, rel, rules, node, old, st);
  }

  private async fileEntry(e: TreeEntry, abs: Buffer, rel: Buffer, relStr: string, st: fs.BigIntStats, oldE: TreeEntry | undefined, dirRel: Buffer): Promise<TreeEntry | null> {
    const ctx = this.ctx;
    try {
      const cached = ctx.full ? undefined : ctx.statCache.lookup(st, rel);
      if (cached && this.allPresent(cached)) {
        e.content = cached;
        e.size = Number(st.size);
      } else {
        const saved = await ctx.saver.save(abs, st);
        e.content = saved.content;
        e.size = saved.size;
        e.mtimeNs = saved.stat.mtimeNs;
        if (!ctx.dryRun) ctx.statCache.store(saved.stat, rel, saved.content);
      }
    } catch (err) {
      const code = isStrataError(err) ? err.code : (errnoCode(err) ?? 'E_IO');
      if (code === 'ENOENT') {
        ctx.notice(rel, code, 'vanished while being read', false);
        return null;
      }
      if (code === 'E_FILE_CHANGED') this.retry.push({ dir: dirRel.toString('latin1'), names: [e.name.toString('latin1')] });
      const msg = isStrataError(err) ? err.message : code === 'EACCES' ? 'permission denied' : (err as Error).message;
      if (code === 'E_FILE_CHANGED' && oldE?.kind === 'file') {
        ctx.notice(rel, code, `${msg}; kept the previous version, will retry`, false);
        return oldE;
      }
      ctx.notice(rel, code, msg, true);
      return null;
    }
    ctx.onFile(relStr, e.size);
    return e;
  }

  private allPresent(c: { chunks?: Buffer[]; chunkList?: Buffer }): boolean {
    if (c.chunkList) return this.ctx.repo.hasBlob(c.chunkList);
    return c.chunks!.every((h) => this.ctx.repo.hasBlob(h));
  }
}
