// `strata cat SNAP:PATH` (or `cat --at TIME PATH`): one file's bytes to
// stdout, verified chunk by chunk.
import type { Command } from 'commander';
import { StrataError } from '../../errors.js';
import { hashBytes, newHasher } from '../../hash.js';
import { fileChunks } from '../../tree/trees.js';
import { AT_HELP, atOption, globals, locate, sourceOption, withRepo } from '../context.js';

function write(chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(chunk, (err) => (err ? reject(err) : resolve()));
  });
}

export function register(program: Command): void {
  program
    .command('cat')
    .description("write a file from a snapshot to stdout (SNAP:PATH, or PATH with --at)")
    .argument('<snapshot-path>', 'SNAP:PATH (with --at: PATH)')
    .option('--source <dir>', 'latest means the newest snapshot of this source')
    .option('--at <time>', AT_HELP)
    .action(async (spec: string, opts: { source?: string; at?: string }, cmd: Command) => {
      const g = globals(cmd);
      const at = atOption(opts.at);
      await withRepo(g, async (repo) => {
        const { entry, path } = await locate(repo, spec, sourceOption(opts.source), at);
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
