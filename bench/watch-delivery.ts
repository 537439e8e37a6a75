// How long the watch backend itself takes to report a directory rename, before
// strata does anything: subscribe to a generated tree with @parcel/watcher
// (watchman backend, as `strata watch` uses), rename a top-level directory and
// time the arrival of the first and last event batch. This bounds what "change
// 5 under watch" (issue #6) can reach: no snapshot can commit before its events.
// Usage: node --import=tsx bench/watch-delivery.ts [files=100000]
import * as fs from 'node:fs';
import * as path from 'node:path';
import watcher from '@parcel/watcher';
import { benchDir } from './lib/corpus.js';
import { ensureScaleTree } from './peers/scale-tree.js';

const files = Number(process.argv[2] ?? 100_000);
const tree = ensureScaleTree(benchDir(), files, (s) => process.stderr.write(s + '\n'));
const top = fs.readdirSync(tree.dir).sort();
const victim = path.join(tree.dir, top[0]!);
const moved = `${victim}-renamed`;
const count = (d: string): number => fs.readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + 1 + (e.isDirectory() ? count(path.join(d, e.name)) : 0), 0);
const entries = count(victim);

const t0 = performance.now();
let events = 0;
let batches = 0;
let first = 0;
let last = 0;
const sub = await watcher.subscribe(
  tree.dir,
  (_err, evs) => {
    const t = performance.now();
    if (!first) first = t;
    last = t;
    events += evs.length;
    batches++;
  },
  { backend: 'watchman' },
);
const subscribedMs = performance.now() - t0;
await new Promise((r) => setTimeout(r, 1000));
let sub0 = { events: 0, batches: 0, first: 0, last: 0 };
const tr = performance.now();
fs.renameSync(victim, moved);
try {
  // wait until no batch arrived for 3 s
  while (!first || performance.now() - last < 3000) await new Promise((r) => setTimeout(r, 100));
} finally {
  sub0 = { events, batches, first, last };
  fs.renameSync(moved, victim);
  await new Promise((r) => setTimeout(r, 2000));
  await sub.unsubscribe();
}
const out = {
  tree: tree.dir,
  files: tree.files,
  renamedEntries: entries,
  subscribeMs: Math.round(subscribedMs),
  events: sub0.events,
  batches: sub0.batches,
  firstBatchMs: Math.round(sub0.first - tr),
  lastBatchMs: Math.round(sub0.last - tr),
};
console.log(JSON.stringify(out, null, 2));
