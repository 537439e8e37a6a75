// The commands of `strata`, each loaded only when invoked (and all of them
// for --help and for generating shell completions).
import type * as CommandModule from './commands/init.js';

// Each command lives in its own module and is loaded only when invoked, so a
// quick `strata cat` does not pay for loading the watcher or the snapshotter.
export type Loader = () => Promise<typeof CommandModule>;
export const COMMANDS: [string, Loader][] = [
  ['init', () => import('./commands/init.js')],
  ['snapshot', () => import('./commands/snapshot.js')],
  ['snapshots', () => import('./commands/snapshots.js')],
  ['ls', () => import('./commands/ls.js')],
  ['cat', () => import('./commands/cat.js')],
  ['restore', () => import('./commands/restore.js')],
  ['watch', () => import('./commands/watch.js')],
  ['status', () => import('./commands/status.js')],
  ['log', () => import('./commands/log.js')],
  ['diff', () => import('./commands/diff.js')],
  ['find', () => import('./commands/find.js')],
  ['forget', () => import('./commands/forget.js')],
  ['prune', () => import('./commands/prune.js')],
  ['check', () => import('./commands/check.js')],
  ['repair', () => import('./commands/repair.js')],
  ['serve', () => import('./commands/serve.js')],
  ['show', () => import('./commands/show.js')],
  ['unlock', () => import('./commands/unlock.js')],
  ['stats', () => import('./commands/stats.js')],
  ['dump', () => import('./commands/dump.js')],
  ['completion', () => import('./commands/completion.js')],
  ['copy', () => import('./commands/copy.js')],
  ['key', () => import('./commands/key.js')],
  ['migrate', () => import('./commands/migrate.js')],
];
