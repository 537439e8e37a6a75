// `strata restore SNAP[:PATH]... --target DIR` (or `--at TIME [PATH]`). Over an
// existing directory it rewrites only files whose content differs; --delete
// removes what the snapshot lacks; --dry-run lists what would change and what
// would fail. --include/--exclude choose entries by glob; several paths
// restore each at its own place under the target. Holds a shared repository
// lock (a prune waits or refuses); a target inside the repository is refused;
// Ctrl-C/SIGTERM remove the temporaries in flight and say what was restored
// (exit 130 / 143).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StrataError, isStrataError } from '../../errors.js';
import { removeTemporaries, restore } from '../../restore/restorer.js';
import { storeRequests } from '../../store/open-store.js';
import { AT_HELP, atOption, globals, locate, repoPath, sourceOption, withReadLock, withRepo } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { onInterrupt } from '../interrupt.js';
import { collect } from '../options.js';
import { RateMeter, fmtBytes, fmtDuration, fmtInt, plural, printJson, println, progressClear, progressEnabled, progressLine, warn } from '../output.js';
import { FilteredReader } from '../restore-filter.js';
/** realpath of `p`, or of its nearest existing ancestor joined with the rest */
function resolveExisting(p) {
    const abs = path.resolve(p);
    let head = abs;
    const tail = [];
    for (;;) {
        try {
            return path.join(fs.realpathSync(head), ...tail.reverse());
        }
        catch {
            const parent = path.dirname(head);
            if (parent === head)
                return abs;
            tail.push(path.basename(head));
            head = parent;
        }
    }
}
const inside = (child, parent) => child === parent || child.startsWith(parent.endsWith('/') ? parent : parent + '/');
function checkTarget(target, repo, del) {
    const t = resolveExisting(target);
    const r = resolveExisting(repo);
    if (inside(t, r))
        throw new StrataError('E_USAGE', `restore target ${target} is inside the repository ${repo}: refused`);
    if (del && inside(r, t))
        throw new StrataError('E_USAGE', `restore --delete into ${target} would delete the repository ${repo} inside it: refused`);
}
function addStats(a, b) {
    const out = { ...a };
    for (const k of Object.keys(b))
        out[k] = (a[k] ?? 0) + b[k];
    return out;
}
export function register(program) {
    program
        .command('restore')
        .description('restore a snapshot, a subtree or one file (SNAP[:PATH]) into --target; several paths restore each under TARGET/PATH')
        .argument('<snapshot-path...>', 'SNAP[:PATH] (with --at: PATH); one directory restores its contents into the target, a file goes to TARGET/NAME')
        .requiredOption('-t, --target <dir>', 'directory to restore into (created if missing)')
        .option('--source <dir>', 'latest means the newest snapshot of this source')
        .option('--at <time>', AT_HELP)
        .option('-i, --include <pattern>', 'restore only entries matching this glob (repeatable; as find: no / = a name at any depth)', collect, [])
        .option('-e, --exclude <pattern>', 'do not restore entries matching this glob (repeatable)', collect, [])
        .option('--delete', 'delete entries in restored directories that the snapshot does not have')
        .option('-n, --dry-run', 'change nothing; list what would be created, updated, deleted, or would fail (data is read and verified)')
        .option('--no-xattrs', 'do not restore extended attributes and ACLs')
        .action(async (specs, opts, cmd) => {
        const g = globals(cmd);
        const at = atOption(opts.at);
        const dryRun = !!opts.dryRun;
        const filtering = opts.include.length > 0 || opts.exclude.length > 0;
        if (filtering && opts.delete)
            throw new StrataError('E_USAGE', '--delete cannot be combined with --include/--exclude (it would delete what the filter leaves out)');
        if (specs.length > 1 && opts.delete)
            throw new StrataError('E_USAGE', '--delete takes one SNAP[:PATH]');
        checkTarget(opts.target, repoPath(g), !!opts.delete);
        const showProgress = progressEnabled(!!g.json) && !g.quiet && !dryRun;
        const meter = new RateMeter();
        const actions = [];
        const done = { files: 0, bytes: 0, totalFiles: 0, totalBytes: 0 };
        let target = opts.target;
        // the restorer's own counts, live (progress lines come at intervals)
        let liveStats;
        let liveBase = { ...done };
        // first signal: the restorer stops at the next entry or chunk, the lock is released and the
        // repository closed, then the one line below; a second signal leaves at once (interrupt.ts)
        const stop = new AbortController();
        const interrupted = onInterrupt(() => stop.abort());
        const reportInterrupt = (sig) => {
            const removed = removeTemporaries();
            progressClear();
            if (liveStats) {
                done.files = Math.max(done.files, liveBase.files + liveStats.files);
                done.bytes = Math.max(done.bytes, liveBase.bytes + liveStats.bytes);
            }
            const msg = `interrupted (${sig}): restored ${fmtInt(done.files)} of ${fmtInt(done.totalFiles)} ${plural(done.totalFiles, 'file')} (${fmtBytes(done.bytes)} of ${fmtBytes(done.totalBytes)}) into ${target}; ` +
                `removed ${fmtInt(removed)} temporary ${plural(removed, 'file')}; the rest was not restored: run the same restore again to finish (identical files are skipped)`;
            const code = sig === 'SIGTERM' ? 143 : EXIT.INTERRUPTED;
            if (g.json)
                process.stderr.write(JSON.stringify({ message_type: 'exit_error', code, message: msg, ...done }) + '\n');
            else
                process.stderr.write(`strata: ${msg}\n`);
            return code;
        };
        let stats;
        let store;
        const snapshots = [];
        try {
            await withRepo(g, (repo) => 
            // a shared lock (a prune waits or refuses), as withLock but none on a read-only repository or under --no-lock
            withReadLock(g, repo, { exclusive: false, command: 'restore' }, async () => {
                store = repo.store;
                if (repo.lock)
                    await repo.syncIndex(); // a prune since the open: read nothing it removed
                const locs = [];
                for (const spec of specs)
                    locs.push(await locate(repo, spec, sourceOption(opts.source), at));
                for (const loc of locs) {
                    let entry = loc.entry;
                    let reader = repo;
                    if (filtering) {
                        if (entry.kind !== 'dir')
                            throw new StrataError('E_USAGE', `--include/--exclude filter a directory; ${loc.path} is a ${entry.kind}`);
                        const f = new FilteredReader(repo, { include: opts.include, exclude: opts.exclude });
                        const v = await f.view(entry, '');
                        if (!v)
                            throw new StrataError('E_NO_PATH', `nothing in ${loc.path || '/'} matches --include ${opts.include.join(' ')}`);
                        entry = v;
                        reader = f;
                    }
                    // several paths: each goes to its own place under the target
                    target = specs.length > 1 ? path.join(opts.target, entry.kind === 'dir' ? loc.path : path.dirname(loc.path)) : opts.target;
                    // the root entry of a snapshot carries no counts: the manifest has them
                    const atRoot = entry.kind === 'dir' && entry.files === undefined && loc.path === '';
                    done.totalFiles += entry.kind !== 'dir' ? 1 : atRoot ? loc.snapshot.stats.files : (entry.files ?? 0);
                    done.totalBytes += atRoot && !filtering ? loc.snapshot.stats.bytes : entry.size;
                    const base = { ...done };
                    const s = await restore(reader, {
                        entry,
                        target,
                        skipIdentical: true,
                        delete: !!opts.delete,
                        dryRun,
                        xattrs: opts.xattrs !== false,
                        signal: stop.signal,
                        onAction: dryRun ? (a) => actions.push({ ...a, path: specs.length > 1 ? path.join(path.relative(opts.target, target), a.path) : a.path }) : undefined,
                        onProgress: (p) => {
                            done.files = base.files + p.files;
                            done.bytes = base.bytes + p.bytes;
                            if (showProgress)
                                progressLine(`${meter.line(done.files, done.bytes, done.totalBytes)}  ${p.path}`);
                        },
                        onNotice: (n) => warn(`error: ${n.path}: ${n.message} [${n.code}]`),
                        onWarning: (n) => warn(`warning: ${n.path ? n.path + ': ' : ''}${n.message} [${n.code}]`),
                    }, (live) => {
                        liveStats = live;
                        liveBase = base;
                    });
                    liveStats = undefined;
                    done.files = base.files + s.files;
                    done.bytes = base.bytes + s.bytes;
                    stats = stats ? addStats(stats, s) : s;
                    snapshots.push(loc);
                }
            }));
        }
        catch (err) {
            if (!interrupted.signal || !isStrataError(err, 'E_ABORTED'))
                throw err;
            process.exitCode = reportInterrupt(interrupted.signal);
            return;
        }
        finally {
            interrupted.dispose();
        }
        progressClear();
        const st = stats;
        target = opts.target;
        const snapshot = snapshots[0].snapshot;
        const from = [...new Set(snapshots.map((l) => l.snapshot.id.slice(0, 8)))].join(', ');
        const nFail = actions.filter((a) => a.op === 'fail').length;
        const requests = store && storeRequests(store); // s3: repositories: every request of the command
        if (g.json)
            printJson({ snapshot: snapshot.id, target, ...(specs.length > 1 ? { paths: snapshots.map((l) => ({ snapshot: l.snapshot.id, path: l.path })) } : {}), ...(dryRun ? { dryRun, actions } : {}), ...st, ...(requests ? { requests } : {}) });
        else if (dryRun) {
            for (const a of actions)
                println(`${a.op.padEnd(6)}  ${a.path}${a.kind === 'dir' ? '/' : ''}${a.reason ? `  (${a.reason})` : ''}`);
            const n = (op) => actions.filter((a) => a.op === op).length;
            println(`dry run: would create ${fmtInt(n('create'))}, update ${fmtInt(n('update'))}, delete ${fmtInt(n('delete'))}, fix metadata of ${fmtInt(n('meta'))} in ${target} from ${from}` +
                (st.filesSkipped ? `; ${fmtInt(st.filesSkipped)} ${plural(st.filesSkipped, 'file')} already up to date` : '') +
                (nFail ? `; ${fmtInt(nFail)} would FAIL (damaged or missing data)` : ''));
        }
        else if (!g.quiet || st.integrityErrors)
            println(`restored ${fmtInt(st.files)} ${plural(st.files, 'file')} (${fmtBytes(st.bytes)}), ${fmtInt(st.dirs)} ${plural(st.dirs, 'dir')}` +
                (st.symlinks ? `, ${fmtInt(st.symlinks)} ${plural(st.symlinks, 'symlink')}` : '') +
                ` from ${from} to ${target} in ${fmtDuration(st.durationMs)}` +
                (st.links ? `; ${fmtInt(st.links)} hard ${plural(st.links, 'link')}` : '') +
                (st.filesSkipped ? `; ${fmtInt(st.filesSkipped)} ${plural(st.filesSkipped, 'file')} already up to date` : '') +
                (st.deleted ? `; deleted ${fmtInt(st.deleted)} ${st.deleted === 1 ? 'entry' : 'entries'} not in the snapshot` : '') +
                (st.tempsSwept ? `; removed ${fmtInt(st.tempsSwept)} leftover temporaries` : '') +
                (st.integrityErrors ? `; ${fmtInt(st.integrityErrors)} NOT restored (damaged or missing data, left out)` : ''));
        if (st.integrityErrors > 0)
            process.exitCode = EXIT.INTEGRITY;
        else if (st.errors > 0)
            process.exitCode = EXIT.FATAL;
    });
}
//# sourceMappingURL=restore.js.map