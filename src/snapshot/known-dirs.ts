// Directories announced as created that the dir cache already knows: a
// directory renamed or moved inside the source (same device + inode as one the
// parent snapshot holds at a marked old place), or one re-announced at its own
// place (watchman re-reports every entry of a moved tree). Instead of re-listing
// it, its recorded subtree is reused once it is proven unchanged cheaply:
// - the directory's own mtime is as recorded (no entry added, removed or
//   renamed in it; a move changes its ctime, so ctime is only required at the
//   same place), and the parent snapshot holds the recorded subtree at the old place;
// - each subdirectory (from the recorded tree) is, at its new place, the same
//   inode with the same mtime and ctime and the record of the same subtree at
//   the corresponding old place — checked recursively, one lstat each, no listing;
// - files are trusted from the recorded tree exactly as an unmarked directory's
//   files are: a change inside gets an event, so its name is marked (at the old
//   or the new place, both are applied) and re-stat'ed here.
// Whatever cannot be proven is handed back to the builder to re-read. See
// docs/design.md ("A directory that moved").
import * as fs from 'node:fs';
import { joinPath } from '../fs/paths.js';
import { lstatRaw } from '../fs/dir-entry.js';
import type { BlobReader } from '../store/ports.js';
import { sortEntries, type TreeEntry } from '../tree/codec.js';
import { findEntry, loadTree } from '../tree/trees.js';
import { markedPaths, mergeNodes, nodeAt, type DirtyNode } from './dirty-tree.js';
import { IGNORE_FILE } from './ignore-rules.js';
import { pathTag, type DirCache, type DirRecord, type KnownDir } from './stat-cache.js';
import type { IgnoreRules } from './ignore-rules.js';

/** What the dir builder lends: its entry builder, its tree writer and its deferred records. */
export interface KnownDirsHost {
  /** the entry for `name` in `dirAbs` as a patch would build it (null: gone or excluded); `child`: the dirty node for a directory ('clean': nothing marked; null: re-read whole) */
  entry(dirAbs: Buffer, dirRel: Buffer, rules: IgnoreRules, name: Buffer, child: DirtyNode | 'clean' | null, oldE: TreeEntry | undefined): Promise<TreeEntry | null>;
  /** encode and store a tree, record it for `rel` */
  finish(entries: TreeEntry[], rel: Buffer, st: fs.BigIntStats): Promise<DirRecord>;
  /** record `rec` for the directory `st` at `rel` once the snapshot is durable */
  rerecord(st: fs.BigIntStats, rel: Buffer, rec: DirRecord): void;
}

export interface KnownDirsContext {
  repo: BlobReader;
  dirCache: DirCache;
  /** the source directory, absolute */
  root: Buffer;
  /** the parent snapshot's root tree (a dirty build has one) */
  parentRoot: Buffer;
  /** the whole dirty trie of this snapshot */
  dirty: DirtyNode;
}

const SLASH = 0x2f;

export class KnownDirs {
  /** directories found under a new name and reused */
  moved = 0;
  /** directories proven unchanged without listing them */
  verified = 0;
  private candidates: Map<string, Buffer> | undefined;

  constructor(
    private readonly ctx: KnownDirsContext,
    private readonly host: KnownDirsHost,
  ) {}

  /**
   * The tree of the directory `abs` (at `rel`, lstat `st`, marked created by `node`), reused from
   * the dir cache when it is provably a directory already known; undefined: re-read it.
   */
  async reuse(abs: Buffer, rel: Buffer, rules: IgnoreRules, node: DirtyNode, oldE: TreeEntry | undefined, st: fs.BigIntStats): Promise<DirRecord | undefined> {
    if (node.recursive || node.all) return undefined;
    const known = this.ctx.dirCache.lookupInode(st);
    if (!known || known.mtimeNs === undefined || known.mtimeNs !== st.mtimeNs) return undefined;
    if (known.tag.equals(pathTag(rel))) {
      // re-announced at its own place: the parent snapshot holds the recorded subtree here, own stat unchanged
      if (oldE?.kind !== 'dir' || !oldE.subtree!.equals(known.rec.subtree) || known.ctimeNs !== st.ctimeNs) return undefined;
      if (!this.movable(rules, abs, abs)) return undefined;
      return this.verify(abs, rel, rel, rules, node, known.rec, st, false);
    }
    const from = this.movedFrom(known);
    if (!from || from.equals(rel)) return undefined;
    const fromAbs = joinPath(this.ctx.root, from);
    if (!this.movable(rules, abs, fromAbs)) return undefined;
    try {
      const o = lstatRaw(fromAbs);
      if (o.dev === st.dev && o.ino === st.ino) return undefined; // still there: not moved
    } catch {
      // gone from its old place, as a move leaves it
    }
    const prev = await this.parentEntry(from);
    if (prev?.kind !== 'dir' || !prev.subtree!.equals(known.rec.subtree)) return undefined;
    const r = await this.verify(abs, rel, from, rules, mergeNodes(node, nodeAt(this.ctx.dirty, from)), known.rec, st, true);
    if (r) this.moved++;
    return r;
  }

