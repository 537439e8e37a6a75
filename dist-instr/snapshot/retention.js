// Retention policies (`strata forget`, and the watch daemon thinning its own
// snapshots). selectSnapshots is pure and follows restic's forget semantics;
// applyRetention removes what it selects. Removing a snapshot only deletes its
// manifest: the data goes later, in `strata prune`. Differences from restic
// are listed in docs/design.md ("Retention").
import { StrataError } from '../errors.js';
import { deleteSnapshot, filterSnapshots, listSnapshots } from './manifest.js';
/** restic's duration syntax: any of Ny Nm Nd Nh in this order ("1y2m3d4h"; m = months). */
export function parseWithin(s) {
    const m = /^\s*(?:(\d+)y)?(?:(\d+)m)?(?:(\d+)d)?(?:(\d+)h)?\s*$/.exec(s);
    if (!m || s.trim() === '')
        throw new StrataError('E_USAGE', `bad duration '${s}' (use e.g. 36h, 7d, 2m, 1y6m; m = months)`);
    return { years: Number(m[1] ?? 0), months: Number(m[2] ?? 0), days: Number(m[3] ?? 0), hours: Number(m[4] ?? 0) };
}
const spanIsZero = (s) => s.years + s.months + s.days + s.hours === 0;
/**
 * Refuse a policy that keeps nothing by itself: none of its rules on, or only
 * a zero --keep-within span (`0d`, `0h`…: every snapshot is older than
 * "0 before the newest"). selectGroup keeps the newest of each group anyway.
 */
