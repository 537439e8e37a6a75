import { StrataError } from '../../errors.js';
import { joinPath } from '../../fs/paths.js';
import { loadTree } from '../../tree/trees.js';
import { ZipWriter, tarEnd, tarMember } from '../archive.js';
import { fileBytes, stdoutWrite } from '../file-bytes.js';
import { AT_HELP, atOption, globals, locate, sourceOption, withRepo } from '../context.js';
import { enumArg } from '../validate.js';
const stdout = stdoutWrite;
async function* members(repo, tree, prefix) {
    for (const e of await loadTree(repo, tree)) {
        const p = joinPath(prefix, e.name);
        yield { path: p, entry: e };
        if (e.kind === 'dir')
            yield* members(repo, e.subtree, p);
    }
}
export function register(program) {
    program
        .command('dump')
        .description('write a file from a snapshot to stdout, or a directory as a tar (or zip) archive')
        .argument('<snapshot-path>', 'SNAP:PATH (with --at: PATH); SNAP alone dumps the whole snapshot')
        .option('-a, --archive <format>', 'archive format for directories: tar or zip', 'tar')
        .option('--source <dir>', 'latest means the newest snapshot of this source')
        .option('--at <time>', AT_HELP)
        .action(async (spec, opts, cmd) => {
        const g = globals(cmd);
        const format = enumArg(opts.archive, '--archive', ['tar', 'zip']);
        const at = atOption(opts.at);
        await withRepo(g, async (repo) => {
            const { entry, path } = await locate(repo, spec, sourceOption(opts.source), at);
            if (entry.kind === 'file')
                return fileBytes(repo, entry, path, stdout);
            if (entry.kind !== 'dir')
                throw new StrataError('E_NOT_FILE', `${path || '/'} is a ${entry.kind}: dump writes files and directories`);
            if (process.stdout.isTTY)
                throw new StrataError('E_USAGE', `${path || '/'} is a directory: dump writes it as a ${format} archive; redirect stdout to a file or a pipe`);
            const zip = format === 'zip' ? new ZipWriter(stdout) : null;
            for await (const m of members(repo, entry.subtree, Buffer.alloc(0))) {
                const content = (w) => fileBytes(repo, m.entry, m.path.toString(), w);
                if (zip)
                    await zip.member(m, content);
                else
                    await tarMember(stdout, m, content);
            }
            if (zip)
                await zip.end();
            else
                await tarEnd(stdout);
        });
    });
}
//# sourceMappingURL=dump.js.map