// `strata init`: create an empty repository (optionally with another
// repository's chunker parameters, so data copied from it and data
// snapshotted here deduplicate: restic's --copy-chunker-params).
import type { Command } from 'commander';
import { StrataError } from '../../errors.js';
import { Repository } from '../../store/repository.js';
import { globals, cacheOptions, repoPath } from '../context.js';
import { printJson, println } from '../output.js';
import { intArg, sizeArg } from '../validate.js';

export function register(program: Command): void {
  program
    .command('init')
    .description('create a new repository at --repo (or $STRATA_REPO)')
    .option('--compression <level>', 'zstd level for new data, 0-22 (0 = off)', '3')
    .option('--chunk-avg <bytes>', 'average chunk size, 256 B to 8 MiB, e.g. 1M (min = avg/2, max = avg*8)')
    .option('--copy-chunker-params', 'use the chunker parameters (sizes and seed) of --from-repo, so copies deduplicate')
    .option('--from-repo <path>', 'the repository whose chunker parameters to copy')
    .action(async (opts: { compression: string; chunkAvg?: string; copyChunkerParams?: boolean; fromRepo?: string }, cmd: Command) => {
      const g = globals(cmd);
      const level = intArg(opts.compression, '--compression', 0, 22, ' (zstd level; 0 = off)');
      const avg = opts.chunkAvg !== undefined ? sizeArg(opts.chunkAvg, '--chunk-avg', 256, 8 << 20) : undefined;
      if (opts.copyChunkerParams && !opts.fromRepo) throw new StrataError('E_USAGE', '--copy-chunker-params needs --from-repo PATH');
      if (opts.copyChunkerParams && avg) throw new StrataError('E_USAGE', '--copy-chunker-params and --chunk-avg exclude each other');
      let chunker = avg ? { min: Math.floor(avg / 2), avg, max: avg * 8 } : undefined;
      if (opts.copyChunkerParams) {
        const from = await Repository.open(opts.fromRepo!, cacheOptions(g));
        chunker = { ...from.config.chunker };
        await from.close();
      }
      const repo = await Repository.init(repoPath(g), { ...cacheOptions(g), compressionLevel: level, chunker });
      const { id, version } = repo.config;
      const where = repo.location;
      await repo.close();
      if (g.json) printJson({ id, version, repo: where });
      else println(`created strata repository ${id.slice(0, 8)} at ${where}${opts.copyChunkerParams ? ` (chunker parameters of ${opts.fromRepo})` : ''}`);
    });
}
