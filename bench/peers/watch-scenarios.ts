// Strata-only scenarios (8): the changes of scenarios 2-5 made while `strata
// watch` runs (change → committed snapshot), and snapshot cost on generated
// trees of 10k / 100k / 1M files, one-shot and under watch.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { measure, sh } from '../lib/proc.js';
import { applyAppend, applyRename, applyRewrite, revertAll, type PeerCorpus } from './corpus.js';
import { ensureScaleTree } from './scale-tree.js';
import type { Rec } from './scenarios.js';
import { STRATA_CLI } from './tools.js';
import { WatchDaemon } from './watch.js';

export interface WatchConfig {
  corpus: PeerCorpus;
  reps: number;
  workDir: string;
  benchBase: string;
  hasWatch: boolean;
  quietMs: number;
  scaleFiles: number[];
  log: (s: string) => void;
}

const NOT_BUILT = 'n/a (strata watch not built yet)';
const strata = (args: string[], check: boolean | number = true) => measure([process.execPath, STRATA_CLI, ...args], { check });

function unwatch(dir: string): void {
  sh(['watchman', 'watch-del', dir], { allowFail: true });
}

export async function runWatchScenarios(cfg: WatchConfig, recs: Rec[]): Promise<void> {
  const { corpus, log } = cfg;
  if (!cfg.hasWatch) {
    for (const step of ['w2', 'w3', 'w4', 'w5', 'wrss']) recs.push({ rep: 1, tool: 'strata', step, note: NOT_BUILT });
    return;
  }
  for (let rep = 1; rep <= cfg.reps; rep++) {
    revertAll(corpus, log);
    const repo = path.join(cfg.workDir, `watch-rep${rep}`, 'repo');
    fs.rmSync(path.dirname(repo), { recursive: true, force: true });
    await strata(['init', '--repo', repo]);
    log(`\n== watch repetition ${rep}/${cfg.reps}: first snapshot, then the daemon`);
    await strata(['snapshot', corpus.dir, '--repo', repo, '--quiet'], 3);
    const d = WatchDaemon.start(repo, corpus.dir, cfg.quietMs);
    const rec = (step: string, r: Partial<Rec>) => recs.push({ rep, tool: 'strata', step, ...r });
    try {
      const readyMs = await d.ready(600_000, cfg.quietMs + 700);
      rec('wready', { wallS: readyMs / 1000 });
      // 2: nothing changed: the daemon must stay idle
      const n0 = d.snapshots().length;
      await new Promise((r) => setTimeout(r, 2 * cfg.quietMs + 700));
      const idle = d.snapshots().length === n0;
      rec('w2', idle ? { wallS: 0, bytesRead: 0, note: 'no event, no snapshot: nothing to do' } : { error: 'the daemon took a snapshot although nothing changed' });
      const timed = async (step: string, change: () => void) => {
        try {
          const { latencyS, event } = await d.timeChange(change, 600_000);
          rec(step, { wallS: latencyS, bytesRead: event.bytesRead, value: event.durationMs, note: `trigger ${event.trigger ?? '?'}` });
          log(`watch ${step}: ${latencyS.toFixed(3)} s to the committed snapshot, read ${event.bytesRead} B`);
          await d.idle(cfg.quietMs + 700);
        } catch (e) {
          rec(step, { error: (e as Error).message.slice(0, 600) });
        }
      };
      await timed('w3', () => applyAppend(corpus, rep));
      await timed('w4', () => applyRewrite(corpus, rep));
      await timed('w5', () => applyRename(corpus));
      rec('wrss', { rssMiB: d.rss().peakMiB });
    } catch (e) {
      rec('w3', { error: (e as Error).message.slice(0, 600) });
    } finally {
      await d.stop();
      unwatch(corpus.dir);
      revertAll(corpus, log);
      fs.rmSync(path.dirname(repo), { recursive: true, force: true });
    }
  }
}

/** Snapshot cost at scale: one-shot first and unchanged snapshots, then the watch daemon. */
export async function runScale(cfg: WatchConfig, recs: Rec[]): Promise<void> {
  const { log } = cfg;
  for (const n of cfg.scaleFiles) {
    const tree = ensureScaleTree(cfg.benchBase, n, log);
    const repo = path.join(cfg.workDir, `scale-${n}`, 'repo');
    fs.rmSync(path.dirname(repo), { recursive: true, force: true });
    await strata(['init', '--repo', repo]);
    const rec = (step: string, r: Partial<Rec>) => recs.push({ rep: 1, tool: 'strata', step: `scale${n}:${step}`, ...r });
    sh(['sync']);
    log(`scale ${n}: first snapshot`);
    const first = await strata(['snapshot', tree.dir, '--repo', repo, '--json', '--quiet'], 3);
    rec('first', { wallS: first.wallS, cpuS: first.cpuS, rssMiB: first.maxRssMiB });
    for (let rep = 1; rep <= cfg.reps; rep++) {
      log(`scale ${n}: unchanged snapshot ${rep}`);
      const again = await strata(['snapshot', tree.dir, '--repo', repo, '--json', '--quiet'], 3);
      const j = JSON.parse(again.stdout) as { bytesRead: number };
      recs.push({ rep, tool: 'strata', step: `scale${n}:nochange`, wallS: again.wallS, cpuS: again.cpuS, rssMiB: again.maxRssMiB, bytesRead: j.bytesRead });
    }
    if (!cfg.hasWatch) {
      rec('watch', { note: NOT_BUILT });
    } else {
      const d = WatchDaemon.start(repo, tree.dir, cfg.quietMs);
      const probe = path.join(tree.dir, tree.probe);
      const size = fs.statSync(probe).size;
      try {
        const readyMs = await d.ready(900_000, cfg.quietMs + 700);
        rec('ready', { wallS: readyMs / 1000 });
        const { latencyS, event } = await d.timeChange(() => fs.appendFileSync(probe, 'one more line\n'), 600_000);
        rec('watch', { wallS: latencyS, bytesRead: event.bytesRead, value: event.durationMs });
        await d.idle(cfg.quietMs + 700);
        const mem = d.rss();
        rec('daemon', { rssMiB: mem.peakMiB });
        rec('daemonAnon', { value: mem.anonMiB, note: 'RssAnon: the daemon\'s own memory, without LMDB pages mapped from disk' });
      } catch (e) {
        rec('watch', { error: (e as Error).message.slice(0, 600) });
      } finally {
        await d.stop();
        unwatch(tree.dir);
        fs.truncateSync(probe, size);
      }
    }
    fs.rmSync(path.dirname(repo), { recursive: true, force: true });
  }
}
