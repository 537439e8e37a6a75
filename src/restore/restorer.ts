// Restores a snapshot, a subtree or one file. Files are streamed chunk by
// chunk into a private (0600) temporary name beside their destination,
// verified (every chunk and the whole file), given their metadata and renamed
// into place; directories are created 0700 and get their mode, xattrs and
// times after their children. Names of one hard-link group become links of
// the first one restored. Damage does not stop the restore: a file whose data
// cannot be read or verified is reported (path and reason) and left out; every
// other entry is restored. Over an existing directory it rewrites only what
// differs, sweeps leftover temporaries, deletes extra entries only when asked
// (`delete`), and `dryRun` reports (reading and verifying what it would write).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { StrataError, errnoCode, isStrataError } from '../errors.js';
import { faultPoint } from '../fault.js';
import { displayName, joinPath } from '../fs/paths.js';
import type { BlobReader } from '../store/repository.js';
import type { Kind, TreeEntry } from '../tree/codec.js';
import type { RestoreAction, RestoreProgress, RestoreRequest, RestoreStats } from './types.js';
import { ContentBatch } from './content-batch.js';
import { prefetchTrees } from './tree-prefetch.js';
import { loadTree } from '../tree/trees.js';
import { ContentWriter, sameFileContent } from './content.js';
import { MetaWriter, isRoot } from './metadata.js';
import { sweep, tmpName, untrack } from './temporaries.js';

export { removeLive as removeTemporaries } from './temporaries.js';
export type { RestoreAction, RestoreNotice, RestoreProgress, RestoreRequest, RestoreStats } from './types.js';

export async function restore(repo: BlobReader, req: RestoreRequest, live?: (s: RestoreStats) => void): Promise<RestoreStats> {
  const r = new Restorer(repo, req);
  live?.(r.stats);
  return r.run();
}

const INTEGRITY = new Set(['E_CORRUPT', 'E_BLOB_MISSING', 'E_PACK_MISSING', 'E_OBJECT_MISSING']);

/**
 * Restores of at least this many bytes from a repository read with several requests in flight (S3)
 * decode on worker threads, so the main thread keeps the requests going; their start costs ~50 ms of
 * a core. From a local disk they did not pay (measured: docs/bench.md).
 */
const OFF_THREAD_BYTES = 32 << 20;
const OFF_THREAD_READS = 4;
/**
 * Temporaries created at once (STRATA_CREATES, 1–16): each create is a trip through libuv's pool behind
 * the writes queued there, ~0.5 ms apiece on a busy ext4, and a window's files wait on them. Four at
 * once restored 15–20 % faster than one at a time (docs/bench.md "Restore: creates").
 */
const CREATES = Math.min(16, Math.max(1, Number(process.env.STRATA_CREATES) || 4));

/** STRATA_DECODE_THREADS: 0 never, 1 always, unset: large restores from a remote repository. */
function decodeOffThread(bytes: number, readsInFlight: number): boolean {
  const v = process.env.STRATA_DECODE_THREADS;
  return v === '1' || (v !== '0' && bytes >= OFF_THREAD_BYTES && readsInFlight >= OFF_THREAD_READS);
}

class Restorer {
  readonly stats: RestoreStats = { files: 0, dirs: 0, symlinks: 0, others: 0, links: 0, bytes: 0, filesSkipped: 0, deleted: 0, errors: 0, integrityErrors: 0, warnings: 0, tempsSwept: 0, durationMs: 0 };
  private readonly progress: RestoreProgress;
  private lastTick = 0;
  private sinceYield = 0;
  private readonly meta: MetaWriter;
  /** dry runs: read and verify file by file */
  private readonly content: ContentWriter;
  /** the content of the files being restored, fetched by grouped ranged reads */
  private readonly batch: ContentBatch;
  /** directories walked whose metadata waits for their files (post-order); `stamp`: windows started when it was walked */
  private readonly dirs: { dest: Buffer; e: TreeEntry; existed: boolean; children?: readonly TreeEntry[]; stamp: number }[] = [];
  /** the last temporary being created in each lane (CREATES lanes, each creating in order, one at a time) */
  private readonly openings: Promise<unknown>[] = Array.from({ length: CREATES }, () => Promise.resolve());
  private lane = 0;
  /** hard-link groups: "dev:ino" → the first name restored */
  private readonly links = new Map<string, Buffer>();

