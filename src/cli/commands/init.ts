// `strata init`: create an empty repository.
import type { Command } from 'commander';
import { Repository } from '../../store/repository.js';
import { globals, repoPath } from '../context.js';
import { printJson, println } from '../output.js';
import { intArg, sizeArg } from '../validate.js';

export function register(program: Command): void {
  program
    .command('init')
    .description('create a new repository at --repo (or $STRATA_REPO)')
    .option('--compression <level>', 'zstd level for new data, 0-22 (0 = off)', '3')
    .option('--chunk-avg <bytes>', 'average chunk size, 256 B to 8 MiB, e.g. 1M (min = avg/2, max = avg*8)')
    .action(async (opts: { compression: string; chunkAvg?: string }, cmd: Command) => {
      const g = globals(cmd);
      const level = intArg(opts.compression, '--compression', 0, 22, ' (zstd level; 0 = off)');
      const avg = opts.chunkAvg !== undefined ? sizeArg(opts.chunkAvg, '--chunk-avg', 256, 8 << 20) : undefined;
      const repo = await Repository.init(repoPath(g), {
        compressionLevel: level,
        chunker: avg ? { min: Math.floor(avg / 2), avg, max: avg * 8 } : undefined,
      });
      const { id, version } = repo.config;
      const where = repo.location;
      await repo.close();
      if (g.json) printJson({ id, version, repo: where });
      else println(`created strata repository ${id.slice(0, 8)} at ${where}`);
    });
}
