// Restores a snapshot, a subtree or one file. Files are streamed chunk by
// chunk into a temporary name beside their destination, every chunk and the
// whole file are verified against their BLAKE3 names, then metadata is set and
// the file renamed into place. Directory metadata is applied after children.
// Over an existing directory it rewrites only what differs, deletes extra
// entries only when asked (`delete`), and `dryRun` reports without touching.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { StrataError, errnoCode, isStrataError } from '../errors.js';
import { hashBytes, newHasher } from '../hash.js';
import { displayName, joinPath } from '../fs/paths.js';
import type { BlobReader } from '../store/repository.js';
import type { Kind, TreeEntry } from '../tree/codec.js';
import { fileChunks, loadTree } from '../tree/trees.js';

export interface RestoreProgress {
  files: number;
  bytes: number;
  totalBytes: number;
  totalFiles: number;
  path: string;
}

export interface RestoreNotice {
  path: string;
  code: string;
  message: string;
}

/** One change to the target: reported in dry runs (and as it happens otherwise). */
export interface RestoreAction {
  op: 'create' | 'update' | 'delete' | 'meta';
  path: string; // relative to the target
  kind: Kind | 'other';
}

export interface RestoreRequest {
  /** what to restore: a directory's contents go into target; anything else becomes target/NAME */
  entry: TreeEntry;
  target: string;
  /** skip files whose existing content already matches (hash compare) */
  skipIdentical?: boolean;
  /** remove entries of restored directories that the snapshot does not have */
  delete?: boolean;
  /** change nothing, create nothing: only report actions */
  dryRun?: boolean;
  onAction?: (a: RestoreAction) => void;
  onProgress?: (p: RestoreProgress) => void;
  onNotice?: (n: RestoreNotice) => void;
}

export interface RestoreStats {
  files: number;
  dirs: number;
  symlinks: number;
  others: number;
  bytes: number;
  filesSkipped: number; // already identical
  deleted: number; // entries removed (--delete)
  errors: number;
  durationMs: number;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export async function restore(repo: BlobReader, req: RestoreRequest): Promise<RestoreStats> {
  return new Restorer(repo, req).run();
}

class Restorer {
  readonly stats: RestoreStats = { files: 0, dirs: 0, symlinks: 0, others: 0, bytes: 0, filesSkipped: 0, deleted: 0, errors: 0, durationMs: 0 };
  private readonly progress: RestoreProgress;
  private lastTick = 0;
  private sinceYield = 0;

  constructor(
    private readonly repo: BlobReader,
    private readonly req: RestoreRequest,
  ) {
    const e = req.entry;
    this.progress = { files: 0, bytes: 0, totalBytes: e.size, totalFiles: e.kind === 'dir' ? (e.files ?? 0) : 1, path: '' };
  }

  async run(): Promise<RestoreStats> {
    const t0 = Date.now();
    const target = Buffer.from(this.req.target);
    const e = this.req.entry;
    const st = fs.statSync(target, { throwIfNoEntry: false });
    if (st && !st.isDirectory()) throw new StrataError('E_NOT_DIR', `restore target ${this.req.target} exists and is not a directory`);
    if (!st) {
      this.action('create', target, 'dir');
      if (!this.req.dryRun) fs.mkdirSync(target, { recursive: true });
    }
    if (e.kind === 'dir') {
      await this.restoreDirContents(e.subtree!, target, !!st);
      if (!st) this.applyMeta(target, e);
    } else {
      await this.restoreEntry(e, joinPath(target, e.name), !!st);
    }
    this.stats.durationMs = Date.now() - t0;
    this.tick(true);
    return this.stats;
  }

  private notice(p: Buffer, code: string, message: string): void {
    this.stats.errors++;
    this.req.onNotice?.({ path: displayName(p), code, message });
  }

  /** Report an action, with its path relative to the target ('.' for the target itself). */
  private action(op: RestoreAction['op'], p: Buffer, kind: RestoreAction['kind']): void {
    if (!this.req.onAction) return;
    const t = Buffer.from(this.req.target);
    const rel = p.equals(t) ? Buffer.from('.') : p.subarray(0, t.length).equals(t) ? p.subarray(t.length).subarray(p[t.length] === 0x2f ? 1 : 0) : p;
    this.req.onAction({ op, path: displayName(rel), kind });
  }

