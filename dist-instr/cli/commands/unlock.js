import { describeLock, listLocks } from '../../store/lock.js';
import { globals, withRepo } from '../context.js';
import { plural, printJson, println } from '../output.js';
export function register(program) {
    program
        .command('unlock')
        .description('remove stale locks (--remove-all: every lock; only when no other strata process uses the repository)')
        .option('--remove-all', 'remove all locks, even fresh ones')
        .action(async (opts, cmd) => {
        const g = globals(cmd);
        const out = await withRepo(g, async (repo) => {
            const removed = [];
            let kept = 0;
            for (const l of await listLocks(repo.store)) {
                if (!opts.removeAll && l.info && !l.stale) {
                    kept++;
                    continue;
                }
                await repo.store.delete(l.name);
                removed.push({ name: l.name, description: describeLock(l) });
            }
            return { removed, kept };
        });
        if (g.json)
            return printJson(out);
        for (const r of out.removed)
            println(`removed ${r.description}`);
        println(`${out.removed.length} ${plural(out.removed.length, 'lock')} removed` + (out.kept ? `, ${out.kept} fresh ${plural(out.kept, 'lock')} kept (--remove-all removes them)` : ''));
    });
}
//# sourceMappingURL=unlock.js.map