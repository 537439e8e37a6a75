// The snapshotter: walks the source (never following symlinks), reads only
// files whose stat is not in the stat cache, and writes one tree object per
// directory, bottom-up, so the root hash names the whole state. Problems with
// single paths are reported and skipped; the snapshot always completes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Chunker } from '../chunker.js';
import { StrataError, errnoCode, isStrataError } from '../errors.js';
import { kindOf, lstatRaw, metaOf, readDirNames } from '../fs/dir-entry.js';
import { displayName, isValidName, joinPath } from '../fs/paths.js';
import type { Repository } from '../store/repository.js';
import { sortEntries, type TreeEntry } from '../tree/codec.js';
import { repoTreeSink, type TreeSink } from '../tree/trees.js';
import { FileSaver } from './file-saver.js';
import { IgnoreRules } from './ignore-rules.js';
import { saveManifest, type Manifest, type SkippedPath, type Snapshot, type SnapshotStats } from './manifest.js';
import { StatCache } from './stat-cache.js';

export interface Progress {
  files: number;
  dirs: number;
  bytes: number;
  bytesRead: number;
  path: string;
}

export interface Notice extends SkippedPath {
  skipped: boolean; // true: not in the snapshot; false: stored, but worth knowing
}

export interface SnapshotRequest {
  source: string;
  host?: string;
  parent?: Snapshot | null;
  /** re-read every file, ignoring the stat cache */
  full?: boolean;
  /** compute the root hash without writing anything */
  dryRun?: boolean;
  exclude?: readonly string[];
  onProgress?: (p: Progress) => void;
  onNotice?: (n: Notice) => void;
}

export interface SnapshotResult {
  snapshot: Snapshot | (Manifest & { id: null });
}

const LIST_MAX = 1000;

export async function takeSnapshot(repo: Repository, req: SnapshotRequest): Promise<SnapshotResult> {
  return new Snapshotter(repo, req).run();
}

class Snapshotter {
  private readonly started = Date.now();
  private readonly counters = { bytesRead: 0, filesRead: 0 };
  private readonly progress: Progress = { files: 0, dirs: 0, bytes: 0, bytesRead: 0, path: '' };
  private dirsScanned = 0;
  private readonly skipped: SkippedPath[] = [];
  private readonly warnings: SkippedPath[] = [];
  private skippedCount = 0;
  private warningCount = 0;
  private readonly saver: FileSaver;
  private readonly sink: TreeSink;
  private readonly statCache: StatCache | null;
  private readonly source: string;
  private readonly host: string;

  constructor(
    private readonly repo: Repository,
    private readonly req: SnapshotRequest,
  ) {
    this.source = path.resolve(req.source);
    this.host = req.host ?? os.hostname();
    const writer = req.dryRun ? null : repo;
    this.saver = new FileSaver(writer, new Chunker(repo.config.chunker), this.counters);
    this.sink = repoTreeSink(writer);
    this.statCache = new StatCache(repo.index, this.host, this.source);
  }

  private notice(rel: Buffer, code: string, message: string, skipped: boolean): void {
    const n: Notice = { path: displayName(rel) || '.', code, message, skipped };
    if (skipped) {
      this.skippedCount++;
      if (this.skipped.length < LIST_MAX) this.skipped.push({ path: n.path, code, message });
    } else {
      this.warningCount++;
      if (this.warnings.length < LIST_MAX) this.warnings.push({ path: n.path, code, message });
    }
    this.req.onNotice?.(n);
  }

  async run(): Promise<SnapshotResult> {
    const src = Buffer.from(this.source);
    let st: fs.BigIntStats;
    try {
      st = lstatRaw(src);
    } catch (e) {
      throw new StrataError('E_SOURCE', `cannot read source ${this.source}: ${(e as Error).message}`, { cause: e });
    }
    if (!st.isDirectory()) throw new StrataError('E_SOURCE', `source ${this.source} is not a directory`);
    const repoAbs = path.resolve(this.repo.location);
    const rules = IgnoreRules.root(this.req.exclude ?? [], [repoAbs]);
    let root: TreeEntry;
    try {
      root = await this.scanDir(src, Buffer.alloc(0), rules);
    } catch (e) {
      if (isStrataError(e)) throw e;
      throw new StrataError('E_SOURCE', `cannot read source ${this.source}: ${(e as Error).message}`, { cause: e });
    }
    if (!this.req.dryRun) await this.repo.flush();
    const meta = metaOf(st);
    const stats: SnapshotStats = {
      files: root.files ?? 0,
      dirs: root.dirs ?? 0,
      symlinks: 0,
      others: 0,
      bytes: root.size,
      bytesRead: this.counters.bytesRead,
      filesRead: this.counters.filesRead,
      bytesAdded: this.repo.writeStats.bytesAdded,
      blobsAdded: this.repo.writeStats.blobsAdded,
      dirsScanned: this.dirsScanned,
      durationMs: 0,
    };
    const rootHex = root.subtree!.toString('hex');
    const parent = this.req.parent ?? null;
    const manifest: Manifest = {
      version: 1,
      time: new Date().toISOString(),
      host: this.host,
      source: this.source,
      root: rootHex,
      rootMeta: { mode: meta.mode, uid: meta.uid, gid: meta.gid, mtimeNs: meta.mtimeNs.toString() },
      parent: parent?.id ?? null,
      unchanged: parent !== null && parent.root === rootHex,
      stats,
      skipped: this.skipped,
      skippedCount: this.skippedCount,
      warnings: this.warnings,
      warningCount: this.warningCount,
    };
    stats.durationMs = Date.now() - this.started;
    if (this.req.dryRun) return { snapshot: { ...manifest, id: null } };
    const saved = await saveManifest(this.repo, manifest);
    stats.durationMs = Date.now() - this.started;
    return { snapshot: saved };
  }

