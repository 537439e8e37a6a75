#!/usr/bin/env node
// The `strata` command: a commander program with one module per command. Only
// this layer prints, and only here do errors become exit codes.
import { Command, CommanderError } from 'commander';
import { errnoCode, isStrataError } from '../errors.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { progressClear } from './output.js';
import * as cat from './commands/cat.js';
import * as diffCmd from './commands/diff.js';
import * as find from './commands/find.js';
import * as log from './commands/log.js';
import * as init from './commands/init.js';
import * as ls from './commands/ls.js';
import * as restoreCmd from './commands/restore.js';
import * as snapshot from './commands/snapshot.js';
import * as snapshots from './commands/snapshots.js';
import * as watch from './commands/watch.js';
import * as forget from './commands/forget.js';
import * as pruneCmd from './commands/prune.js';
import * as checkCmd from './commands/check.js';
import * as repair from './commands/repair.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('strata')
    .description('content-addressed, continuously snapshotting backups')
    .version('0.1.0')
    .option('-r, --repo <path>', 'repository path (default: $STRATA_REPO)')
    .option('--json', 'machine-readable output (one JSON value)')
    .option('-q, --quiet', 'no progress and no warnings except skipped files')
    .showHelpAfterError()
    .exitOverride();
  for (const m of [init, snapshot, snapshots, ls, cat, restoreCmd, watch, log, diffCmd, find, forget, pruneCmd, checkCmd, repair]) m.register(program);
  return program;
}

async function main(): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    progressClear();
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    if (errnoCode(e) === 'EPIPE') return;
    const msg = isStrataError(e) ? e.message : e instanceof Error ? e.message : String(e);
    process.stderr.write(`strata: ${msg}\n`);
    if (process.env.STRATA_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    process.exitCode = exitCodeFor(e);
  }
}

process.stdout.on('error', (e) => {
  if (errnoCode(e) === 'EPIPE') process.exit(0);
});

void main();