  constructor(
    private readonly repo: BlobReader,
    private readonly req: RestoreRequest,
  ) {
    const e = req.entry;
    this.progress = { files: 0, bytes: 0, totalBytes: e.size, totalFiles: e.kind === 'dir' ? (e.files ?? 0) : 1, path: '' };
    this.meta = new MetaWriter(repo, { xattrs: req.xattrs !== false, warn: (path, code, message) => this.warning(path, code, message) });
    this.content = new ContentWriter(repo, (n) => this.advance(n, false), req.signal);
    const offThread = !req.dryRun && repo.packs?.decodeRange !== undefined && decodeOffThread(e.size, repo.packs.rangeReadsInFlight);
    if (offThread) repo.packs!.prepareDecode?.(); // the workers start while the tree is walked
    this.batch = new ContentBatch(repo, (n) => this.advance(n, false), req.signal, req.windowLimits, req.writeBytes, offThread);
    if (!req.dryRun) this.meta.checkNative(false);
  }

  async run(): Promise<RestoreStats> {
    const t0 = Date.now();
    const target = Buffer.from(this.req.target);
    const e = this.req.entry;
    const st = fs.statSync(target, { throwIfNoEntry: false });
    if (st && !st.isDirectory()) throw new StrataError('E_NOT_DIR', `restore target ${this.req.target} exists and is not a directory`);
    if (!st) {
      this.action('create', target, 'dir');
      if (!this.req.dryRun) fs.mkdirSync(target, { recursive: true, mode: 0o700 });
    }
    try {
      if (e.kind === 'dir') {
        this.batch.chunkLists = await prefetchTrees(this.repo, e.subtree!, this.req.signal);
        // the target takes the snapshot root's place: its own mode, owner and times too
        await this.restoreDir(e, target, st);
        await this.settle();
      } else {
        if (st) this.openUp(target, st);
        await this.restoreEntry(e, joinPath(target, e.name), !!st);
        await this.settle();
        if (st && !this.req.dryRun) this.restoreMode(target, st);
      }
    } catch (err) {
      await this.batch.stop(); // E_ABORTED: the temporaries stay tracked, the caller removes them
      throw err;
    }
    this.stats.durationMs = Date.now() - t0;
    this.tick(true);
    return this.stats;
  }

  private notice(p: Buffer, code: string, message: string): void {
    this.stats.errors++;
    if (INTEGRITY.has(code)) this.stats.integrityErrors++;
    this.req.onNotice?.({ path: displayName(p), code, message });
  }

  private warning(path: string, code: string, message: string): void {
    this.stats.warnings++;
    this.req.onWarning?.({ path, code, message });
  }

  private rel(p: Buffer): string {
    const t = Buffer.from(this.req.target);
    const rel = p.equals(t) ? Buffer.from('.') : p.subarray(0, t.length).equals(t) ? p.subarray(t.length).subarray(p[t.length] === 0x2f ? 1 : 0) : p;
    return displayName(rel);
  }

  /** Report an action, with its path relative to the target ('.' for the target itself). */
  private action(op: RestoreAction['op'], p: Buffer, kind: RestoreAction['kind'], reason?: string): void {
    this.req.onAction?.({ op, path: this.rel(p), kind, ...(reason ? { reason } : {}) });
  }

  /** Non-root over an existing directory without write access: open it up for the restore (its mode is set again after). */
  private openUp(dir: Buffer, st: fs.Stats): void {
    if (isRoot || this.req.dryRun || (st.mode & 0o300) === 0o300) return;
    fs.chmodSync(dir, (st.mode & 0o7777) | 0o700);
  }

  private restoreMode(dir: Buffer, st: fs.Stats): void {
    if (!isRoot && (st.mode & 0o300) !== 0o300) fs.chmodSync(dir, st.mode & 0o7777);
  }

  /** Restore directory entry `e` at `dest`; `st`: what is there now (undefined: nothing, or created by us). */
  private async restoreDir(e: TreeEntry, dest: Buffer, st: fs.Stats | undefined): Promise<void> {
    const existed = !!st;
    if (st) this.openUp(dest, st);
    const children = await loadTree(this.repo, e.subtree!);
    if (existed) {
      let names: Buffer[] = [];
      try {
        names = fs.readdirSync(dest, { encoding: 'buffer' });
      } catch {}
      if (!this.req.dryRun) this.stats.tempsSwept += sweep(dest, names);
    }
    for (const child of children) await this.restoreEntry(child, joinPath(dest, child.name), existed);
    if (this.req.dryRun) {
      if (this.req.delete && existed) this.deleteExtras(dest, children);
      return;
    }
    // extras are deleted and metadata applied once the files being fetched are renamed into place
    this.dirs.push({ dest, e, existed, ...(this.req.delete && existed ? { children } : {}), stamp: this.batch.started });
    await this.finishDirs(false);
  }

  /** Every file fetched and finished, then every directory. */
  private async settle(): Promise<void> {
    await this.batch.drain();
    await this.finishDirs(true);
  }

