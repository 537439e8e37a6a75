// `strata migrate --to NEW`: copy a repository (format 1, "encryption": "none",
// or encrypted) into a new encrypted one (docs/format.md §11.10). Every blob
// is read and verified, then sealed into the new repository's packs under the
// same id (blob ids are plain BLAKE3 in both), so trees are copied as they
// are; then every snapshot manifest is written sealed. The source is only read.
import type { Command } from 'commander';
import { saveManifest, listSnapshots, type Manifest } from '../../snapshot/manifest.js';
import { withLock } from '../../store/lock.js';
import { Repository } from '../../store/repository.js';
import { cacheOptions, globals, newPasswordGetter, passwordGetter, withReadLock, withRepo } from '../context.js';
import { printJson, println } from '../output.js';

interface MigrateOpts {
  to: string;
  encryption: boolean;
  newPasswordFile?: string;
  newPasswordCommand?: string;
}

export function register(program: Command): void {
  program
    .command('migrate')
    .description('copy this repository, every snapshot, into a new encrypted repository at --to (the source is only read)')
    .requiredOption('--to <path>', 'the new repository (must not exist, or be an empty directory)')
    .option('--new-password-file <file>', "the new repository's password from FILE (default: the usual password sources)")
    .option('--new-password-command <cmd>', "run CMD for the new repository's password")
    .option('--no-encryption', 'make the new repository plaintext (a copy, e.g. to consolidate)')
    .action(async (opts: MigrateOpts, cmd: Command) => {
      const g = globals(cmd);
      const explicit = opts.newPasswordFile !== undefined || opts.newPasswordCommand !== undefined;
      const result = await withRepo(g, (src) =>
        withReadLock(g, src, { exclusive: false, command: 'migrate' }, async () => {
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
              const rows: Buffer[] = [];
              for (const { key } of src.index.blobRows(undefined, Number.MAX_SAFE_INTEGER)) rows.push(Buffer.from(key));
              for (const hash of rows) {
                const loc = src.index.getBlob(hash);
                if (!loc) continue;
                const raw = await src.getBlob(hash); // verified (and opened) by the source's blob codec
                if (await dst.putBlob(loc.type, hash, raw)) {
                  blobs++;
                  bytes += raw.length;
                }
              }
              await dst.flush();
              const snaps = await listSnapshots(src); // oldest first: a parent is copied before its children
              const newId = new Map<string, string>();
              for (const s of snaps) {
                const { id, ...m } = s;
                const saved = await saveManifest(dst, { ...(m as Manifest), parent: m.parent ? (newId.get(m.parent) ?? null) : null });
                newId.set(id, saved.id);
              }
              return { to: dst.location, encryption: dst.cipher.encryption, snapshots: snaps.length, blobs, rawBytes: bytes };
            });
          } finally {
            await dst.close();
          }
        }),
      );
      if (g.json) printJson(result);
      else println(`migrated ${result.snapshots} snapshot(s), ${result.blobs} blobs (${result.rawBytes} bytes) into ${result.encryption === 'none' ? 'unencrypted' : 'encrypted'} repository ${result.to}`);
    });
}
