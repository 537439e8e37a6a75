// Where the per-host cache of a repository lives, and opening it safely:
// `--cache-dir DIR`, else $STRATA_CACHE_DIR, else $XDG_CACHE_HOME/strata, else
// ~/.cache/strata; inside it one folder per repository id (0700, files 0600),
// like restic. A cache that is damaged or records another repository id is
// set aside (renamed, never trusted) and a new one is built.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StrataError } from '../errors.js';
import { indexFileProblem, isMarkedClean } from './index-file.js';
import { probeIndex } from './index-probe.js';
import { LmdbCache } from './lmdb-cache.js';
const TAG = 'Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by strata.\n# For information about cache directory tags, see https://bford.info/cachedir/\n';
/** The cache root folder (not yet per repository). */
export function cacheRoot(explicit) {
    if (explicit)
        return path.resolve(explicit);
    const env = process.env.STRATA_CACHE_DIR;
    if (env)
        return path.resolve(env);
    const xdg = process.env.XDG_CACHE_HOME;
    if (xdg && path.isAbsolute(xdg))
        return path.join(xdg, 'strata');
    return path.join(os.homedir(), '.cache', 'strata');
}
/** Open (or create) the cache of repository `repoId` under `root`; `notice` gets one line per thing set aside. */
export function openCacheDir(root, repoId, notice = () => { }) {
    if (!/^[0-9A-Za-z-]{8,64}$/.test(repoId))
        throw new StrataError('E_REPO_CONFIG', `repository id ${JSON.stringify(repoId)} is not usable as a cache folder name`);
    try {
        fs.mkdirSync(root, { recursive: true, mode: 0o700 });
        const tag = path.join(root, 'CACHEDIR.TAG');
        if (!fs.existsSync(tag))
            fs.writeFileSync(tag, TAG, { mode: 0o600 });
    }
    catch (e) {
        throw new StrataError('E_IO', `cannot create the cache folder ${root}: ${e.message} (choose another with --cache-dir or STRATA_CACHE_DIR)`, { cause: e });
    }
    const dir = path.join(root, repoId);
    const lmdbDir = path.join(dir, 'index');
    const idFile = path.join(dir, 'repository-id');
    let fresh = !fs.existsSync(path.join(lmdbDir, 'data.mdb'));
    let setAsideOne = false;
    if (!fresh) {
        // lmdb-js crashes the process (SIGSEGV/SIGBUS) on a damaged file instead of throwing: look first,
        // and read a file that changed since its last clean flush through a child process
        let problem = indexFileProblem(lmdbDir);
        if (!problem && !isMarkedClean(lmdbDir)) {
            const probe = probeIndex(lmdbDir, { write: true });
            if (!probe.ok)
                problem = `reading it failed: ${probe.error}`;
        }
        let recorded;
        try {
            recorded = fs.readFileSync(idFile, 'utf8').trim();
        }
        catch { }
        if (problem) {
            notice(`the cache at ${dir} is damaged (${problem}); set aside as ${setAside(dir)}, rebuilding it from the repository`);
            fresh = setAsideOne = true;
        }
        else if (recorded !== repoId) {
            const why = recorded ? `it belongs to repository ${recorded}` : 'it records no repository id';
            notice(`the cache at ${dir} is not this repository's (${why}); set aside as ${setAside(dir)}, rebuilding it from the repository`);
            fresh = setAsideOne = true;
        }
    }
    fs.mkdirSync(lmdbDir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    const cache = new LmdbCache(lmdbDir, path.join(dir, 'tmp'));
    if (fresh || !fs.existsSync(idFile)) {
        fs.writeFileSync(idFile + '.tmp', repoId + '\n', { mode: 0o600 });
        fs.renameSync(idFile + '.tmp', idFile);
    }
    return { cache, dir, fresh, setAside: setAsideOne };
}
/** Rename a cache folder out of the way (keeping only the newest one set aside per repository). */
function setAside(dir) {
    const base = path.basename(dir);
    for (const e of fs.readdirSync(path.dirname(dir))) {
        if (e.startsWith(`${base}.bad-`))
            fs.rmSync(path.join(path.dirname(dir), e), { recursive: true, force: true });
    }
    const to = `${dir}.bad-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(dir, to);
    return to;
}
//# sourceMappingURL=cache-dir.js.map