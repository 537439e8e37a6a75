// `strata watch DIR`: the continuous-snapshot daemon, until SIGINT/SIGTERM.
import * as os from 'node:os';
import type { Command } from 'commander';
import { Repository } from '../../store/repository.js';
import { WatchDaemon, type WatchReport } from '../../watch/daemon.js';
import { parseDuration } from '../duration.js';
import { globals, repoPath, resolveSource } from '../context.js';
import { printJson, warn } from '../output.js';
import { collect, tagList } from '../options.js';
import { enumArg, withinArg } from '../validate.js';
import { count } from './forget.js';
import { snapshotSummary } from './snapshot.js';

interface WatchCliOpts {
  exclude?: string[];
  tag: string[];
  host: string;
  backend: string;
  quietMs: string;
  maxDelayMs: string;
  reconcile: string;
  keepLast?: string;
  keepHourly?: string;
  keepDaily?: string;
  keepWeekly?: string;
  keepMonthly?: string;
  keepYearly?: string;
  keepWithin?: string;
}

export function register(program: Command): void {
  program
    .command('watch')
    .description('snapshot DIR continuously: watch events mark directories dirty, snapshots re-read only those')
    .argument('<dir>', 'directory to protect')
    .option('-e, --exclude <pattern>', 'exclude paths matching a gitignore-style pattern (repeatable)', collect, [])
    .option('--host <name>', 'host name to record', os.hostname())
    .option('--tag <tags>', 'label every snapshot (repeatable; a,b adds both)', collect, [])
    .option('--backend <name>', 'auto | watchman | inotify', 'auto')
    .option('--quiet-ms <ms>', 'snapshot after this much quiet', '1000')
    .option('--max-delay-ms <ms>', 'snapshot at most this long after the first change', '10000')
    .option('--reconcile <interval>', 'full stat-only reconcile every (e.g. 30s, 10m, 1h)', '1h')
    .option('--keep-last <n>', 'thin own snapshots as it goes: keep the n newest (as forget)')
    .option('--keep-hourly <n>', 'keep the newest snapshot of each of the last n hours')
    .option('--keep-daily <n>', 'the same per day')
    .option('--keep-weekly <n>', 'the same per ISO week')
    .option('--keep-monthly <n>', 'the same per month')
    .option('--keep-yearly <n>', 'the same per year')
    .option('--keep-within <duration>', 'keep all snapshots within this span of the newest (y, mo, w, d, h: e.g. 36h, 7d, 6mo)')
    .action(async (dir: string, opts: WatchCliOpts, cmd: Command) => {
      const g = globals(cmd);
      enumArg(opts.backend, '--backend', ['auto', 'watchman', 'inotify']);
      const timing = {
        quietMs: parseDuration(opts.quietMs, '--quiet-ms', 1),
        maxDelayMs: parseDuration(opts.maxDelayMs, '--max-delay-ms', 1),
        reconcileMs: parseDuration(opts.reconcile, '--reconcile', 1000),
      };
      const retention = {
        last: count(opts.keepLast, '--keep-last'),
        hourly: count(opts.keepHourly, '--keep-hourly'),
        daily: count(opts.keepDaily, '--keep-daily'),
        weekly: count(opts.keepWeekly, '--keep-weekly'),
        monthly: count(opts.keepMonthly, '--keep-monthly'),
        yearly: count(opts.keepYearly, '--keep-yearly'),
        within: withinArg(opts.keepWithin),
      };
      const source = resolveSource(dir);
      const repo = await Repository.open(repoPath(g));
      const say = (level: 'info' | 'warn', msg: string) => {
        if (level === 'warn' || !g.quiet) warn(`strata watch: ${level === 'warn' ? 'warning: ' : ''}${msg}`);
      };
      const report = (r: WatchReport) => {
        const s = r.result.snapshot!;
        if (g.json) printJson({ type: 'snapshot', trigger: r.trigger, ...snapshotSummary(s), ...(r.missed !== undefined ? { missed: r.missed } : {}) });
        else
          say(
            'info',
            `snapshot ${s.id?.slice(0, 8)} (${r.trigger}): ${s.stats.files} files, read ${s.stats.bytesRead} B, added ${s.stats.bytesAdded} B, ${s.stats.dirsScanned} dirs scanned, ${s.stats.durationMs} ms` +
              (r.missed !== undefined ? `; ${r.missed} changes no event announced` : ''),
          );
      };
      const daemon = new WatchDaemon(repo, {
        source,
        host: opts.host,
        exclude: opts.exclude,
        tags: tagList(opts.tag),
        backend: opts.backend as 'auto',
        ...timing,
        onSnapshot: report,
        retention,
        dropEvents: Number(process.env.STRATA_TEST_DROP_EVENTS ?? 0),
        retentionEveryMs: process.env.STRATA_TEST_RETENTION_MS ? Number(process.env.STRATA_TEST_RETENTION_MS) : undefined,
        onReconcile: (r) => {
          // in --json mode stdout stays one line per snapshot: a reconcile that found changes
          // produced one (trigger "reconcile", with "missed"); the log always says what it found
          say(r.missed > 0 ? 'warn' : 'info', `reconcile: ${r.missed} changes no event announced (${r.durationMs} ms)`);
        },
        onLog: say,
        onNotice: (n) => {
          if (!g.quiet || n.skipped) warn(`${n.skipped ? 'skipped' : 'warning'}: ${n.path}: ${n.message} [${n.code}]`);
        },
      });
      let stopping: Promise<void> | undefined;
      const done = new Promise<void>((resolve) => {
        const onSignal = (sig: string) => {
          if (stopping) return;
          say('info', `${sig}: stopping`);
          stopping = daemon
            .stop(true)
            .then(() => repo.close())
            .then(resolve, (e) => {
              warn(`strata watch: ${(e as Error).message}`);
              resolve();
            });
        };
        process.on('SIGINT', () => onSignal('SIGINT'));
        process.on('SIGTERM', () => onSignal('SIGTERM'));
      });
      try {
        await daemon.start();
      } catch (e) {
        if (!stopping) {
          await daemon.stop(true);
          await repo.close();
          throw e;
        }
      }
      say('info', `ready (${daemon.backend}); quiet ${opts.quietMs} ms, max delay ${opts.maxDelayMs} ms, reconcile every ${opts.reconcile}`);
      await done;
    });
}
