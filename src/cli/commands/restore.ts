// `strata restore SNAP[:PATH] --target DIR`.
import type { Command } from 'commander';
import { restore } from '../../restore/restorer.js';
import { globals, locate, withRepo } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { RateMeter, fmtBytes, fmtDuration, fmtInt, printJson, println, progressClear, progressEnabled, progressLine, warn } from '../output.js';
import { resolveSource } from './snapshot.js';

export function register(program: Command): void {
  program
    .command('restore')
    .description('restore a snapshot, a subtree or one file (SNAP[:PATH]) into --target')
    .argument('<snapshot-path>', 'SNAP[:PATH]; a directory restores its contents into the target, a file goes to TARGET/NAME')
    .requiredOption('-t, --target <dir>', 'directory to restore into (created if missing)')
    .option('--source <dir>', 'latest means the newest snapshot of this source')
    .action(async (spec: string, opts: { target: string; source?: string }, cmd: Command) => {
      const g = globals(cmd);
      const showProgress = progressEnabled(!!g.json) && !g.quiet;
      const meter = new RateMeter();
      const { stats, snapshot } = await withRepo(g, async (repo) => {
        const loc = await locate(repo, spec, opts.source ? resolveSource(opts.source) : undefined);
        const stats = await restore(repo, {
          entry: loc.entry,
          target: opts.target,
          skipIdentical: true,
          onProgress: showProgress ? (p) => progressLine(`${meter.line(p.files, p.bytes, p.totalBytes)}  ${p.path}`) : undefined,
          onNotice: (n) => warn(`error: ${n.path}: ${n.message} [${n.code}]`),
        });
        return { stats, snapshot: loc.snapshot };
      });
      progressClear();
      if (g.json) printJson({ snapshot: snapshot.id, target: opts.target, ...stats });
      else
        println(
          `restored ${fmtInt(stats.files)} files (${fmtBytes(stats.bytes)}), ${fmtInt(stats.dirs)} dirs from ${snapshot.id.slice(0, 8)} to ${opts.target} in ${fmtDuration(stats.durationMs)}` +
            (stats.filesSkipped ? `; ${fmtInt(stats.filesSkipped)} files already up to date` : ''),
        );
      if (stats.errors > 0) process.exitCode = EXIT.FATAL;
    });
}
