// `strata snapshot DIR`: one snapshot now.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { StrataError } from '../../errors.js';
import { filterSnapshots, listSnapshots, type Manifest } from '../../snapshot/manifest.js';
import { takeSnapshot } from '../../snapshot/snapshotter.js';
import { withLock } from '../../store/lock.js';
import type { ObjectStore } from '../../store/object-store.js';
import { storeRequests } from '../../store/open-store.js';
import { EXIT } from '../exit-codes.js';
import { globals, resolveSource, withRepo } from '../context.js';
import { RateMeter, fmtBytes, fmtDuration, fmtInt, printJson, println, progressClear, progressEnabled, progressLine, warn } from '../output.js';

export function snapshotSummary(s: Manifest & { id: string | null }) {
  return {
    id: s.id,
    shortId: s.id?.slice(0, 8) ?? null,
    root: s.root,
    time: s.time,
    host: s.host,
    source: s.source,
    parent: s.parent,
    unchanged: s.unchanged,
    ...s.stats,
    skippedCount: s.skippedCount,
    skipped: s.skipped,
    warningCount: s.warningCount,
    warnings: s.warnings,
  };
}

export function register(program: Command): void {
  program
    .command('snapshot')
    .description('take one snapshot of DIR now')
    .argument('<dir>', 'directory to snapshot')
    .option('-e, --exclude <pattern...>', 'exclude paths matching a gitignore-style pattern (repeatable)')
    .option('--full', 're-read every file, ignoring the stat cache')
    .option('--dry-run', 'compute the snapshot (and its root hash) without writing anything')
    .option('--host <name>', 'host name to record', os.hostname())
    .action(async (dir: string, opts: { exclude?: string[]; full?: boolean; dryRun?: boolean; host: string }, cmd: Command) => {
      const g = globals(cmd);
      const source = resolveSource(dir);
      const showProgress = progressEnabled(!!g.json) && !g.quiet;
      const meter = new RateMeter();
      let store: ObjectStore | undefined;
      const result = await withRepo(g, (repo) => withLock(repo, { exclusive: false, command: 'snapshot' }, async () => {
        store = repo.store;
        const parent = filterSnapshots(await listSnapshots(repo), { source, host: opts.host }).at(-1) ?? null;
        return takeSnapshot(repo, {
          source,
          host: opts.host,
          parent,
          full: opts.full,
          dryRun: opts.dryRun,
          exclude: opts.exclude,
          onProgress: showProgress ? (p) => progressLine(`${meter.line(p.files, p.bytes)} read ${fmtBytes(p.bytesRead)}  ${p.path}`) : undefined,
          onNotice: (n) => {
            if (!g.quiet || n.skipped) warn(`${n.skipped ? 'skipped' : 'warning'}: ${n.path}: ${n.message} [${n.code}]`);
          },
        });
      }));
      progressClear();
      const s = result.snapshot!; // never null without skipUnchanged
      const requests = store && storeRequests(store); // s3: repositories: every request of the command
      if (g.json) printJson({ ...snapshotSummary(s), ...(requests ? { requests } : {}) });
      else {
        const st = s.stats;
        const what = s.id ? `snapshot ${s.id.slice(0, 8)} saved` : `dry run: root ${s.root.slice(0, 16)}`;
        println(`${what}${s.unchanged ? ' (unchanged)' : ''}${s.parent ? `, parent ${s.parent.slice(0, 8)}` : ''}`);
        println(`  source   ${s.source}`);
        println(`  contents ${fmtInt(st.files)} files, ${fmtInt(st.dirs)} dirs, ${fmtBytes(st.bytes)}`);
        println(`  read     ${fmtInt(st.filesRead)} files, ${fmtBytes(st.bytesRead)}; added ${fmtBytes(st.bytesAdded)} in ${fmtInt(st.blobsAdded)} blobs`);
        println(`  scanned  ${fmtInt(st.dirsScanned)} dirs in ${fmtDuration(st.durationMs)}`);
        if (s.skippedCount) println(`  skipped  ${fmtInt(s.skippedCount)} paths that could not be read (see warnings above)`);
      }
      if (s.skippedCount > 0) process.exitCode = EXIT.PARTIAL;
    });
}
