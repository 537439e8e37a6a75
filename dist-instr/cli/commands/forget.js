import { StrataError } from '../../errors.js';
import { deleteSnapshot, listSnapshots } from '../../snapshot/manifest.js';
import { applyRetention, describePolicy, policyIsEmpty } from '../../snapshot/retention.js';
import { withLock } from '../../store/lock.js';
import { globals, sourceOption, withRepo } from '../context.js';
import { fmtTime, printJson, println } from '../output.js';
import { countArg, withinArg } from '../validate.js';
import { collect, tagFilter } from '../options.js';
import { addPruneOptions, lockWait, printPrune, runPrune } from './prune.js';
/** The retention policy the `--keep-*` options describe, each value validated. */
export function retentionPolicy(opts) {
    return {
        last: count(opts.keepLast, '--keep-last'),
        hourly: count(opts.keepHourly, '--keep-hourly'),
        daily: count(opts.keepDaily, '--keep-daily'),
        weekly: count(opts.keepWeekly, '--keep-weekly'),
        monthly: count(opts.keepMonthly, '--keep-monthly'),
        yearly: count(opts.keepYearly, '--keep-yearly'),
        within: withinArg(opts.keepWithin),
    };
}
export function count(v, flag) {
    return countArg(v, flag);
}
/** Full ids for id prefixes, among listed snapshots and snapshot files (damaged ones included). */
async function resolveIds(repo, refs) {
    const ids = new Set((await listSnapshots(repo)).map((s) => s.id));
    for await (const name of repo.store.list('snapshots/'))
        ids.add(name.slice('snapshots/'.length));
    return refs.map((ref) => {
        const hits = [...ids].filter((id) => /^[0-9a-f]+$/i.test(ref) && id.startsWith(ref.toLowerCase()));
        if (hits.length === 0)
            throw new StrataError('E_NO_SNAPSHOT', `no snapshot matches ${ref}`);
        if (hits.length > 1)
            throw new StrataError('E_AMBIGUOUS', `snapshot id prefix ${ref} is ambiguous (${hits.length} matches)`);
        return hits[0];
    });
}
const row = (s) => `${s.id.slice(0, 8)}  ${fmtTime(s.time)}`;
function printPlan(plan, dryRun) {
    for (const g of plan) {
        println(`${g.host}:${g.source}`);
        println(`  keep ${g.keep.length} snapshot${g.keep.length === 1 ? '' : 's'}:`);
        for (const d of g.keep)
            println(`    ${row(d.snapshot)}  ${d.reasons.join(', ')}`);
        println(`  ${dryRun ? 'would remove' : 'removed'} ${g.remove.length} snapshot${g.remove.length === 1 ? '' : 's'}:`);
        for (const d of g.remove)
            println(`    ${row(d.snapshot)}`);
    }
}
export function register(program) {
    addPruneOptions(program
        .command('forget')
        .description('remove snapshots by id, or those a retention policy does not keep (data goes in prune)')
        .argument('[ids...]', 'snapshot ids (or unique prefixes) to remove')
        .option('--keep-last <n>', 'keep the n newest snapshots')
        .option('--keep-hourly <n>', 'keep the newest snapshot of each of the last n hours that have one')
        .option('--keep-daily <n>', 'the same per day')
        .option('--keep-weekly <n>', 'the same per ISO week')
        .option('--keep-monthly <n>', 'the same per month')
        .option('--keep-yearly <n>', 'the same per year')
        .option('--keep-within <duration>', 'keep all snapshots within this span of the newest (y, mo, w, d, h: e.g. 36h, 7d, 6mo, 1y2mo; mo = months, a bare m is refused)')
        .option('--host <name>', 'only consider snapshots from this host')
        .option('--source <dir>', 'only consider snapshots of this source directory')
        .option('--tag <tags>', 'only consider snapshots with these tags (a,b: both; repeat for either)', collect, [])
        .option('--dry-run', 'only list what would be removed')
        .option('--prune', 'run prune afterwards when snapshots were removed')).action(async (ids, opts, cmd) => {
        const g = globals(cmd);
        const policy = retentionPolicy(opts);
        if (ids.length && !policyIsEmpty(policy))
            throw new StrataError('E_USAGE', 'give snapshot ids or a --keep-* policy, not both');
        if (!ids.length && policyIsEmpty(policy))
            throw new StrataError('E_USAGE', 'nothing to forget: give snapshot ids or a policy (--keep-last, --keep-daily, … --keep-within)');
        const source = sourceOption(opts.source);
        const exclusive = !!opts.prune && !opts.dryRun;
        const out = await withRepo(g, (repo) => withLock(repo, { exclusive, command: 'forget', waitMs: lockWait(opts.retryLock) }, async () => {
            let plan = [];
            let removed;
            if (ids.length) {
                removed = await resolveIds(repo, ids);
                if (!opts.dryRun)
                    for (const id of removed)
                        await deleteSnapshot(repo, id);
            }
            else {
                plan = await applyRetention(repo, policy, { host: opts.host, source, dryRun: opts.dryRun, tags: tagFilter(opts.tag) });
                removed = plan.flatMap((p) => p.remove.map((d) => d.snapshot.id));
            }
            const pruned = exclusive && removed.length ? await runPrune(repo, opts, !!g.json) : undefined;
            return { plan, removed, pruned };
        }));
        if (g.json) {
            printJson({
                dryRun: !!opts.dryRun,
                policy: ids.length ? null : policy,
                groups: out.plan.map((p) => ({
                    host: p.host,
                    source: p.source,
                    keep: p.keep.map((d) => ({ id: d.snapshot.id, time: d.snapshot.time, reasons: d.reasons })),
                    remove: p.remove.map((d) => ({ id: d.snapshot.id, time: d.snapshot.time })),
                })),
                removed: out.removed,
                prune: out.pruned ?? null,
            });
            return;
        }
        if (ids.length)
            for (const id of out.removed)
                println(`${opts.dryRun ? 'would remove' : 'removed'} snapshot ${id.slice(0, 8)}`);
        else {
            println(describePolicy(policy));
            printPlan(out.plan, !!opts.dryRun);
        }
        if (out.pruned)
            printPrune(out.pruned);
        else if (out.removed.length && !opts.dryRun)
            println(`run 'strata prune' to delete data no snapshot references any more`);
    });
}
//# sourceMappingURL=forget.js.map