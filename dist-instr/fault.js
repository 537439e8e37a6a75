// Deterministic crash points for the fault tests: inert unless the
// environment says STRATA_FAULT_POINT=<name>:<n>, in which case the process
// SIGKILLs itself at the n-th point of that name. Placed after every durable
// step of prune and repair (and after each pack a writer indexes), so a test
// can crash at each step in turn.
let counts;
export function faultPoint(name) {
    const spec = process.env.STRATA_FAULT_POINT;
    if (!spec)
        return;
    const i = spec.lastIndexOf(':');
    if (spec.slice(0, i) !== name)
        return;
    counts ??= new Map();
    const n = (counts.get(name) ?? 0) + 1;
    counts.set(name, n);
    if (n === Number(spec.slice(i + 1)))
        process.kill(process.pid, 'SIGKILL');
}
//# sourceMappingURL=fault.js.map