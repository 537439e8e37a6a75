import { StrataError } from '../../errors.js';
import { fileBytes, stdoutWrite } from '../file-bytes.js';
import { AT_HELP, atOption, globals, locate, sourceOption, withRepo } from '../context.js';
export function register(program) {
    program
        .command('cat')
        .description("write a file from a snapshot to stdout (SNAP:PATH, or PATH with --at)")
        .argument('<snapshot-path>', 'SNAP:PATH (with --at: PATH)')
        .option('--source <dir>', 'latest means the newest snapshot of this source')
        .option('--at <time>', AT_HELP)
        .action(async (spec, opts, cmd) => {
        const g = globals(cmd);
        const at = atOption(opts.at);
        await withRepo(g, async (repo) => {
            const { entry, path } = await locate(repo, spec, sourceOption(opts.source), at);
            if (entry.kind !== 'file')
                throw new StrataError('E_NOT_FILE', `${path || '/'} is a ${entry.kind}, not a file`);
            await fileBytes(repo, entry, path, stdoutWrite);
        });
    });
}
//# sourceMappingURL=cat.js.map