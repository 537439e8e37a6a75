// Shared option handling for commands: which repository and cache, locks for readers, JSON or text, and
// turning "SNAP:PATH" (or a plain PATH with --at TIME) into a snapshot and a
// tree entry.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getPassword } from '../crypto/password.js';
import { StrataError, errnoCode, isStrataError } from '../errors.js';
import { filterSnapshots, listSnapshots, resolveSnapshot, rootEntry, splitRef } from '../snapshot/manifest.js';
import { TIME_SPEC_HELP, parseTimeSpec } from '../snapshot/time-spec.js';
import { parseRepoAddress } from '../store/address.js';
import { acquireLock } from '../store/lock.js';
import { Repository } from '../store/repository.js';
import { resolvePath } from '../tree/trees.js';
export function globals(cmd) {
    return cmd.optsWithGlobals();
}
export function repoPath(g) {
    const p = g.repo ?? process.env.STRATA_REPO;
    if (!p)
        throw new StrataError('E_USAGE', 'no repository given: use --repo PATH or set STRATA_REPO');
    parseRepoAddress(p); // refuses unsupported schemes before anything is created
    return p;
}
/** The canonical path of a source directory to snapshot (how snapshots name their source): it must exist. */
export function resolveSource(dir) {
    try {
        return fs.realpathSync(path.resolve(dir));
    }
    catch (e) {
        throw new StrataError('E_SOURCE', `cannot read source ${dir}: ${e.message}`);
    }
}
/** Where the cache is, and how its notices reach the user (one line on stderr each). */
export function cacheOptions(g) {
    return { cacheDir: g.cacheDir, notice: (msg) => process.stderr.write(`strata: ${msg}\n`), password: passwordGetter(g), kdf: kdfParams() };
}
/**
 * The password of the repository, from --password-file / --password-command,
 * STRATA_PASSWORD_FILE / STRATA_PASSWORD_COMMAND, STRATA_PASSWORD, or a
 * prompt (twice with `confirm`, when it is being set); asked once per process.
 */
export function passwordGetter(g, confirm = false) {
    let got;
    return () => (got ??= getPassword({ file: g.passwordFile, command: g.passwordCommand, env: process.env, confirm }).then((r) => r.password));
}
/** A new password (key add, key passwd): --new-password-file / --new-password-command or a prompt twice, never the STRATA_PASSWORD* variables. */
export function newPasswordGetter(o) {
    return () => getPassword({ file: o.newPasswordFile, command: o.newPasswordCommand, confirm: true, prompt: 'enter the new password: ', flags: { file: '--new-password-file', command: '--new-password-command' } }).then((r) => r.password);
}
/**
 * scrypt parameters for new keys: calibrated (undefined) in production.
 * TEST-ONLY knob: STRATA_TEST_KDF_N=N (a power of two, at least 2^14) fixes N,
 * so test suites do not pay ~0.5 s of scrypt per command. Documented in
 * docs/format.md §2.1 as a test knob; never set it for real repositories.
 */
export function kdfParams() {
    const n = process.env.STRATA_TEST_KDF_N;
    if (!n)
        return undefined;
    return () => ({ N: Number(n), r: 8, p: 1, salt: randomBytes(32) });
}
/**
 * Run `fn` under a shared lock for a command that only reads: without one
 * under --no-lock, or when the repository cannot be written (read-only media,
 * no permission), saying so once. Reads still fail loudly when a prune removes
 * what they are reading.
 */
export async function withReadLock(g, repo, opts, fn) {
    if (g.lock === false)
        return fn();
    let lock;
    try {
        lock = await acquireLock(repo.store, opts);
    }
    catch (e) {
        const code = errnoCode(e) ?? errnoCode(e.cause);
        if (code !== 'EROFS' && code !== 'EACCES' && code !== 'EPERM')
            throw e;
        process.stderr.write(`strata: the repository cannot be written (${code}): reading it without a lock\n`);
        return fn();
    }
    const prev = repo.lock;
    repo.lock = lock;
    try {
        return await fn();
    }
    finally {
        repo.lock = prev;
        await lock.release().catch(() => { });
    }
}
/**
 * The value of a --source option as snapshots record it: the canonical path
 * when DIR exists, else the absolute path as typed (so a source that was moved
 * or lost, exactly when one restores, can still be named).
 */