  /** Read a directory from disk and store its tree; returns its entry (name left empty). */
  private async scanDir(abs: Buffer, rel: Buffer, parentRules: IgnoreRules): Promise<TreeEntry> {
    const relStr = displayName(rel);
    const rules = parentRules.enter(abs, relStr);
    this.dirsScanned++;
    const names = readDirNames(abs);
    const entries: TreeEntry[] = [];
    let files = 0;
    let dirs = 0;
    let bytes = 0;
    for (const name of names) {
      const childAbs = joinPath(abs, name);
      const childRel = joinPath(rel, name);
      let st: fs.BigIntStats;
      try {
        st = lstatRaw(childAbs);
      } catch (e) {
        if (errnoCode(e) === 'ENOENT') this.notice(childRel, 'ENOENT', 'vanished before it could be read', false);
        else this.notice(childRel, errnoCode(e) ?? 'E_IO', (e as Error).message, true);
        continue;
      }
      const kind = kindOf(st);
      const childRelStr = relStr ? `${relStr}/${displayName(name)}` : displayName(name);
      if (rules.excludes(childAbs.toString(), childRelStr, kind === 'dir')) continue;
      if (!isValidName(name)) this.notice(childRel, 'W_NAME_ENCODING', 'name is not valid UTF-8; stored as raw bytes', false);
      const entry: TreeEntry = { name, kind, ...metaOf(st), size: 0 };
      switch (kind) {
        case 'file': {
          try {
            const cached = this.req.full ? undefined : this.statCache?.lookup(st, childRel);
            if (cached && this.allPresent(cached)) {
              entry.content = cached;
              entry.size = Number(st.size);
            } else {
              this.progress.path = childRelStr;
              const saved = await this.saver.save(childAbs, st);
              entry.content = saved.content;
              entry.size = saved.size;
              entry.mtimeNs = saved.stat.mtimeNs;
              if (!this.req.dryRun) this.statCache?.store(saved.stat, childRel, saved.content);
            }
          } catch (e) {
            this.fileError(childRel, e);
            continue;
          }
          files++;
          bytes += entry.size;
          this.progress.files++;
          this.progress.bytes += entry.size;
          this.tick();
          break;
        }
        case 'dir': {
          let sub: TreeEntry;
          try {
            sub = await this.scanDir(childAbs, childRel, rules);
          } catch (e) {
            if (isStrataError(e) && e.code !== 'E_IO') throw e;
            this.notice(childRel, errnoCode(e) ?? 'E_IO', `directory not readable: ${(e as Error).message}`, true);
            continue;
          }
          entry.subtree = sub.subtree;
          entry.files = sub.files;
          entry.dirs = sub.dirs;
          entry.size = sub.size;
          files += sub.files!;
          dirs += sub.dirs! + 1;
          bytes += sub.size;
          this.progress.dirs++;
          break;
        }
        case 'symlink':
          try {
            entry.target = fs.readlinkSync(childAbs, { encoding: 'buffer' });
          } catch (e) {
            this.fileError(childRel, e);
            continue;
          }
          entry.size = entry.target.length;
          break;
        case 'chardev':
        case 'blockdev':
          entry.rdev = Number(st.rdev);
          this.notice(childRel, 'W_SPECIAL', `${kind} recorded as metadata only`, false);
          break;
        default:
          this.notice(childRel, 'W_SPECIAL', `${kind} recorded as metadata only, never opened`, false);
      }
      entries.push(entry);
    }
    const { hash } = await this.sink.saveTree(sortEntries(entries));
    return { name: Buffer.alloc(0), kind: 'dir', mode: 0, uid: 0, gid: 0, mtimeNs: 0n, size: bytes, subtree: hash, files, dirs };
  }

  private allPresent(c: { chunks?: Buffer[]; chunkList?: Buffer }): boolean {
    if (c.chunkList) return this.repo.hasBlob(c.chunkList);
    return c.chunks!.every((h) => this.repo.hasBlob(h));
  }

  private fileError(rel: Buffer, e: unknown): void {
    const code = isStrataError(e) ? e.code : (errnoCode(e) ?? 'E_IO');
    const msg = isStrataError(e) ? e.message : code === 'EACCES' ? 'permission denied' : code === 'ENOENT' ? 'vanished while being read' : (e as Error).message;
    if (code === 'ENOENT') this.notice(rel, code, msg, false);
    else this.notice(rel, code, msg, true);
  }

  private lastTick = 0;
  private tick(): void {
    if (!this.req.onProgress) return;
    const now = Date.now();
    if (now - this.lastTick < 200) return;
    this.lastTick = now;
    this.progress.bytesRead = this.counters.bytesRead;
    this.req.onProgress(this.progress);
  }
}
