import { checkKeyRemoval, listKeys } from '../../crypto/keys.js';
import { StrataError } from '../../errors.js';
import { addKeyObject, keyObjectName, readKeyObjects } from '../../store/repo-keys.js';
import { globals, kdfParams, newPasswordGetter, withRepo } from '../context.js';
import { printJson, println } from '../output.js';
function unlockedOf(repo) {
    if (!repo.unlocked)
        throw new StrataError('E_USAGE', `repository ${repo.location} is not encrypted: it has no keys`);
    return repo.unlocked;
}
/** The full id of the key named by `ref` (an id or a unique prefix of one). */
function resolveKeyId(ref, ids) {
    const hits = ids.filter((id) => id.startsWith(ref.toLowerCase()));
    if (!/^[0-9a-f]+$/i.test(ref) || hits.length === 0)
        throw new StrataError('E_USAGE', `no key keys/${ref}`);
    if (hits.length > 1)
        throw new StrataError('E_USAGE', `key id prefix ${ref} is ambiguous (${hits.length} keys): give more of it`);
    return hits[0];
}
export function register(program) {
    const key = program.command('key').description('manage the passwords (key objects) of an encrypted repository');
    key
        .command('list')
        .description('list the key objects; * marks the key in use')
        .action(async (_opts, cmd) => {
        const g = globals(cmd);
        const rows = await withRepo(g, async (repo) => listKeys(await readKeyObjects(repo.store), unlockedOf(repo).id));
        if (g.json)
            printJson(rows);
        else
            for (const r of rows)
                println(r.error ? `  ${r.id.slice(0, 8)}  damaged: ${r.error}` : `${r.current ? '*' : ' '} ${r.id.slice(0, 8)}  ${r.username}@${r.host}  ${r.created}  ${r.kdf}`);
    });
    key
        .command('add')
        .description('add a password: a new key object for the same master key')
        .option('--new-password-file <file>', 'read the new password from FILE (else a prompt, twice)')
        .option('--new-password-command <cmd>', 'run CMD and use its output as the new password')
        .action(async (opts, cmd) => {
        const g = globals(cmd);
        const id = await withRepo(g, async (repo) => addKeyObject(repo.store, repo.config.id, unlockedOf(repo), await newPasswordGetter(opts)(), kdfParams()));
        if (g.json)
            printJson({ added: id });
        else
            println(`added key ${id.slice(0, 8)}`);
    });
    key
        .command('passwd')
        .description('change the password of the key in use (writes a new key object, then removes the old one)')
        .option('--new-password-file <file>', 'read the new password from FILE (else a prompt, twice)')
        .option('--new-password-command <cmd>', 'run CMD and use its output as the new password')
        .action(async (opts, cmd) => {
        const g = globals(cmd);
        const r = await withRepo(g, async (repo) => {
            const k = unlockedOf(repo);
            const id = await addKeyObject(repo.store, repo.config.id, k, await newPasswordGetter(opts)(), kdfParams());
            await repo.store.delete(keyObjectName(k.id));
            return { added: id, removed: k.id };
        });
        if (g.json)
            printJson(r);
        else
            println(`changed the password: key ${r.removed.slice(0, 8)} replaced by ${r.added.slice(0, 8)}`);
    });
    key
        .command('remove <id>')
        .description('remove a key object (never the key in use, never the last key)')
        .action(async (ref, _opts, cmd) => {
        const g = globals(cmd);
        const id = await withRepo(g, async (repo) => {
            const k = unlockedOf(repo);
            const ids = (await readKeyObjects(repo.store)).map((x) => x.id);
            const id = resolveKeyId(ref, ids);
            checkKeyRemoval(id, k.id, ids);
            await repo.store.delete(keyObjectName(id));
            return id;
        });
        if (g.json)
            printJson({ removed: id });
        else
            println(`removed key ${id.slice(0, 8)}`);
    });
}
//# sourceMappingURL=key.js.map