  /** Directories whose files are all finished: delete extras (--delete), apply their metadata; children before parents. */
  private async finishDirs(all: boolean): Promise<void> {
    while (this.dirs.length > 0) {
      const d = this.dirs[0]!;
      if (!all && this.batch.pending > 0 && this.batch.completed <= d.stamp) return;
      this.dirs.shift();
      if (d.children) this.deleteExtras(d.dest, d.children);
      await this.meta.apply(d.dest, d.e, d.existed);
    }
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
    // let the event loop turn now and then: native hashers are only freed there, signals arrive there
    if (++this.sinceYield >= 256) {
      this.sinceYield = 0;
      await new Promise((r) => setImmediate(r));
    }
    if (this.req.signal?.aborted) throw new StrataError('E_ABORTED', 'restore interrupted');
    try {
      const st = parentExisted ? fs.lstatSync(dest, { throwIfNoEntry: false }) : undefined;
      const op = st ? 'update' : 'create';
      if (e.kind !== 'dir' && e.link && (await this.restoreLink(e, dest, st))) return;
      switch (e.kind) {
        case 'dir': {
          this.stats.dirs++;
          const isDir = st?.isDirectory() ?? false;
          if (!isDir) {
            this.action(op, dest, 'dir');
            if (!this.req.dryRun) {
              if (st) fs.rmSync(dest, { force: true });
              fs.mkdirSync(dest, { mode: 0o700 });
            }
          }
          await this.restoreDir(e, dest, isDir ? st : undefined);
          break;
        }
        case 'file':
          await this.restoreFile(e, dest, st);
          break;
        case 'symlink':
          if (this.req.skipIdentical && st?.isSymbolicLink() && fs.readlinkSync(dest, { encoding: 'buffer' }).equals(e.target!)) {
            if (!this.req.dryRun) await this.meta.apply(dest, e, true);
            break;
          }
          this.stats.symlinks++;
          this.action(op, dest, 'symlink');
          if (this.req.dryRun) break;
          await this.replaceWith(dest, e, (tmp) => fs.symlinkSync(e.target!, tmp));
          break;
        case 'fifo':
        case 'chardev':
        case 'blockdev':
          await this.restoreSpecial(e, dest, st);
          break;
        case 'socket':
          this.warning(displayName(dest), 'W_SOCKET', 'socket skipped (a socket is created by the program that listens on it)');
          this.action('skip', dest, 'other', 'socket');
          break;
      }
    } catch (err) {
      if (isStrataError(err, 'E_ABORTED')) throw err;
      this.failed(dest, e.kind, err);
    }
  }

  /** An entry not restored: a notice (and a 'fail' action for damaged or missing data). */
  private failed(dest: Buffer, kind: Kind, err: unknown): void {
    const code = isStrataError(err) ? err.code : (errnoCode(err) ?? (err as { code?: string }).code ?? 'E_IO');
    if (INTEGRITY.has(code)) this.action('fail', dest, kind, (err as Error).message);
    this.notice(dest, code, INTEGRITY.has(code) ? `not restored: ${(err as Error).message}` : (err as Error).message);
  }

  /** A later name of a hard-link group: link it to the first one. false: this is the first (restore it normally). */
  private async restoreLink(e: TreeEntry, dest: Buffer, st: fs.Stats | undefined): Promise<boolean> {
    const key = `${e.link!.dev}:${e.link!.ino}`;
    const first = this.links.get(key);
    if (!first) {
      this.links.set(key, dest);
      return false;
    }
    if (st) {
      const fst = fs.lstatSync(first, { throwIfNoEntry: false });
      if (fst && fst.ino === st.ino && fst.dev === st.dev) return true; // already the same file
    }
    this.stats.links++;
    this.action(st ? 'update' : 'create', dest, e.kind);
    if (this.req.dryRun) return true;
    if (this.batch.pending > 0) await this.batch.drain(); // the first name may still be a temporary
    const tmp = tmpName(dest);
    try {
      fs.linkSync(first, tmp);
      if (st?.isDirectory()) fs.rmSync(dest, { recursive: true, force: true });
      fs.renameSync(tmp, dest);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    } finally {
      untrack(tmp);
    }
    return true;
  }

  private async restoreSpecial(e: TreeEntry, dest: Buffer, st: fs.Stats | undefined): Promise<void> {
    const same = e.kind === 'fifo' ? st?.isFIFO() : (e.kind === 'chardev' ? st?.isCharacterDevice() : st?.isBlockDevice()) && st!.rdev === e.rdev;
    if (this.req.skipIdentical && same) {
      if ((st!.mode & 0o7777) !== e.mode) this.action('meta', dest, 'other');
      if (!this.req.dryRun) await this.meta.apply(dest, e, true);
      return;
    }
    if (e.kind !== 'fifo' && !isRoot) {
      this.notice(dest, 'E_SPECIAL', `${e.kind} not restored (needs root)`);
      return;
    }
    this.stats.others++;
    this.action(st ? 'update' : 'create', dest, 'other');
    if (this.req.dryRun) return;
    if (e.kind === 'fifo') await this.replaceWith(dest, e, (tmp) => execFileSync('mkfifo', ['-m', '600', tmp.toString()]));
    else {
      // Linux dev_t: major in bits 8-19 and 32-43, minor in bits 0-7 and 20-31
      const r = BigInt(e.rdev!);
      const major = Number(((r >> 8n) & 0xfffn) | ((r >> 32n) & ~0xfffn));
      const minor = Number((r & 0xffn) | ((r >> 12n) & ~0xffn));
      await this.replaceWith(dest, e, (tmp) => execFileSync('mknod', ['-m', '600', tmp.toString(), e.kind === 'chardev' ? 'c' : 'b', String(major), String(minor)]));
    }
  }