export function sourceOption(dir) {
    if (dir === undefined)
        return undefined;
    try {
        return fs.realpathSync(path.resolve(dir));
    }
    catch {
        return path.resolve(dir);
    }
}
/** The source among `sources` that contains the absolute path `p` (the deepest one). */
export function sourceContaining(p, sources) {
    let best;
    for (const s of sources) {
        if ((p === s || p.startsWith(s.endsWith('/') ? s : s + '/')) && (!best || s.length > best.length))
            best = s;
    }
    return best;
}
function cwdReal() {
    try {
        return fs.realpathSync(process.cwd());
    }
    catch {
        return process.cwd();
    }
}
/**
 * Resolve a snapshot reference. `latest` and `latest~N` stay within one
 * source: --source, else the source holding `hint` or the current directory,
 * else (several sources) an error naming them when the command reads a path
 * inside the snapshot, or the source of the newest snapshot otherwise.
 */
export async function pickSnapshot(repo, ref, f = {}) {
    const filter = { source: f.source, host: f.host, at: f.at };
    if (f.source || !/^latest(?:~\d+)?$/.test(ref))
        return resolveSnapshot(repo, ref, filter);
    const cands = filterSnapshots(await listSnapshots(repo), filter);
    const sources = [...new Set(cands.map((s) => s.source))];
    if (sources.length <= 1)
        return resolveSnapshot(repo, ref, filter);
    let source = sourceContaining(f.hint && path.isAbsolute(f.hint) ? f.hint : cwdReal(), sources);
    if (!source) {
        if (f.needSource) {
            throw new StrataError('E_AMBIGUOUS', `${ref} is ambiguous: the repository has snapshots of ${sources.length} sources (${sources.join(', ')}); give --source DIR, an absolute path, or run the command from inside one`);
        }
        source = cands.at(-1).source;
    }
    return resolveSnapshot(repo, ref, { ...filter, source });
}
/**
 * A path inside a snapshot as the user typed it, made relative to the
 * snapshot root: an absolute path must lie in the source; a relative one is
 * relative to the current directory when that lies inside the source (as in
 * git), else to the snapshot root.
 */
export function pathInSnapshot(source, p) {
    if (p === '')
        return p;
    if (path.isAbsolute(p)) {
        const rel = path.relative(source, path.normalize(p));
        if (rel.startsWith('..') || path.isAbsolute(rel))
            throw new StrataError('E_NO_PATH', `${p} is not inside the snapshot's source ${source}`);
        return rel;
    }
    const cwd = cwdReal();
    if (cwd !== source && sourceContaining(cwd, [source])) {
        const rel = path.relative(source, path.join(cwd, p));
        if (rel.startsWith('..'))
            throw new StrataError('E_USAGE', `${p} leads outside the snapshot's source ${source}`);
        return rel;
    }
    return p;
}
/** Open the repository, run `fn`, and always close it (flushing the index). */
export async function withRepo(g, fn) {
    const repo = await Repository.open(repoPath(g), cacheOptions(g));
    try {
        return await fn(repo);
    }
    finally {
        await repo.close();
    }
}
/** Help text for the --at option shared by commands. */
export const AT_HELP = `use the newest snapshot at or before TIME; the argument is then [latest[~N]:]PATH. TIME: ${TIME_SPEC_HELP}`;
/** Parse an --at value (undefined stays undefined). */
export function atOption(at) {
    return at === undefined ? undefined : parseTimeSpec(at);
}
/**
 * Split a command argument into snapshot reference and path. Without `at` it
 * is "SNAP[:PATH]". With `at` the snapshot is chosen by time, so the argument
 * is a plain PATH, optionally prefixed by latest[~N]: (counted back from TIME).
 */
export function splitSpec(spec, at) {
    if (!at)
        return splitRef(spec);
    const m = /^(latest(?:~\d+)?)(?::([^]*))?$/.exec(spec);
    if (m)
        return { ref: m[1], path: m[2] ?? '' };
    if (/^[0-9a-f]+:/i.test(spec)) {
        throw new StrataError('E_USAGE', `--at chooses the snapshot by time: give a PATH (or latest~N:PATH), not a snapshot id (${spec})`);
    }
    return { ref: 'latest', path: spec };
}
/** Resolve "SNAP[:PATH]" to a snapshot and the entry at PATH (the root when absent). */
export async function locate(repo, spec, source, at) {
    const { ref, path: typed } = splitSpec(spec, at);
    const snapshot = await pickSnapshot(repo, ref, { source, at, hint: typed, needSource: true });
    const path = pathInSnapshot(snapshot.source, typed);
    try {
        const entry = await resolvePath(repo, rootEntry(snapshot), path);
        return { snapshot, path, entry };
    }
    catch (e) {
        if (isStrataError(e, 'E_NO_PATH')) {
            throw new StrataError('E_NO_PATH', `${e.message} (snapshot ${snapshot.id.slice(0, 8)} of ${snapshot.time})`, { cause: e });
        }
        throw e;
    }
}
//# sourceMappingURL=context.js.map