// Option helpers shared by command definitions.
/** commander's reducer for a repeatable option (`-e A -e B`): never swallows the arguments after it. */
export function collect(value, previous = []) {
    return [...previous, value];
}
/** --tag values: each may list several, comma-separated (restic's "--tag a,b"). */
export function tagList(values) {
    return values.flatMap((v) => v.split(',').map((t) => t.trim())).filter((t) => t !== '');
}
/** --tag filters: each occurrence is one group that must all match; groups are alternatives. */
export function tagFilter(values) {
    const groups = values.map((v) => v.split(',').map((t) => t.trim()).filter((t) => t !== '')).filter((g) => g.length > 0);
    return groups.length ? groups : undefined;
}
//# sourceMappingURL=options.js.map