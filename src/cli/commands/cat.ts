// `strata cat SNAP:PATH`: one file's bytes to stdout, verified chunk by chunk.
import type { Command } from 'commander';
import { StrataError } from '../../errors.js';
import { hashBytes, newHasher } from '../../hash.js';
import { fileChunks } from '../../tree/trees.js';
import { globals, locate, withRepo } from '../context.js';
import { resolveSource } from './snapshot.js';

function write(chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(chunk, (err) => (err ? reject(err) : resolve()));
  });
}

export function register(program: Command): void {
  program
    .command('cat')
    .description("write a file from a snapshot to stdout (SNAP:PATH)")
    .argument('<snapshot-path>', 'SNAP:PATH')
    .option('--source <dir>', 'latest means the newest snapshot of this source')
    .action(async (spec: string, opts: { source?: string }, cmd: Command) => {
      const g = globals(cmd);
      await withRepo(g, async (repo) => {
        const { entry, path } = await locate(repo, spec, opts.source ? resolveSource(opts.source) : undefined);
        if (entry.kind !== 'file') throw new StrataError('E_NOT_FILE', `${path || '/'} is a ${entry.kind}, not a file`);
        const chunks = await fileChunks(repo, entry.content!);
        const whole = chunks.length > 1 ? newHasher() : undefined;
        for (const h of chunks) {
          const data = await repo.getBlob(h);
          whole?.update(data);
          await write(data);
        }
        const got = whole ? whole.digest() : (chunks[0] ?? hashBytes(Buffer.alloc(0)));
        if (!got.equals(entry.content!.hash)) throw new StrataError('E_CORRUPT', `${path}: content does not match its hash`);
      });
    });
}
