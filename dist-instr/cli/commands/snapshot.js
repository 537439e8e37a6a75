// `strata snapshot DIR`: one snapshot now. Ctrl-C abandons it cleanly (and
// says so, exit 130); a full repository disk stops it once, with one message.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { StrataError, isStrataError } from '../../errors.js';
import { recordAtimes } from '../../fs/dir-entry.js';
import { filterSnapshots, listSnapshots } from '../../snapshot/manifest.js';
import { takeSnapshot } from '../../snapshot/snapshotter.js';
import { PreScan } from '../../snapshot/prescan.js';
import { withLock } from '../../store/lock.js';
import { storeRequests } from '../../store/open-store.js';
import { EXIT } from '../exit-codes.js';
import { collect, tagList } from '../options.js';
import { sizeArg } from '../validate.js';
import { globals, withRepo } from '../context.js';
import { resolveSources } from '../sources.js';
import { RateMeter, fmtBytes, fmtDuration, fmtInt, plural, printJson, println, progressClear, progressEnabled, progressLine, warn } from '../output.js';
import { onInterrupt } from '../interrupt.js';
export function snapshotSummary(s) {
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
        tags: s.tags ?? [],
        paths: s.paths ?? [],
    };
}
/** Patterns from --exclude-file files: one per line, blank lines and # comments skipped. */
export function readExcludeFiles(files) {
    const out = [];
    for (const f of files) {
        let text;
        try {
            text = fs.readFileSync(f, 'utf8');
        }
        catch (e) {
            throw new StrataError('E_USAGE', `cannot read --exclude-file ${f}: ${e.message}`);
        }
        for (const line of text.split(/\r?\n/))
            if (line.trim() !== '' && !line.startsWith('#'))
                out.push(line.replace(/\s+$/, ''));
    }
    return out;
}
export function register(program) {
    program
        .command('snapshot')
        .description('take one snapshot of DIR now (several paths or files: one snapshot of their common directory holding just them)')
        .argument('<paths...>', 'directory to snapshot, or several paths / single files')
        .option('-e, --exclude <pattern>', 'exclude paths matching a gitignore-style pattern (repeatable)', collect, [])
        .option('--exclude-file <file>', 'read exclude patterns from FILE, one per line (# comments; repeatable)', collect, [])
        .option('--exclude-caches', 'leave out directories holding a CACHEDIR.TAG with the standard signature')
        .option('--exclude-larger-than <size>', 'leave out files larger than SIZE (e.g. 500K, 10M, 2G; powers of 1024)')
        .option('-x, --one-file-system', 'do not cross into other file systems mounted below DIR')
        .option('--atime', 'also record the access time of regular files (off by default: reading a file would change the next snapshot; as borg --atime)')
        .option('--full', 're-read every file, ignoring the stat cache')
        .option('--dry-run', 'compute the snapshot (and its root hash) without writing anything')
        .option('--host <name>', 'host name to record', os.hostname())
        .option('--tag <tags>', 'label the snapshot (repeatable; a,b adds both)', collect, [])
        .action(async (dirs, opts, cmd) => {
        const g = globals(cmd);
        if (opts.atime)
            recordAtimes(true);
        const chosen = resolveSources(dirs);
        const exclude = [...chosen.rules, ...opts.exclude, ...readExcludeFiles(opts.excludeFile)];
        const excludeLargerThan = opts.excludeLargerThan === undefined ? undefined : sizeArg(opts.excludeLargerThan, '--exclude-larger-than', 1);
        const source = chosen.source;
        const showProgress = progressEnabled(!!g.json) && !g.quiet;
        const meter = new RateMeter();
        const abort = new AbortController();
        let store;
        const seen = { files: 0, bytes: 0, bytesRead: 0 };
        const interrupted = onInterrupt(() => abort.abort());
        let result;
        // read the tree's listings while the key is derived and the cache opened (one directory, no --full re-read needed)
        const prescan = chosen.paths.length === 0 && process.env.STRATA_NO_PRESCAN !== '1' ? PreScan.start(source) : null;
        try {
            result = await withRepo(g, (repo) => withLock(repo, { exclusive: false, command: 'snapshot' }, async () => {
                store = repo.store;
                const samePaths = (s) => JSON.stringify(s.paths ?? []) === JSON.stringify(chosen.paths);
                const parent = filterSnapshots(await listSnapshots(repo), { source, host: opts.host }).filter(samePaths).at(-1) ?? null;
                return takeSnapshot(repo, {
                    source,
                    host: opts.host,
                    parent,
                    full: opts.full,
                    dryRun: opts.dryRun,
                    exclude,
                    excludeCaches: !!opts.excludeCaches,
                    excludeLargerThan,
                    oneFileSystem: !!opts.oneFileSystem,
                    tags: tagList(opts.tag),
                    paths: chosen.paths,
                    signal: abort.signal,
                    prescan,
                    onProgress: (p) => {
                        Object.assign(seen, { files: p.files, bytes: p.bytes, bytesRead: p.bytesRead });
                        if (showProgress)
                            progressLine(`${meter.line(p.files, p.bytes)} read ${fmtBytes(p.bytesRead)}  ${p.path}`);
                    },
                    onNotice: (n) => {
                        if (!g.quiet || n.skipped)
                            warn(`${n.skipped ? 'skipped' : 'warning'}: ${n.path}: ${n.message} [${n.code}]`);
                    },
                });
            }));
        }
        catch (e) {
            progressClear();
            // a full repository disk is the store's E_NO_SPACE (store/space.ts), one error naming the disk
            if (isStrataError(e, 'E_ABORTED') && interrupted.signal) {
                throw new StrataError('E_INTERRUPTED', `interrupted (${interrupted.signal}): snapshot of ${source} not saved; ${fmtInt(seen.files)} ${plural(seen.files, 'file')} (${fmtBytes(seen.bytes)}) looked at, ${fmtBytes(seen.bytesRead)} read; data already stored is reused by the next snapshot`, { cause: e });
            }
            throw e;
        }
        finally {
            prescan?.stop();
            interrupted.dispose();
        }
        progressClear();
        const s = result.snapshot; // never null without skipUnchanged
        const requests = store && storeRequests(store); // s3: repositories: every request of the command
        if (g.json)
            printJson({ ...snapshotSummary(s), ...(requests ? { requests } : {}) });
        else if (!g.quiet) {
            const st = s.stats;
            const what = s.id ? `snapshot ${s.id.slice(0, 8)} saved` : `dry run: root ${s.root.slice(0, 16)}`;
            println(`${what}${s.unchanged ? ' (unchanged)' : ''}${s.parent ? `, parent ${s.parent.slice(0, 8)}` : ''}`);
            println(`  source   ${s.source}`);
            if (s.paths?.length)
                println(`  paths    ${s.paths.join(', ')}`);
            if (s.tags?.length)
                println(`  tags     ${s.tags.join(', ')}`);
            println(`  contents ${fmtInt(st.files)} ${plural(st.files, 'file')}, ${fmtInt(st.dirs)} ${plural(st.dirs, 'dir')}, ${fmtBytes(st.bytes)}`);
            const read = `${fmtInt(st.filesRead)} ${plural(st.filesRead, 'file')}, ${fmtBytes(st.bytesRead)}`;
            if (s.id)
                println(`  read     ${read}; added ${fmtBytes(st.bytesAdded)} in ${fmtInt(st.blobsAdded)} ${plural(st.blobsAdded, 'blob')}`);
            else
                println(`  read     ${read}; nothing written (a dry run stores nothing, so it cannot tell what would be new)`);
            println(`  scanned  ${fmtInt(st.dirsScanned)} ${plural(st.dirsScanned, 'dir')} in ${fmtDuration(st.durationMs)}`);
            if (s.skippedCount)
                println(`  skipped  ${fmtInt(s.skippedCount)} ${plural(s.skippedCount, 'path')} that could not be read (see warnings above; 'strata show ${s.id?.slice(0, 8) ?? ''}' lists them)`);
        }
        if (s.skippedCount > 0)
            process.exitCode = EXIT.PARTIAL;
    });
}
//# sourceMappingURL=snapshot.js.map