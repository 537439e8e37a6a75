// `strata init`: create an empty repository.
import type { Command } from 'commander';
import { Repository } from '../../store/repository.js';
import { globals, cacheOptions, passwordGetter, repoPath } from '../context.js';
import { printJson, println } from '../output.js';

export function register(program: Command): void {
  program
    .command('init')
    .description('create a new repository at --repo (or $STRATA_REPO)')
    .option('--compression <level>', 'zstd level for new data (0 = off)', '3')
    .option('--chunk-avg <bytes>', 'average chunk size (min = avg/2, max = avg*8)')
    .option('--no-encryption', 'create a plaintext repository (no password; anyone holding it can read it)')
    .action(async (opts: { compression: string; chunkAvg?: string; encryption: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const avg = opts.chunkAvg ? Number(opts.chunkAvg) : undefined;
      const repo = await Repository.init(repoPath(g), {
        ...cacheOptions(g),
        password: passwordGetter(g, true),
        encryption: opts.encryption ? 'aes-256-gcm' : 'none',
        compressionLevel: Number(opts.compression),
        chunker: avg ? { min: Math.floor(avg / 2), avg, max: avg * 8 } : undefined,
      });
      const { id, version } = repo.config;
      const encryption = repo.cipher.encryption;
      const key = repo.unlocked?.id;
      const where = repo.location;
      await repo.close();
      if (g.json) printJson({ id, version, encryption, key: key ?? null, repo: where });
      else println(`created ${encryption === 'none' ? 'unencrypted ' : ''}strata repository ${id.slice(0, 8)} at ${where}${key ? ` (encrypted with ${encryption}, key ${key.slice(0, 8)})` : ''}`);
    });
}
