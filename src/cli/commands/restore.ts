// `strata restore SNAP[:PATH] --target DIR` (or `--at TIME [PATH]`). Over an
// existing directory it rewrites only files whose content differs; --delete
// removes what the snapshot lacks; --dry-run lists what would change and what
// would fail. Holds a shared repository lock (a prune waits or refuses);
// a target inside the repository is refused; SIGINT/SIGTERM remove the
// temporaries in flight and print one line of what was done.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { StrataError, isStrataError } from '../../errors.js';
import { removeTemporaries, restore, type RestoreAction, type RestoreStats } from '../../restore/restorer.js';
import { AT_HELP, atOption, globals, locate, repoPath, resolveSource, withReadLock, withRepo } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { RateMeter, fmtBytes, fmtDuration, fmtInt, printJson, println, progressClear, progressEnabled, progressLine, warn } from '../output.js';

interface RestoreOpts {
  target: string;
  source?: string;
  at?: string;
  delete?: boolean;
  dryRun?: boolean;
  xattrs?: boolean; // --no-xattrs sets false
}

/** realpath of `p`, or of its nearest existing ancestor joined with the rest */
function resolveExisting(p: string): string {
  const abs = path.resolve(p);
  let head = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(head), ...tail.reverse());
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return abs;
      tail.push(path.basename(head));
      head = parent;
    }
  }
}

const inside = (child: string, parent: string) => child === parent || child.startsWith(parent.endsWith('/') ? parent : parent + '/');

function checkTarget(target: string, repo: string, del: boolean): void {
  const t = resolveExisting(target);
  const r = resolveExisting(repo);
  if (inside(t, r)) throw new StrataError('E_USAGE', `restore target ${target} is inside the repository ${repo}: refused`);
  if (del && inside(r, t)) throw new StrataError('E_USAGE', `restore --delete into ${target} would delete the repository ${repo} inside it: refused`);
}

export function register(program: Command): void {
  program
    .command('restore')
    .description('restore a snapshot, a subtree or one file (SNAP[:PATH]) into --target')
    .argument('<snapshot-path>', 'SNAP[:PATH] (with --at: PATH); a directory restores its contents into the target, a file goes to TARGET/NAME')
    .requiredOption('-t, --target <dir>', 'directory to restore into (created if missing)')
    .option('--source <dir>', 'latest means the newest snapshot of this source')
    .option('--at <time>', AT_HELP)
    .option('--delete', 'delete entries in restored directories that the snapshot does not have')
    .option('-n, --dry-run', 'change nothing; list what would be created, updated, deleted, or would fail (data is read and verified)')
    .option('--no-xattrs', 'do not restore extended attributes and ACLs')
    .action(async (spec: string, opts: RestoreOpts, cmd: Command) => {
      const g = globals(cmd);
      const at = atOption(opts.at);
      const dryRun = !!opts.dryRun;
      checkTarget(opts.target, repoPath(g), !!opts.delete);
      const showProgress = progressEnabled(!!g.json) && !g.quiet && !dryRun;
      const meter = new RateMeter();
      const actions: RestoreAction[] = [];
      let live: RestoreStats | undefined;
      // first signal: stop at the next entry or chunk, release the lock, report; a second one: leave at once
      const stop = new AbortController();
      let caught: NodeJS.Signals | undefined;
      const interrupted = (sig: NodeJS.Signals) => {
        const removed = removeTemporaries();
        progressClear();
        const s = live;
        warn(
          `strata: interrupted (${sig}): restored ${fmtInt(s?.files ?? 0)} files (${fmtBytes(s?.bytes ?? 0)}), ${fmtInt(s?.dirs ?? 0)} dirs into ${opts.target}; ` +
            `removed ${fmtInt(removed)} temporary file${removed === 1 ? '' : 's'}; the rest was not restored`,
        );
      };
      const onSignal = (sig: NodeJS.Signals) => {
        if (caught) {
          interrupted(caught);
          process.exit(caught === 'SIGINT' ? 130 : 143);
        }
        caught = sig;
        stop.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const { stats, snapshot } = await withRepo(g, (repo) =>
          withReadLock(g, repo, { exclusive: false, command: 'restore' }, async () => {
            const loc = await locate(repo, spec, opts.source ? resolveSource(opts.source) : undefined, at);
            const stats = await restore(
              repo,
              {
                entry: loc.entry,
                target: opts.target,
                skipIdentical: true,
                delete: !!opts.delete,
                dryRun,
                xattrs: opts.xattrs !== false,
                signal: stop.signal,
                onAction: dryRun ? (a) => actions.push({ ...a }) : undefined,
                onProgress: showProgress ? (p) => progressLine(`${meter.line(p.files, p.bytes, p.totalBytes)}  ${p.path}`) : undefined,
                onNotice: (n) => warn(`error: ${n.path}: ${n.message} [${n.code}]`),
                onWarning: (n) => warn(`warning: ${n.path ? n.path + ': ' : ''}${n.message} [${n.code}]`),
              },
              (s) => (live = s),
            );
            return { stats, snapshot: loc.snapshot };
          }),
        );
        progressClear();
        report(g.json, opts, dryRun, actions, stats, snapshot.id);
        if (stats.integrityErrors > 0) process.exitCode = EXIT.INTEGRITY;
        else if (stats.errors > 0) process.exitCode = EXIT.FATAL;
      } catch (err) {
        if (!caught || !isStrataError(err, 'E_ABORTED')) throw err;
        interrupted(caught);
        process.exitCode = caught === 'SIGINT' ? 130 : 143;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

function report(json: boolean | undefined, opts: RestoreOpts, dryRun: boolean, actions: RestoreAction[], stats: RestoreStats, id: string): void {
  if (json) printJson({ snapshot: id, target: opts.target, ...(dryRun ? { dryRun, actions } : {}), ...stats });
  else if (dryRun) {
    for (const a of actions) println(`${a.op.padEnd(6)}  ${a.path}${a.kind === 'dir' ? '/' : ''}${a.reason ? `  (${a.reason})` : ''}`);
    const n = (op: string) => actions.filter((a) => a.op === op).length;
    println(
      `dry run: would create ${fmtInt(n('create'))}, update ${fmtInt(n('update'))}, delete ${fmtInt(n('delete'))}, fix metadata of ${fmtInt(n('meta'))} in ${opts.target} from ${id.slice(0, 8)}` +
        (stats.filesSkipped ? `; ${fmtInt(stats.filesSkipped)} files already up to date` : '') +
        (n('fail') ? `; ${fmtInt(n('fail'))} would FAIL (damaged or missing data)` : ''),
    );
  } else
    println(
      `restored ${fmtInt(stats.files)} files (${fmtBytes(stats.bytes)}), ${fmtInt(stats.dirs)} dirs from ${id.slice(0, 8)} to ${opts.target} in ${fmtDuration(stats.durationMs)}` +
        (stats.links ? `; ${fmtInt(stats.links)} hard links` : '') +
        (stats.filesSkipped ? `; ${fmtInt(stats.filesSkipped)} files already up to date` : '') +
        (stats.deleted ? `; deleted ${fmtInt(stats.deleted)} entries not in the snapshot` : '') +
        (stats.tempsSwept ? `; removed ${fmtInt(stats.tempsSwept)} leftover temporaries` : '') +
        (stats.integrityErrors ? `; ${fmtInt(stats.integrityErrors)} NOT restored (damaged or missing data, left out)` : ''),
    );
}
