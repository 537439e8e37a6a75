// Option helpers shared by command definitions.

/** commander's reducer for a repeatable option (`-e A -e B`): never swallows the arguments after it. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
