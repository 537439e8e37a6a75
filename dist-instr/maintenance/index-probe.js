// Reads every record of an LMDB index in a child process. lmdb-js crashes
// (SIGSEGV) on damaged pages instead of throwing, so `check` looks through
// this probe before trusting the index, and `repair index` salvages snapshot
// copies from a damaged index through it. Run as a script it prints JSON lines.
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { open } from 'lmdb';
const DBS = [
    ['blobs', 'binary', true],
    ['packs', 'binary', false],
    ['snapshots', 'string', false],
    ['statcache', 'binary', true],
    ['dircache', 'binary', true],
    ['state', 'msgpack', false],
];
/** Probe the index at `dir` from a child process. */
export function probeIndex(dir, opts = {}) {
    const self = fileURLToPath(import.meta.url);
    const r = spawnSync(process.execPath, [...process.execArgv, self, dir, ...(opts.snapshots ? ['--snapshots'] : [])], { maxBuffer: 1 << 30, encoding: 'utf8' });
    const out = { ok: false, counts: {}, snapshots: [] };
    for (const line of (r.stdout ?? '').split('\n')) {
        if (!line)
            continue;
        try {
            const v = JSON.parse(line);
            if (v.snapshot)
                out.snapshots.push({ id: v.snapshot, manifest: v.manifest });
            if (v.done) {
                out.ok = true;
                out.counts = v.counts;
            }
        }
        catch { }
    }
    if (!out.ok)
        out.error = r.signal ? `reading it crashed the reader (${r.signal})` : (r.stderr || `reader exited ${r.status}`).trim().split('\n').slice(-1)[0];
    return out;
}
function main(dir, withSnapshots) {
    const env = open({ path: dir, noSubdir: false, readOnly: true, maxDbs: 16, compression: false });
    const counts = {};
    for (const [name, encoding, binKey] of DBS) {
        let db;
        try {
            db = env.openDB({ name, encoding, keyEncoding: binKey ? 'binary' : undefined });
        }
        catch {
            continue; // not created yet
        }
        let n = 0;
        for (const { key, value } of db.getRange()) {
            n++;
            if (withSnapshots && name === 'snapshots')
                process.stdout.write(JSON.stringify({ snapshot: key, manifest: value }) + '\n');
        }
        counts[name] = n;
    }
    process.stdout.write(JSON.stringify({ done: true, counts }) + '\n');
}
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
    main(process.argv[2], process.argv[3] === '--snapshots');
//# sourceMappingURL=index-probe.js.map