import { StrataError } from '../../errors.js';
import { Repository } from '../../store/repository.js';
import { globals, cacheOptions, passwordGetter, repoPath } from '../context.js';
import { printJson, println } from '../output.js';
import { intArg, sizeArg } from '../validate.js';
export function register(program) {
    program
        .command('init')
        .description('create a new repository at --repo (or $STRATA_REPO)')
        .option('--compression <level>', 'zstd level for new data, 0-22 (0 = off)', '3')
        .option('--chunk-avg <bytes>', 'average chunk size, 256 B to 8 MiB, e.g. 1M (min = avg/2, max = avg*8)')
        .option('--copy-chunker-params', 'use the chunker parameters (sizes and seed) of --from-repo, so copies deduplicate')
        .option('--from-repo <path>', 'the repository whose chunker parameters to copy (opened with the same password)')
        .option('--no-encryption', 'create a plaintext repository (no password; anyone holding it can read it)')
        .action(async (opts, cmd) => {
        const g = globals(cmd);
        const level = intArg(opts.compression, '--compression', 0, 22, ' (zstd level; 0 = off)');
        const avg = opts.chunkAvg !== undefined ? sizeArg(opts.chunkAvg, '--chunk-avg', 256, 8 << 20) : undefined;
        if (opts.copyChunkerParams && !opts.fromRepo)
            throw new StrataError('E_USAGE', '--copy-chunker-params needs --from-repo PATH');
        if (opts.copyChunkerParams && avg)
            throw new StrataError('E_USAGE', '--copy-chunker-params and --chunk-avg exclude each other');
        let chunker = avg ? { min: Math.floor(avg / 2), avg, max: avg * 8 } : undefined;
        let chunkerSeed;
        if (opts.copyChunkerParams) {
            const from = await Repository.open(opts.fromRepo, cacheOptions(g));
            const { seed, ...sizes } = from.config.chunker;
            chunker = sizes;
            chunkerSeed = seed;
            await from.close();
        }
        const repo = await Repository.init(repoPath(g), {
            ...cacheOptions(g),
            password: passwordGetter(g, true),
            encryption: opts.encryption ? 'aes-256-gcm' : 'none',
            compressionLevel: level,
            chunker,
            chunkerSeed,
        });
        const { id, version } = repo.config;
        const encryption = repo.cipher.encryption;
        const key = repo.unlocked?.id;
        const where = repo.location;
        await repo.close();
        const copied = opts.copyChunkerParams ? ` (chunker parameters of ${opts.fromRepo})` : '';
        if (g.json)
            printJson({ id, version, encryption, key: key ?? null, repo: where });
        else
            println(`created ${encryption === 'none' ? 'unencrypted ' : ''}strata repository ${id.slice(0, 8)} at ${where}${key ? ` (encrypted with ${encryption}, key ${key.slice(0, 8)})` : ''}${copied}`);
    });
}
//# sourceMappingURL=init.js.map