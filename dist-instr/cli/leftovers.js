// What `check` reports beside integrity problems: stale locks (a writer that
// died holding one) and temporary files of interrupted writers, in a local
// repository. Read-only: `strata unlock` and `strata prune` remove them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listLocks } from '../store/lock.js';
function temporaries(root) {
    const out = { files: 0, bytes: 0 };
    const scan = (dir, depth) => {
        let entries;
        try {
            entries = fs.readdirSync(dir, { withFileTypes: true });
        }
        catch {
            return;
        }
        for (const e of entries) {
            const p = path.join(dir, e.name);
            if (e.isDirectory() && depth > 0 && !e.name.startsWith('.'))
                scan(p, depth - 1);
            if (!e.isFile() || !e.name.startsWith('.tmp-'))
                continue;
            const st = fs.statSync(p, { throwIfNoEntry: false });
            if (!st)
                continue;
            out.files++;
            out.bytes += st.size;
        }
    };
    scan(root, 0);
    for (const sub of ['packs', 'snapshots', 'locks'])
        scan(path.join(root, sub), sub === 'packs' ? 1 : 0);
    return out;
}
export async function findLeftovers(repo) {
    const staleLocks = (await listLocks(repo.store)).filter((l) => l.stale || !l.info);
    const isDir = fs.statSync(repo.location, { throwIfNoEntry: false })?.isDirectory() ?? false;
    return { staleLocks, temporaries: isDir ? temporaries(repo.location) : { files: 0, bytes: 0 } };
}
//# sourceMappingURL=leftovers.js.map