// Reads every record of an LMDB index in a child process. lmdb-js crashes
// (SIGSEGV) on damaged pages instead of throwing, so `check` looks through
// this probe before trusting the index, and `repair index` salvages snapshot
// copies from a damaged index through it; opening a cache that changed since its
// last clean flush (store/cache-dir.ts) also commits a throwaway record, since
// writers walk LMDB's free-page list, which no read touches. Run as a script it
// prints JSON lines.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { open } from 'lmdb';
const DBS = [
    ['blobs', 'binary', true],
    ['packs', 'binary', false],
    ['segments', 'msgpack', false],
    ['snapshots', 'string', false],
    ['statcache', 'binary', true],
    ['dircache', 'binary', true],
    ['state', 'msgpack', false],
];
/** Probe the index at `dir` from a child process. */
export function probeIndex(dir, opts = {}) {
    const self = fileURLToPath(import.meta.url);
    const r = spawnSync(process.execPath, [...process.execArgv, self, dir, ...(opts.snapshots ? ['--snapshots'] : []), ...(opts.write ? ['--write'] : [])], { maxBuffer: 1 << 30, encoding: 'utf8' });
    const out = { ok: false, counts: {}, snapshots: [] };
    for (const line of (r.stdout ?? '').split('\n')) {
        if (!line)
            continue;
        try {
            const v = JSON.parse(line);
            if (v.snapshot)
                out.snapshots.push({ id: v.snapshot, manifest: v.manifest });
            if (v.error)
                out.error = v.error;
            if (v.done) {
                out.ok = true;
                out.counts = v.counts;
            }
        }
        catch { }
    }
    if (!out.ok && !out.error)
        out.error = r.signal ? `reading it crashed the reader (${r.signal})` : (r.stderr || `reader exited ${r.status}`).trim().split('\n').slice(-1)[0];
    return out;
}
function openEnv(dir, write) {
    if (write) {
        try {
            fs.accessSync(path.join(dir, 'data.mdb'), fs.constants.W_OK);
            return { env: open({ path: dir, noSubdir: false, maxDbs: 16, compression: false, mapSize: 2 ** 34 }), write: true };
        }
        catch {
            // a cache this user cannot write is only read (and only read by the command that follows)
        }
    }
    return { env: open({ path: dir, noSubdir: false, readOnly: true, maxDbs: 16, compression: false }), write: false };
}
function main(dir, withSnapshots, wantWrite) {
    const { env, write } = openEnv(dir, wantWrite);
    const counts = {};
    // the main database lists the named ones: each listed must open (a damaged page throws or crashes)
    const present = new Set();
    for (const k of env.getKeys())
        present.add(String(k));
    for (const [name, encoding, binKey] of DBS) {
        if (!present.has(name))
            continue; // not created yet
        const db = env.openDB({ name, encoding, keyEncoding: binKey ? 'binary' : undefined });
        let n = 0;
        for (const { key, value } of db.getRange()) {
            n++;
            if (withSnapshots && name === 'snapshots')
                process.stdout.write(JSON.stringify({ snapshot: key, manifest: value }) + '\n');
        }
        counts[name] = n;
    }
    if (write) {
        // a writer also reads and rewrites LMDB's free-page list, which no read walks: commit a
        // record big enough to need fresh pages, then its removal
        const state = env.openDB({ name: 'state', encoding: 'binary' });
        state.putSync('index-probe', Buffer.alloc(64 << 10));
        state.removeSync('index-probe');
    }
    process.stdout.write(JSON.stringify({ done: true, counts }) + '\n');
}
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
    try {
        main(process.argv[2], process.argv.includes('--snapshots'), process.argv.includes('--write'));
    }
    catch (e) {
        process.stdout.write(JSON.stringify({ error: e.message }) + '\n');
        process.exitCode = 1;
    }
}
//# sourceMappingURL=index-probe.js.map