  /** Create something at a private temporary name, give it its metadata, rename it over `dest`. */
  private async replaceWith(dest: Buffer, e: TreeEntry, make: (tmp: Buffer) => void): Promise<void> {
    const tmp = tmpName(dest);
    try {
      make(tmp);
      await this.meta.apply(tmp, e, false);
      const st = fs.lstatSync(dest, { throwIfNoEntry: false });
      if (st?.isDirectory()) fs.rmSync(dest, { recursive: true, force: true });
      fs.renameSync(tmp, dest);
      if (e.kind === 'symlink') this.meta.applyTimes(dest, e); // rename keeps them; a symlink's own times, to be sure
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    } finally {
      untrack(tmp);
    }
  }

  private async restoreFile(e: TreeEntry, dest: Buffer, st: fs.Stats | undefined): Promise<void> {
    const c = e.content!;
    this.progress.path = displayName(dest);
    if (this.req.skipIdentical && st?.isFile() && st.size === e.size && sameFileContent(dest, e.size, c.hash)) {
      this.stats.filesSkipped++;
      if ((st.mode & 0o7777) !== e.mode || Math.abs(st.mtimeMs - Number(e.mtimeNs / 1000n) / 1000) >= 0.001) this.action('meta', dest, 'file');
      if (!this.req.dryRun) await this.meta.apply(dest, e, true);
      this.advance(e.size);
      return;
    }
    if (this.req.dryRun) {
      await this.content.write(e, null); // read and verify: a dry run tells what would fail
      this.action(st ? 'update' : 'create', dest, 'file');
      this.stats.files++;
      this.stats.bytes += e.size;
      this.progress.files++;
      return;
    }
    this.action(st ? 'update' : 'create', dest, 'file');
    const tmp = tmpName(dest);
    // read too: chunks that arrive ahead of their turn are hashed from here. Opened off the main thread,
    // CREATES at a time (lanes taken in turn)
    const lane = this.lane++ % CREATES;
    const open = this.openings[lane]!.then(() => new Promise<number>((resolve, reject) => fs.open(tmp, 'wx+', 0o600, (err, fd) => (err ? reject(err) : resolve(fd)))));
    this.openings[lane] = open.catch(() => undefined); // the batch fails the file
    await this.batch.add({ entry: e, open, done: (err, fd) => this.fileDone(e, dest, tmp, fd, st, err) });
  }

  /** A file's content is written and verified (or failed; `fd` undefined: not opened): its metadata, then renamed into place. */
  private async fileDone(e: TreeEntry, dest: Buffer, tmp: Buffer, fd: number | undefined, st: fs.Stats | undefined, failure: Error | undefined): Promise<void> {
    let open = fd !== undefined;
    try {
      if (failure) throw failure;
      if (fd === undefined) throw new StrataError('E_IO', 'not opened');
      faultPoint('restore'); // tests: SIGKILL with a written temporary, before its metadata
      await this.meta.applyOwnerXattrsMode(tmp, e, false, fd);
      this.meta.applyTimes(tmp, e, fd);
      open = false;
      fs.closeSync(fd);
      if (st?.isDirectory()) fs.rmSync(dest, { recursive: true, force: true });
      fs.renameSync(tmp, dest);
      untrack(tmp);
    } catch (err) {
      if (open) fs.closeSync(fd!);
      fs.rmSync(tmp, { force: true });
      untrack(tmp);
      this.failed(dest, 'file', err);
      return;
    }
    this.stats.files++;
    this.stats.bytes += e.size;
    this.progress.files++;
    this.progress.path = displayName(dest);
    if (e.changed) this.warning(displayName(dest), 'W_CHANGED', 'restored as read while it kept changing during the snapshot (may be inconsistent)');
    this.tick();
  }

  private advance(bytes: number, isFile = true): void {
    this.progress.bytes += bytes;
    if (isFile) this.progress.files++;
    this.tick();
  }

  private tick(force = false): void {
    if (!this.req.onProgress) return;
    const now = Date.now();
    if (!force && now - this.lastTick < 200) return;
    this.lastTick = now;
    this.req.onProgress(this.progress);
  }
}
