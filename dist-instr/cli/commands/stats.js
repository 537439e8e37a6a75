import { listSnapshots } from '../../snapshot/manifest.js';
import { fileChunks, loadTree } from '../../tree/trees.js';
import { globals, pickSnapshot, sourceOption, withRepo } from '../context.js';
import { fmtBytes, fmtInt, plural, printJson, println } from '../output.js';
async function measure(repo, snaps, whole) {
    const seen = new Set();
    const contents = new Set();
    let raw = 0;
    let stored = 0;
    let dataRaw = 0;
    const blob = (h, data) => {
        const k = h.toString('hex');
        if (seen.has(k))
            return;
        seen.add(k);
        const loc = repo.index.getBlob(h);
        if (!loc)
            return;
        raw += loc.rawLength;
        stored += loc.length;
        if (data)
            dataRaw += loc.rawLength;
    };
    const walk = async (tree) => {
        if (seen.has(tree.toString('hex')))
            return;
        blob(tree, false);
        for (const e of await loadTree(repo, tree)) {
            if (e.kind === 'dir')
                await walk(e.subtree);
            else if (e.content) {
                const k = e.content.hash.toString('hex');
                if (contents.has(k))
                    continue;
                contents.add(k);
                if (e.content.chunkList)
                    blob(e.content.chunkList, false);
                for (const c of await fileChunks(repo, e.content))
                    blob(c, true);
            }
        }
    };
    for (const s of snaps)
        await walk(Buffer.from(s.root, 'hex'));
    const restoreSize = snaps.reduce((n, s) => n + s.stats.bytes, 0);
    let packsSize = null;
    if (whole) {
        packsSize = 0;
        for (const hex of repo.index.packIds())
            packsSize += repo.index.packMeta(hex)?.size ?? 0;
    }
    const ratio = (a, b) => (b > 0 ? Math.round((a / b) * 100) / 100 : 0);
    return {
        snapshots: snaps.length,
        files: snaps.reduce((n, s) => n + s.stats.files, 0),
        restoreSize,
        uniqueFiles: contents.size,
        blobs: seen.size,
        rawSize: raw,
        storedSize: stored,
        dedupRatio: ratio(restoreSize, dataRaw),
        compressionRatio: ratio(raw, stored),
        packsSize,
    };
}
export function register(program) {
    program
        .command('stats')
        .description('restore size, stored size, dedup and compression ratios of snapshots (default: all, i.e. the repository)')
        .argument('[snapshots...]', 'snapshot references (id prefix, latest, latest~N)')
        .option('--source <dir>', 'latest means the newest snapshot of this source; without SNAP: only its snapshots')
        .action(async (refs, opts, cmd) => {
        const g = globals(cmd);
        const source = sourceOption(opts.source);
        const t = await withRepo(g, async (repo) => {
            let snaps;
            if (refs.length) {
                snaps = [];
                for (const r of refs)
                    snaps.push(await pickSnapshot(repo, r, { source }));
            }
            else
                snaps = (await listSnapshots(repo)).filter((s) => !source || s.source === source);
            return measure(repo, snaps, refs.length === 0 && !source);
        });
        if (g.json)
            return printJson(t);
        println(`snapshots         ${fmtInt(t.snapshots)}`);
        println(`restore size      ${fmtBytes(t.restoreSize)} in ${fmtInt(t.files)} ${plural(t.files, 'file')} (${fmtInt(t.uniqueFiles)} distinct)`);
        println(`after dedup       ${fmtBytes(t.rawSize)} in ${fmtInt(t.blobs)} ${plural(t.blobs, 'blob')} (dedup ratio ${t.dedupRatio}x)`);
        println(`stored            ${fmtBytes(t.storedSize)} (compression ratio ${t.compressionRatio}x)`);
        if (t.packsSize !== null)
            println(`packs on disk     ${fmtBytes(t.packsSize)} (with unreferenced data until 'strata prune')`);
    });
}
//# sourceMappingURL=stats.js.map