export function assertPolicyKeepsSomething(p, flag = '--keep-within') {
    if (p.within !== undefined && spanIsZero(parseWithin(p.within))) {
        throw new StrataError('E_USAGE', `${flag} ${p.within} keeps nothing (a zero span); refused. Give a span such as 1h or 7d, or --keep-last 1`);
    }
    if (policyIsEmpty(p))
        throw new StrataError('E_USAGE', 'no retention policy given (use --keep-last, --keep-hourly, --keep-daily, … or --keep-within); a policy that keeps nothing is refused');
}
export function policyIsEmpty(p) {
    return !p.within && [p.last, p.hourly, p.daily, p.weekly, p.monthly, p.yearly].every((n) => !n);
}
export function describePolicy(p) {
    const parts = [];
    for (const [k, n] of [
        ['last', p.last],
        ['hourly', p.hourly],
        ['daily', p.daily],
        ['weekly', p.weekly],
        ['monthly', p.monthly],
        ['yearly', p.yearly],
    ]) {
        if (n === -1)
            parts.push(`all ${k}`);
        else if (n)
            parts.push(`${n} ${k}`);
    }
    if (p.within)
        parts.push(`all within ${p.within} of the newest`);
    return parts.length ? `keep ${parts.join(', ')}` : 'keep everything (empty policy)';
}
function fields(t, utc) {
    return utc
        ? { y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate(), h: t.getUTCHours() }
        : { y: t.getFullYear(), mo: t.getMonth() + 1, d: t.getDate(), h: t.getHours() };
}
/** ISO 8601 week of a calendar date: [week-year, week]. */
export function isoWeek(y, mo, d) {
    const t = new Date(Date.UTC(y, mo - 1, d));
    const dow = t.getUTCDay() || 7; // Monday = 1 … Sunday = 7
    t.setUTCDate(t.getUTCDate() + 4 - dow); // the Thursday of this week decides the year
    const wy = t.getUTCFullYear();
    const week = Math.floor((t.getTime() - Date.UTC(wy, 0, 1)) / 86400_000 / 7) + 1;
    return [wy, week];
}
const BUCKETS = [
    ['last', (_f, nr) => nr, 'last snapshot'],
    ['hourly', (f) => f.y * 1_000_000 + f.mo * 10_000 + f.d * 100 + f.h, 'hourly snapshot'],
    ['daily', (f) => f.y * 10_000 + f.mo * 100 + f.d, 'daily snapshot'],
    ['weekly', (f) => {
            const [wy, w] = isoWeek(f.y, f.mo, f.d);
            return wy * 100 + w;
        }, 'weekly snapshot'],
    ['monthly', (f) => f.y * 100 + f.mo, 'monthly snapshot'],
    ['yearly', (f) => f.y, 'yearly snapshot'],
];
function minus(t, s, utc) {
    const r = new Date(t.getTime());
    if (utc) {
        r.setUTCFullYear(r.getUTCFullYear() - s.years, r.getUTCMonth() - s.months, r.getUTCDate() - s.days);
    }
    else {
        r.setFullYear(r.getFullYear() - s.years, r.getMonth() - s.months, r.getDate() - s.days);
    }
    return new Date(r.getTime() - s.hours * 3600_000);
}
const newestFirst = (a, b) => (a.time > b.time ? -1 : a.time < b.time ? 1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
/** Apply a policy to one group (already filtered); restic's ApplyPolicy. */
export function selectGroup(list, p, now, opts = {}) {
    const sorted = [...list].sort(newestFirst);
    if (policyIsEmpty(p))
        return { keep: sorted.map((s) => ({ snapshot: s, reasons: ['policy is empty'] })), remove: [] };
    const utc = !!opts.utc;
    const state = BUCKETS.map(([k]) => ({ count: p[k] ?? 0, last: Number.NaN }));
    let cutoff;
    if (p.within) {
        // relative to the newest snapshot that is not in the future, as restic does
        const latest = sorted.map((s) => new Date(s.time)).find((t) => t.getTime() <= now.getTime()) ?? now;
        cutoff = minus(latest, parseWithin(p.within), utc);
    }
    const keep = [];
    const remove = [];
    sorted.forEach((s, nr) => {
        const t = new Date(s.time);
        const f = fields(t, utc);
        const reasons = [];
        if (cutoff && t.getTime() > cutoff.getTime())
            reasons.push(`within ${p.within}`);
        BUCKETS.forEach(([, bucket, reason], i) => {
            const b = state[i];
            if (b.count > 0 || b.count === -1) {
                const v = bucket(f, nr);
                // like restic, the oldest snapshot is also kept while a rule has counts left
                if (v !== b.last || nr === sorted.length - 1) {
                    b.last = v;
                    if (b.count > 0)
                        b.count--;
                    reasons.push(reason);
                }
            }
        });
        // the newest snapshot of a group is never removed, whatever the policy (docs/design.md, "Retention")
        if (nr === 0 && reasons.length === 0)
            reasons.push('newest snapshot (always kept)');
        (reasons.length ? keep : remove).push({ snapshot: s, reasons });
    });
    return { keep, remove };
}
/** Group by host + source (restic's default grouping is host + paths) and apply the policy to each group. */
export function selectSnapshots(snapshots, policy, now = new Date(), opts = {}) {
    const groups = new Map();
    for (const s of snapshots) {
        const k = `${s.host}\0${s.source}`;
        (groups.get(k) ?? groups.set(k, []).get(k)).push(s);
    }
    return [...groups.values()]
        .map((list) => ({ host: list[0].host, source: list[0].source, ...selectGroup(list, policy, now, opts) }))
        .sort((a, b) => (a.host + '\0' + a.source < b.host + '\0' + b.source ? -1 : 1));
}
/**
 * Select with `policy` among the repository's snapshots (optionally of one
 * host/source) and remove the rest, unless dryRun. The caller holds a shared
 * lock (store/lock.ts), as for any write. Returns the plan per group.
 */
export async function applyRetention(repo, policy, opts = {}) {
    assertPolicyKeepsSomething(policy);
    const scoped = filterSnapshots(await listSnapshots(repo), { host: opts.host, source: opts.source, tags: opts.tags });
    const plan = selectSnapshots(scoped, policy, opts.now ?? new Date(), { utc: opts.utc });
    if (!opts.dryRun)
        for (const g of plan)
            for (const d of g.remove)
                await deleteSnapshot(repo, d.snapshot.id);
    return plan;
}
//# sourceMappingURL=retention.js.map