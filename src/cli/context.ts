// Shared option handling for commands: which repository and cache, locks for readers, JSON or text, and
// turning "SNAP:PATH" (or a plain PATH with --at TIME) into a snapshot and a
// tree entry.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { ScryptParams } from '../crypto/kdf.js';
import { getPassword } from '../crypto/password.js';
import { StrataError, errnoCode, isStrataError } from '../errors.js';
import { filterSnapshots, listSnapshots, resolveSnapshot, rootEntry, splitRef, type Snapshot, type SnapshotFilter } from '../snapshot/manifest.js';
import { TIME_SPEC_HELP, parseTimeSpec } from '../snapshot/time-spec.js';
import { parseRepoAddress } from '../store/address.js';
import { acquireLock, type LockOptions, type RepoLock } from '../store/lock.js';
import { Repository, type CacheOptions } from '../store/repository.js';
import type { TreeEntry } from '../tree/codec.js';
import { resolvePath } from '../tree/trees.js';

export interface GlobalOpts {
  repo?: string;
  cacheDir?: string;
  /** false with --no-lock */
  lock?: boolean;
  json?: boolean;
  quiet?: boolean;
  passwordFile?: string;
  passwordCommand?: string;
}

export function globals(cmd: Command): GlobalOpts {
  return cmd.optsWithGlobals() as GlobalOpts;
}

export function repoPath(g: GlobalOpts): string {
  const p = g.repo ?? process.env.STRATA_REPO;
  if (!p) throw new StrataError('E_USAGE', 'no repository given: use --repo PATH or set STRATA_REPO');
  parseRepoAddress(p); // refuses unsupported schemes before anything is created
  return p;
}

/** The canonical path of a source directory to snapshot (how snapshots name their source): it must exist. */
export function resolveSource(dir: string): string {
  try {
    return fs.realpathSync(path.resolve(dir));
  } catch (e) {
    throw new StrataError('E_SOURCE', `cannot read source ${dir}: ${(e as Error).message}`);
  }
}

/** Where the cache is, and how its notices reach the user (one line on stderr each). */
export function cacheOptions(g: GlobalOpts): CacheOptions {
  return { cacheDir: g.cacheDir, notice: (msg) => process.stderr.write(`strata: ${msg}\n`), password: passwordGetter(g), kdf: kdfParams() };
}

/**
 * The password of the repository, from --password-file / --password-command,
 * STRATA_PASSWORD_FILE / STRATA_PASSWORD_COMMAND, STRATA_PASSWORD, or a
 * prompt (twice with `confirm`, when it is being set); asked once per process.
 */
export function passwordGetter(g: GlobalOpts, confirm = false): () => Promise<string> {
  let got: Promise<string> | undefined;
  return () => (got ??= getPassword({ file: g.passwordFile, command: g.passwordCommand, env: process.env, confirm }).then((r) => r.password));
}

/** A new password (key add, key passwd): --new-password-file / --new-password-command or a prompt twice, never the STRATA_PASSWORD* variables. */
export function newPasswordGetter(o: { newPasswordFile?: string; newPasswordCommand?: string }): () => Promise<string> {
  return () =>
    getPassword({ file: o.newPasswordFile, command: o.newPasswordCommand, confirm: true, prompt: 'enter the new password: ', flags: { file: '--new-password-file', command: '--new-password-command' } }).then((r) => r.password);
}

/**
 * scrypt parameters for new keys: calibrated (undefined) in production.
 * TEST-ONLY knob: STRATA_TEST_KDF_N=N (a power of two, at least 2^14) fixes N,
 * so test suites do not pay ~0.5 s of scrypt per command. Documented in
 * docs/format.md §2.1 as a test knob; never set it for real repositories.
 */
export function kdfParams(): (() => ScryptParams) | undefined {
  const n = process.env.STRATA_TEST_KDF_N;
  if (!n) return undefined;
  return () => ({ N: Number(n), r: 8, p: 1, salt: randomBytes(32) });
}

/**
 * Run `fn` under a shared lock for a command that only reads: without one
 * under --no-lock, or when the repository cannot be written (read-only media,
 * no permission), saying so once. Reads still fail loudly when a prune removes
 * what they are reading.
 */
export async function withReadLock<T>(g: GlobalOpts, repo: Repository, opts: LockOptions, fn: () => Promise<T>): Promise<T> {
  if (g.lock === false) return fn();
  let lock: RepoLock;
  try {
    lock = await acquireLock(repo.store, opts);
  } catch (e) {
    const code = errnoCode(e) ?? errnoCode((e as { cause?: unknown }).cause);
    if (code !== 'EROFS' && code !== 'EACCES' && code !== 'EPERM') throw e;
    process.stderr.write(`strata: the repository cannot be written (${code}): reading it without a lock\n`);
    return fn();
  }
  const prev = repo.lock;
  repo.lock = lock;
  try {
    return await fn();
  } finally {
    repo.lock = prev;
    await lock.release().catch(() => {});
  }
}

/**
 * The value of a --source option as snapshots record it: the canonical path
 * when DIR exists, else the absolute path as typed (so a source that was moved
 * or lost, exactly when one restores, can still be named).
 */
export function sourceOption(dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  try {
    return fs.realpathSync(path.resolve(dir));
  } catch {
    return path.resolve(dir);
  }
}