  /** Exclusion must not depend on where the tree is: no patterns in force, no always-excluded path inside either place. */
  private movable(rules: IgnoreRules, abs: Buffer, fromAbs: Buffer): boolean {
    return rules.pathIndependent(abs.toString()) && rules.pathIndependent(fromAbs.toString());
  }

  /** The marked path whose tag the record carries: where a moved directory came from (a move marks its old name). */
  private movedFrom(known: KnownDir): Buffer | undefined {
    if (!this.candidates) {
      this.candidates = new Map();
      for (const p of markedPaths(this.ctx.dirty)) {
        const b = Buffer.from(p, 'latin1');
        this.candidates.set(pathTag(b).toString('hex'), b);
      }
    }
    return this.candidates.get(known.tag.toString('hex'));
  }

  /** The parent snapshot's entry at `rel`. */
  private async parentEntry(rel: Buffer): Promise<TreeEntry | undefined> {
    let tree = this.ctx.parentRoot;
    let start = 0;
    for (;;) {
      const end = rel.indexOf(SLASH, start);
      const name = rel.subarray(start, end < 0 ? rel.length : end);
      const e = findEntry(await loadTree(this.ctx.repo, tree), name);
      if (!e || end < 0) return e;
      if (e.kind !== 'dir') return undefined;
      tree = e.subtree!;
      start = end + 1;
    }
  }

  /**
   * `rec` (recorded at `oldRel`) as the tree of `abs` (at `rel`), with the marks of `node` applied;
   * undefined when it cannot be used (the caller re-reads the directory).
   */
  private async verify(abs: Buffer, rel: Buffer, oldRel: Buffer, rules: IgnoreRules, node: DirtyNode | undefined, rec: DirRecord, st: fs.BigIntStats, moved: boolean): Promise<DirRecord | undefined> {
    if (node && (node.recursive || node.all)) return undefined;
    this.verified++;
    const names = new Set(node?.names ?? []);
    const children = new Map(node?.children ?? []); // a copy: the trie stays as it was for any caller
    if (rec.dirs === 0 && names.size === 0 && children.size === 0) {
      if (moved) this.host.rerecord(st, rel, rec);
      return rec;
    }
    const entries = await loadTree(this.ctx.repo, rec.subtree);
    const byName = new Map<string, TreeEntry>();
    for (const e of entries) {
      const key = e.name.toString('latin1');
      if (key === IGNORE_FILE) return undefined; // rules of its own: read it the usual way
      byName.set(key, e);
    }
    let changed = false;
    for (const e of entries) {
      if (e.kind !== 'dir') continue;
      const key = e.name.toString('latin1');
      const child = children.get(key);
      names.delete(key);
      children.delete(key);
      let sub: DirRecord | undefined;
      const cabs = joinPath(abs, e.name);
      let cst: fs.BigIntStats | undefined;
      try {
        cst = lstatRaw(cabs);
      } catch {
        cst = undefined;
      }
      if (cst?.isDirectory() && !child?.recursive) {
        const k = this.ctx.dirCache.lookupInode(cst);
        const corel = joinPath(oldRel, e.name);
        if (k && k.tag.equals(pathTag(corel)) && k.rec.subtree.equals(e.subtree!) && k.mtimeNs === cst.mtimeNs && k.ctimeNs === cst.ctimeNs)
          sub = await this.verify(cabs, joinPath(rel, e.name), corel, rules, child, k.rec, cst, moved);
      }
      if (!sub) {
        // not provably the same directory: the builder re-stats it and re-reads it whole
        changed = true;
        const ne = await this.host.entry(abs, rel, rules, e.name, null, e);
        if (ne) byName.set(key, ne);
        else byName.delete(key);
        continue;
      }
      if (!sub.subtree.equals(e.subtree!)) {
        changed = true;
        byName.set(key, { ...e, subtree: sub.subtree, files: sub.files, dirs: sub.dirs, size: sub.size });
      }
    }
    // marked names (files, new entries) and marked directories the recorded tree does not hold
    for (const key of new Set([...names, ...children.keys()])) {
      const ne = await this.host.entry(abs, rel, rules, Buffer.from(key, 'latin1'), children.get(key) ?? 'clean', byName.get(key));
      changed = true;
      if (ne) byName.set(key, ne);
      else byName.delete(key);
    }
    if (!changed) {
      if (moved) this.host.rerecord(st, rel, rec);
      return rec;
    }
    return this.host.finish(sortEntries([...byName.values()]), rel, st);
  }
}
