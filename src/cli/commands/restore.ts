// `strata restore SNAP[:PATH] --target DIR` (or `--at TIME [PATH]`). Over an
// existing directory it rewrites only files whose content differs; --delete
// removes what the snapshot lacks; --dry-run lists what would change.
import type { Command } from 'commander';
import { restore, type RestoreAction } from '../../restore/restorer.js';
import { AT_HELP, atOption, globals, locate, resolveSource, withRepo } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { RateMeter, fmtBytes, fmtDuration, fmtInt, printJson, println, progressClear, progressEnabled, progressLine, warn } from '../output.js';

interface RestoreOpts {
  target: string;
  source?: string;
  at?: string;
  delete?: boolean;
  dryRun?: boolean;
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
    .option('-n, --dry-run', 'change nothing; list what would be created, updated or deleted')
    .action(async (spec: string, opts: RestoreOpts, cmd: Command) => {
      const g = globals(cmd);
      const at = atOption(opts.at);
      const dryRun = !!opts.dryRun;
      const showProgress = progressEnabled(!!g.json) && !g.quiet && !dryRun;
      const meter = new RateMeter();
      const actions: RestoreAction[] = [];
      const { stats, snapshot } = await withRepo(g, async (repo) => {
        const loc = await locate(repo, spec, opts.source ? resolveSource(opts.source) : undefined, at);
        const stats = await restore(repo, {
          entry: loc.entry,
          target: opts.target,
          skipIdentical: true,
          delete: !!opts.delete,
          dryRun,
          onAction: dryRun ? (a) => actions.push({ ...a }) : undefined,
          onProgress: showProgress ? (p) => progressLine(`${meter.line(p.files, p.bytes, p.totalBytes)}  ${p.path}`) : undefined,
          onNotice: (n) => warn(`error: ${n.path}: ${n.message} [${n.code}]`),
        });
        return { stats, snapshot: loc.snapshot };
      });
      progressClear();
      if (g.json) printJson({ snapshot: snapshot.id, target: opts.target, ...(dryRun ? { dryRun, actions } : {}), ...stats });
      else if (dryRun) {
        for (const a of actions) println(`${a.op.padEnd(6)}  ${a.path}${a.kind === 'dir' ? '/' : ''}`);
        const n = (op: string) => actions.filter((a) => a.op === op).length;
        println(
          `dry run: would create ${fmtInt(n('create'))}, update ${fmtInt(n('update'))}, delete ${fmtInt(n('delete'))}, fix metadata of ${fmtInt(n('meta'))} in ${opts.target} from ${snapshot.id.slice(0, 8)}` +
            (stats.filesSkipped ? `; ${fmtInt(stats.filesSkipped)} files already up to date` : ''),
        );
      } else
        println(
          `restored ${fmtInt(stats.files)} files (${fmtBytes(stats.bytes)}), ${fmtInt(stats.dirs)} dirs from ${snapshot.id.slice(0, 8)} to ${opts.target} in ${fmtDuration(stats.durationMs)}` +
            (stats.filesSkipped ? `; ${fmtInt(stats.filesSkipped)} files already up to date` : '') +
            (stats.deleted ? `; deleted ${fmtInt(stats.deleted)} entries not in the snapshot` : ''),
        );
      if (stats.errors > 0) process.exitCode = EXIT.FATAL;
    });
}
