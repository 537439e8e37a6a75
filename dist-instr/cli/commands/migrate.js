import { saveManifest, listSnapshots } from '../../snapshot/manifest.js';
import { withLock } from '../../store/lock.js';
import { Repository, sameBlobIds } from '../../store/repository.js';
import { IdTranslator, translateRoot } from '../../tree/translate.js';
import { cacheOptions, globals, newPasswordGetter, passwordGetter, withReadLock, withRepo } from '../context.js';
import { printJson, println } from '../output.js';
export function register(program) {
    program
        .command('migrate')
        .description('copy this repository, every snapshot, into a new encrypted repository at --to (the source is only read)')
        .requiredOption('--to <path>', 'the new repository (must not exist, or be an empty directory)')
        .option('--new-password-file <file>', "the new repository's password from FILE (default: the usual password sources)")
        .option('--new-password-command <cmd>', "run CMD for the new repository's password")
        .option('--no-encryption', 'make the new repository plaintext (a copy, e.g. to consolidate)')
        .action(async (opts, cmd) => {
        const g = globals(cmd);
        const explicit = opts.newPasswordFile !== undefined || opts.newPasswordCommand !== undefined;
        const result = await withRepo(g, (src) => withReadLock(g, src, { exclusive: false, command: 'migrate' }, async () => {
            const dst = await Repository.init(opts.to, {
                ...cacheOptions(g),
                password: explicit ? newPasswordGetter(opts) : passwordGetter(g, true),
                encryption: opts.encryption ? 'aes-256-gcm' : 'none',
                compressionLevel: src.config.compression.level,
                packSize: src.config.packSize,
                chunker: src.config.chunker,
                // the same cut points, so the next snapshot deduplicates against the copied data
                chunkerSeed: src.config.chunker.seed,
            });
            try {
                return await withLock(dst, { exclusive: false, command: 'migrate' }, async () => {
                    let blobs = 0;
                    let bytes = 0;
                    const snaps = await listSnapshots(src); // oldest first: a parent is copied before its children
                    const translator = sameBlobIds(src.ids, dst.ids) ? null : new IdTranslator(src, dst);
                    if (!translator) {
                        const rows = [];
                        for (const { key } of src.index.blobRows(undefined, Number.MAX_SAFE_INTEGER))
                            rows.push(Buffer.from(key));
                        for (const hash of rows) {
                            const loc = src.index.getBlob(hash);
                            if (!loc)
                                continue;
                            const raw = await src.getBlob(hash); // verified (and opened) by the source's blob codec
                            if (await dst.putBlob(loc.type, hash, raw)) {
                                blobs++;
                                bytes += raw.length;
                            }
                        }
                    }
                    const roots = new Map();
                    if (translator) {
                        for (const s of snaps)
                            if (!roots.has(s.root))
                                roots.set(s.root, await translateRoot(translator, s.root));
                        ({ blobs, bytes } = translator.stats);
                    }
                    await dst.flush(); // every blob durable and indexed before a manifest names it
                    const newId = new Map();
                    for (const s of snaps) {
                        const { id, ...m } = s;
                        const saved = await saveManifest(dst, { ...m, root: roots.get(m.root) ?? m.root, parent: m.parent ? (newId.get(m.parent) ?? null) : null });
                        newId.set(id, saved.id);
                    }
                    return { to: dst.location, encryption: dst.cipher.encryption, snapshots: snaps.length, blobs, rawBytes: bytes };
                });
            }
            finally {
                await dst.close();
            }
        }));
        if (g.json)
            printJson(result);
        else
            println(`migrated ${result.snapshots} snapshot(s), ${result.blobs} blobs (${result.rawBytes} bytes) into ${result.encryption === 'none' ? 'unencrypted' : 'encrypted'} repository ${result.to}`);
    });
}
//# sourceMappingURL=migrate.js.map