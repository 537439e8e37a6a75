import { getPassword } from '../../crypto/password.js';
import { StrataError } from '../../errors.js';
import { listSnapshots, saveManifest } from '../../snapshot/manifest.js';
import { withLock } from '../../store/lock.js';
import { BLOB_CHUNKLIST, BLOB_DATA, BLOB_TREE } from '../../store/pack.js';
import { Repository, sameBlobIds } from '../../store/repository.js';
import { IdTranslator, translateRoot } from '../../tree/translate.js';
import { loadTree, fileChunks } from '../../tree/trees.js';
import { cacheOptions, globals, pickSnapshot, sourceOption, withRepo } from '../context.js';
import { fmtBytes, fmtInt, plural, printJson, println } from '../output.js';
async function copyTree(src, dst, tree, st, seen) {
    const k = tree.toString('hex');
    if (seen.has(k) || dst.hasBlob(tree))
        return; // a tree present here comes with everything below it
    seen.add(k);
    for (const e of await loadTree(src, tree)) {
        if (e.kind === 'dir')
            await copyTree(src, dst, e.subtree, st, seen);
        else if (e.content) {
            if (e.content.chunkList && !dst.hasBlob(e.content.chunkList))
                await put(src, dst, BLOB_CHUNKLIST, e.content.chunkList, st);
            for (const c of await fileChunks(src, e.content))
                if (!dst.hasBlob(c))
                    await put(src, dst, BLOB_DATA, c, st);
        }
    }
    await put(src, dst, BLOB_TREE, tree, st); // after its children: a tree here vouches for them
}
async function put(src, dst, type, h, st) {
    const raw = await src.getBlob(h); // verified against its hash
    if (await dst.putBlob(type, h, Buffer.from(raw))) {
        st.blobs++;
        st.bytes += raw.length;
    }
}
const manifestOf = (s) => {
    const { id: _id, ...m } = s;
    return m;
};
export function register(program) {
    program
        .command('copy')
        .description('copy snapshots this repository lacks from --from-repo (all, or the SNAPs given)')
        .argument('[snapshots...]', 'snapshot references in the source repository (id prefix, latest, latest~N)')
        .requiredOption('--from-repo <path>', 'repository to copy from (default: $STRATA_FROM_REPO)', process.env.STRATA_FROM_REPO)
        .option('--source <dir>', 'only snapshots of this source directory')
        .option('--from-password-file <file>', "the source repository's password (default: $STRATA_FROM_PASSWORD_FILE, else the password of --repo)")
        .option('--from-password-command <cmd>', "a command printing the source repository's password (default: $STRATA_FROM_PASSWORD_COMMAND)")
        .action(async (refs, opts, cmd) => {
        const g = globals(cmd);
        const source = sourceOption(opts.source);
        // restic's habit: the source repository has its own password, else the same one as the destination
        const file = opts.fromPasswordFile ?? (process.env.STRATA_FROM_PASSWORD_FILE || undefined);
        const command = opts.fromPasswordCommand ?? (process.env.STRATA_FROM_PASSWORD_COMMAND || undefined);
        const fromOpts = cacheOptions(g);
        if (file !== undefined || command !== undefined) {
            let got;
            fromOpts.password = () => (got ??= getPassword({ file, command, flags: { file: '--from-password-file', command: '--from-password-command' } }).then((r) => r.password));
        }
        const src = await Repository.open(opts.fromRepo, fromOpts);
        const out = { copied: [], skipped: 0, blobs: 0, bytes: 0 };
        try {
            await withRepo(g, (dst) => withLock(dst, { exclusive: false, command: 'copy' }, async () => {
                if (dst.config.id === src.config.id)
                    throw new StrataError('E_USAGE', `--from-repo ${opts.fromRepo} is this repository`);
                let snaps;
                if (refs.length) {
                    snaps = [];
                    for (const r of refs)
                        snaps.push(await pickSnapshot(src, r, { source }));
                }
                else
                    snaps = (await listSnapshots(src)).filter((s) => !source || s.source === source);
                // ids differ: every snapshot is translated, and its root (and parent) necessarily differ here
                const translator = sameBlobIds(src.ids, dst.ids) ? null : new IdTranslator(src, dst);
                // by manifest bytes, not id: an encrypted repository's snapshot ids are keyed by its own master key
                const bytesOf = (s) => JSON.stringify(translator ? { ...manifestOf(s), root: '', parent: null } : manifestOf(s));
                const have = new Set((await listSnapshots(dst)).map(bytesOf));
                const st = { blobs: 0, bytes: 0 };
                const seen = new Set();
                for (const s of snaps) {
                    if (have.has(bytesOf(s))) {
                        out.skipped++;
                        continue;
                    }
                    let root = s.root;
                    if (translator)
                        root = await translateRoot(translator, s.root);
                    else
                        await copyTree(src, dst, Buffer.from(s.root, 'hex'), st, seen);
                    await dst.flush(); // the data is durable and indexed before the manifest names it
                    const saved = await saveManifest(dst, { ...manifestOf(s), root });
                    have.add(bytesOf(saved));
                    out.copied.push({ from: s.id, id: saved.id, time: s.time, source: s.source });
                }
                out.blobs = st.blobs + (translator?.stats.blobs ?? 0);
                out.bytes = st.bytes + (translator?.stats.bytes ?? 0);
            }));
        }
        finally {
            await src.close();
        }
        if (g.json)
            return printJson(out);
        for (const c of out.copied)
            println(`copied snapshot ${c.from.slice(0, 8)} of ${c.source} (${c.time})${c.id !== c.from ? ` as ${c.id.slice(0, 8)}` : ''}`);
        println(`${fmtInt(out.copied.length)} ${plural(out.copied.length, 'snapshot')} copied (${fmtInt(out.blobs)} new ${plural(out.blobs, 'blob')}, ${fmtBytes(out.bytes)})` +
            (out.skipped ? `; ${fmtInt(out.skipped)} already here` : ''));
    });
}
//# sourceMappingURL=copy.js.map