  /** `dirExisted`: the directory was there before (so its entries must be checked, and extras may be deleted). */
  private async restoreDirContents(tree: Buffer, dir: Buffer, dirExisted: boolean): Promise<void> {
    const children = await loadTree(this.repo, tree);
    for (const child of children) {
      await this.restoreEntry(child, joinPath(dir, child.name), dirExisted);
    }
    if (this.req.delete && dirExisted) this.deleteExtras(dir, children);
  }

  private deleteExtras(dir: Buffer, children: readonly TreeEntry[]): void {
    const keep = new Set(children.map((c) => c.name.toString('latin1')));
    let names: Buffer[];
    try {
      names = fs.readdirSync(dir, { encoding: 'buffer' });
    } catch (err) {
      this.notice(dir, errnoCode(err) ?? 'E_IO', (err as Error).message);
      return;
    }
    for (const name of names) {
      if (keep.has(name.toString('latin1'))) continue;
      const p = joinPath(dir, name);
      try {
        const st = fs.lstatSync(p);
        this.action('delete', p, st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other');
        if (!this.req.dryRun) fs.rmSync(p, { recursive: true, force: true });
        this.stats.deleted++;
      } catch (err) {
        this.notice(p, errnoCode(err) ?? 'E_IO', (err as Error).message);
      }
    }
  }

  private async restoreEntry(e: TreeEntry, dest: Buffer, parentExisted: boolean): Promise<void> {
    // let the event loop turn now and then: native hashers are only freed there
    if (++this.sinceYield >= 256) {
      this.sinceYield = 0;
      await new Promise((r) => setImmediate(r));
    }
    try {
      const st = parentExisted ? fs.lstatSync(dest, { throwIfNoEntry: false }) : undefined;
      const op = st ? 'update' : 'create';
      switch (e.kind) {
        case 'dir': {
          this.stats.dirs++;
          const isDir = st?.isDirectory() ?? false;
          if (!isDir) {
            this.action(op, dest, 'dir');
            if (!this.req.dryRun) {
              if (st) fs.rmSync(dest, { force: true });
              fs.mkdirSync(dest);
            }
          }
          await this.restoreDirContents(e.subtree!, dest, isDir);
          this.applyMeta(dest, e);
          break;
        }
        case 'file':
          await this.restoreFile(e, dest, st);
          break;
        case 'symlink':
          if (this.req.skipIdentical && st?.isSymbolicLink() && fs.readlinkSync(dest, { encoding: 'buffer' }).equals(e.target!)) break;
          this.stats.symlinks++;
          this.action(op, dest, 'symlink');
          if (this.req.dryRun) break;
          replaceWith(dest, (tmp) => fs.symlinkSync(e.target!, tmp));
          this.applyMeta(dest, e);
          break;
        case 'fifo':
          if (this.req.skipIdentical && st?.isFIFO()) {
            this.applyMeta(dest, e);
            break;
          }
          this.stats.others++;
          this.action(op, dest, 'other');
          if (this.req.dryRun) break;
          replaceWith(dest, (tmp) => execFileSync('mkfifo', ['-m', (e.mode & 0o777).toString(8), tmp.toString()]));
          this.applyMeta(dest, e);
          break;
        case 'chardev':
        case 'blockdev':
          if (!isRoot) {
            this.notice(dest, 'E_SPECIAL', `${e.kind} not restored (needs root)`);
            break;
          }
          this.stats.others++;
          this.action(op, dest, 'other');
          if (this.req.dryRun) break;
          replaceWith(dest, (tmp) =>
            execFileSync('mknod', [tmp.toString(), e.kind === 'chardev' ? 'c' : 'b', String(Math.floor(e.rdev! / 256) & 0xfff), String(e.rdev! & 0xff)]),
          );
          this.applyMeta(dest, e);
          break;
        case 'socket':
          this.notice(dest, 'E_SPECIAL', 'socket not restored (sockets cannot be recreated)');
          break;
      }
    } catch (err) {
      if (isStrataError(err) && (err.code === 'E_CORRUPT' || err.code === 'E_BLOB_MISSING' || err.code === 'E_PACK_MISSING')) {
        throw new StrataError(err.code, `${displayName(dest)}: ${err.message}`, { cause: err });
      }
      this.notice(dest, errnoCode(err) ?? 'E_IO', (err as Error).message);
    }
  }

  /** where chunks are decompressed, reused across files (fresh memory is slow here, see docs/bench.md) */
  private chunkBuf = Buffer.allocUnsafe(1 << 20);

  private async restoreFile(e: TreeEntry, dest: Buffer, st: fs.Stats | undefined): Promise<void> {
    const c = e.content!;
    this.progress.path = displayName(dest);
    if (this.req.skipIdentical && st?.isFile() && st.size === e.size && sameFileContent(dest, e.size, c.hash)) {
      this.stats.filesSkipped++;
      if ((st.mode & 0o7777) !== e.mode || Math.abs(st.mtimeMs - Number(e.mtimeNs / 1000n) / 1000) >= 1) this.action('meta', dest, 'file');
      this.applyMeta(dest, e);
      this.advance(e.size);
      return;
    }
    this.action(st ? 'update' : 'create', dest, 'file');
    if (this.req.dryRun) {
      this.stats.files++;
      this.stats.bytes += e.size;
      this.advance(e.size);
      return;
    }
    const chunks = await fileChunks(this.repo, c);
    const tmp = tmpName(dest);
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      const whole = chunks.length > 1 ? newHasher() : undefined;
      let written = 0;
      for (const h of chunks) {
        const data = await this.repo.getBlob(h, this.chunkBuf); // verifies the chunk hash; decompressed into the reused buffer
        if (data.length > this.chunkBuf.length) this.chunkBuf = Buffer.allocUnsafe(data.length); // big enough next time
        whole?.update(data);
        let off = 0;
        while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
        written += data.length;
        this.advance(data.length, false);
      }
      const got = whole ? whole.digest() : chunks.length === 1 ? chunks[0]! : hashBytes(Buffer.alloc(0));
      if (written !== e.size || !got.equals(c.hash)) {
        throw new StrataError('E_CORRUPT', `restored content does not match the snapshot (size ${written}/${e.size})`);
      }
      if (isRoot) fs.fchownSync(fd, e.uid, e.gid);
      fs.fchmodSync(fd, e.mode);
      fs.futimesSync(fd, nsToSeconds(e.mtimeNs), nsToSeconds(e.mtimeNs));
    } catch (err) {
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    fs.closeSync(fd);
    try {
      if (st?.isDirectory()) fs.rmSync(dest, { recursive: true, force: true });
      fs.renameSync(tmp, dest);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    this.stats.files++;
    this.stats.bytes += e.size;
    this.progress.files++;
    this.tick();
  }

  private advance(bytes: number, isFile = true): void {
    this.progress.bytes += bytes;
    if (isFile) this.progress.files++;
    this.tick();
  }

  private applyMeta(p: Buffer, e: TreeEntry): void {
    if (this.req.dryRun) return;
    if (isRoot) fs.lchownSync(p, e.uid, e.gid);
    if (e.kind !== 'symlink') fs.chmodSync(p, e.mode);
    const t = nsToSeconds(e.mtimeNs);
    fs.lutimesSync(p, t, t);
  }

  private tick(force = false): void {
    if (!this.req.onProgress) return;
    const now = Date.now();
    if (!force && now - this.lastTick < 200) return;
    this.lastTick = now;
    this.req.onProgress(this.progress);
  }
}

const nsToSeconds = (ns: bigint): number => Number(ns / 1000n) / 1e6;

/** Temporary names: random per process, then counted (one getrandom per restore, not per file). */
const TMP_PREFIX = `.strata-restore-${randomBytes(4).toString('hex')}-`;
let tmpCounter = 0;

function tmpName(dest: Buffer): Buffer {
  const slash = dest.lastIndexOf(0x2f);
  const dir = slash >= 0 ? dest.subarray(0, slash) : Buffer.from('.');
  return joinPath(dir, Buffer.from(`${TMP_PREFIX}${(tmpCounter++).toString(36)}`));
}

/** Create something at a temporary name, then rename it over `dest`. */
function replaceWith(dest: Buffer, make: (tmp: Buffer) => void): void {
  const tmp = tmpName(dest);
  make(tmp);
  try {
    const st = fs.lstatSync(dest, { throwIfNoEntry: false });
    if (st?.isDirectory()) fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(tmp, dest);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

function sameFileContent(p: Buffer, size: number, hash: Buffer): boolean {
  let fd: number;
  try {
    const st = fs.lstatSync(p);
    if (!st.isFile() || st.size !== size) return false;
    fd = fs.openSync(p, 'r');
  } catch {
    return false;
  }
  try {
    const h = newHasher();
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
    return h.digest().equals(hash);
  } finally {
    fs.closeSync(fd);
  }
}