/** The source among `sources` that contains the absolute path `p` (the deepest one). */
export function sourceContaining(p: string, sources: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const s of sources) {
    if ((p === s || p.startsWith(s.endsWith('/') ? s : s + '/')) && (!best || s.length > best.length)) best = s;
  }
  return best;
}

function cwdReal(): string {
  try {
    return fs.realpathSync(process.cwd());
  } catch {
    return process.cwd();
  }
}

export interface PickOptions extends SnapshotFilter {
  /** an absolute path the user gave: `latest` is then the newest snapshot of the source holding it */
  hint?: string;
  /** the command reads a path inside the snapshot: with several sources, never guess one */
  needSource?: boolean;
}

/**
 * Resolve a snapshot reference. `latest` and `latest~N` stay within one
 * source: --source, else the source holding `hint` or the current directory,
 * else (several sources) an error naming them when the command reads a path
 * inside the snapshot, or the source of the newest snapshot otherwise.
 */
export async function pickSnapshot(repo: Repository, ref: string, f: PickOptions = {}): Promise<Snapshot> {
  const filter: SnapshotFilter = { source: f.source, host: f.host, at: f.at };
  if (f.source || !/^latest(?:~\d+)?$/.test(ref)) return resolveSnapshot(repo, ref, filter);
  const all = await listSnapshots(repo);
  const cands = filterSnapshots(all, filter);
  const sources = [...new Set(cands.map((s) => s.source))];
  if (sources.length <= 1) return resolveSnapshot(repo, ref, filter, all);
  let source = sourceContaining(f.hint && path.isAbsolute(f.hint) ? f.hint : cwdReal(), sources);
  if (!source) {
    if (f.needSource) {
      throw new StrataError(
        'E_AMBIGUOUS',
        `${ref} is ambiguous: the repository has snapshots of ${sources.length} sources (${sources.join(', ')}); give --source DIR, an absolute path, or run the command from inside one`,
      );
    }
    source = cands.at(-1)!.source;
  }
  return resolveSnapshot(repo, ref, { ...filter, source }, all);
}

/**
 * A path inside a snapshot as the user typed it, made relative to the
 * snapshot root: an absolute path must lie in the source; a relative one is
 * relative to the current directory when that lies inside the source (as in
 * git), else to the snapshot root.
 */
export function pathInSnapshot(source: string, p: string): string {
  if (p === '' ) return p;
  if (path.isAbsolute(p)) {
    const rel = path.relative(source, path.normalize(p));
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new StrataError('E_NO_PATH', `${p} is not inside the snapshot's source ${source}`);
    return rel;
  }
  const cwd = cwdReal();
  if (cwd !== source && sourceContaining(cwd, [source])) {
    const rel = path.relative(source, path.join(cwd, p));
    if (rel.startsWith('..')) throw new StrataError('E_USAGE', `${p} leads outside the snapshot's source ${source}`);
    return rel;
  }
  return p;
}

/** Open the repository, run `fn`, and always close it (flushing the index). */
export async function withRepo<T>(g: GlobalOpts, fn: (repo: Repository) => Promise<T>): Promise<T> {
  const repo = await Repository.open(repoPath(g), cacheOptions(g));
  try {
    return await fn(repo);
  } finally {
    await repo.close();
  }
}

export interface Located {
  snapshot: Snapshot;
  path: string;
  entry: TreeEntry;
}

/** Help text for the --at option shared by commands. */
export const AT_HELP = `use the newest snapshot at or before TIME; the argument is then [latest[~N]:]PATH. TIME: ${TIME_SPEC_HELP}`;

/** Parse an --at value (undefined stays undefined). */
export function atOption(at: string | undefined): Date | undefined {
  return at === undefined ? undefined : parseTimeSpec(at);
}

/**
 * Split a command argument into snapshot reference and path. Without `at` it
 * is "SNAP[:PATH]". With `at` the snapshot is chosen by time, so the argument
 * is a plain PATH, optionally prefixed by latest[~N]: (counted back from TIME).
 */
export function splitSpec(spec: string, at?: Date): { ref: string; path: string } {
  if (!at) return splitRef(spec);
  const m = /^(latest(?:~\d+)?)(?::([^]*))?$/.exec(spec);
  if (m) return { ref: m[1]!, path: m[2] ?? '' };
  if (/^[0-9a-f]+:/i.test(spec)) {
    throw new StrataError('E_USAGE', `--at chooses the snapshot by time: give a PATH (or latest~N:PATH), not a snapshot id (${spec})`);
  }
  return { ref: 'latest', path: spec };
}

/** Resolve "SNAP[:PATH]" to a snapshot and the entry at PATH (the root when absent). */
export async function locate(repo: Repository, spec: string, source?: string, at?: Date): Promise<Located> {
  const { ref, path: typed } = splitSpec(spec, at);
  const snapshot = await pickSnapshot(repo, ref, { source, at, hint: typed, needSource: true });
  const path = pathInSnapshot(snapshot.source, typed);
  try {
    const entry = await resolvePath(repo, rootEntry(snapshot), path);
    return { snapshot, path, entry };
  } catch (e) {
    if (isStrataError(e, 'E_NO_PATH')) {
      throw new StrataError('E_NO_PATH', `${e.message} (snapshot ${snapshot.id.slice(0, 8)} of ${snapshot.time})`, { cause: e });
    }
    throw e;
  }
}
