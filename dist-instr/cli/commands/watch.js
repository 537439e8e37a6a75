// `strata watch DIR...`: the continuous-snapshot daemon for one or more
// sources, until SIGINT/SIGTERM (which always exits within a few seconds).
// `--print-service` prints a systemd user unit for the same arguments instead.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StrataError } from '../../errors.js';
import { requestsSince, storeRequests } from '../../store/open-store.js';
import { Repository } from '../../store/repository.js';
import { serviceUnit } from '../../watch/service-unit.js';
import { WatchDaemon } from '../../watch/supervisor.js';
import { parseDuration } from '../duration.js';
import { cacheOptions, globals, repoPath } from '../context.js';
import { printJson, warn } from '../output.js';
import { collect, tagList } from '../options.js';
import { enumArg } from '../validate.js';
import { retentionPolicy } from './forget.js';
import { assertPolicyKeepsSomething, policyIsEmpty } from '../../snapshot/retention.js';
import { snapshotSummary } from './snapshot.js';
/** Sources as snapshots name them; a missing one is accepted (reported, and waited for). */
function sourcesOf(dirs) {
    const out = dirs.map((d) => {
        try {
            return fs.realpathSync(path.resolve(d));
        }
        catch {
            return path.resolve(d);
        }
    });
    for (const [i, a] of out.entries())
        for (const b of out.slice(i + 1))
            if (a === b || a.startsWith(b + path.sep) || b.startsWith(a + path.sep))
                throw new StrataError('E_USAGE', `sources overlap: ${a} and ${b}`);
    return out;
}
/** Test-only fault injection: STRATA_TEST_WATCH_FAULT=hang-subscribe:N */
function testFaults() {
    const m = /^hang-subscribe:(\d+)$/.exec(process.env.STRATA_TEST_WATCH_FAULT ?? '');
    return m ? { hangSubscribes: Number(m[1]) } : {};
}
/** A watch retention policy is optional, but one that keeps nothing (--keep-within 0d) is refused at start. */
function checkedPolicy(p) {
    if (!policyIsEmpty(p))
        assertPolicyKeepsSomething(p);
    return p;
}
export function register(program) {
    program
        .command('watch')
        .description('snapshot each DIR continuously: watch events mark directories dirty, snapshots re-read only those')
        .argument('<dir...>', 'directories to protect (each its own source, with its own snapshot chain)')
        .option('-e, --exclude <pattern>', 'exclude paths matching a gitignore-style pattern (repeatable)', collect, [])
        .option('--host <name>', 'host name to record', os.hostname())
        .option('--tag <tags>', 'label every snapshot (repeatable; a,b adds both)', collect, [])
        .option('--backend <name>', 'auto | watchman | inotify', 'auto')
        .option('--quiet-ms <ms>', 'snapshot after this much quiet', '1000')
        .option('--max-delay-ms <ms>', 'snapshot at most this long after the first change', '10000')
        .option('--reconcile <interval>', 'full stat-only reconcile every (e.g. 30s, 10m, 1h)', '1h')
        .option('--poll <interval>', 'stat-scan interval while watcher events cannot be trusted', '5s')
        .option('--backend-timeout <duration>', 'timeout of every watcher call (subscribe, unsubscribe)', '10s')
        .option('--on-snapshot <cmd>', 'run CMD (sh -c) after each snapshot; env STRATA_SNAPSHOT_ID, STRATA_SOURCE, STRATA_REPOSITORY')
        .option('--on-error <cmd>', 'run CMD when a source stops being protected, and once when it recovers (env STRATA_SOURCE, STRATA_STATE, STRATA_ERROR)')
        .option('--hook-timeout <duration>', 'kill a hook still running after this long', '60s')
        .option('--print-service', 'print a systemd user unit running this command, and exit')
        .option('--keep-last <n>', 'thin own snapshots after each snapshot: keep the n newest (as forget)')
        .option('--keep-hourly <n>', 'keep the newest snapshot of each of the last n hours')
        .option('--keep-daily <n>', 'the same per day')
        .option('--keep-weekly <n>', 'the same per ISO week')
        .option('--keep-monthly <n>', 'the same per month')
        .option('--keep-yearly <n>', 'the same per year')
        .option('--keep-within <duration>', 'keep all snapshots within this span of the newest (y, mo, w, d, h: e.g. 36h, 7d, 6mo)')
        .action(async (dirs, opts, cmd) => {
        const g = globals(cmd);
        enumArg(opts.backend, '--backend', ['auto', 'watchman', 'inotify']);
        const timing = {
            quietMs: parseDuration(opts.quietMs, '--quiet-ms', 1),
            maxDelayMs: parseDuration(opts.maxDelayMs, '--max-delay-ms', 1),
            reconcileMs: parseDuration(opts.reconcile, '--reconcile', 1000),
            pollMs: parseDuration(opts.poll, '--poll'),
            backendTimeoutMs: parseDuration(opts.backendTimeout, '--backend-timeout'),
            hookTimeoutMs: parseDuration(opts.hookTimeout, '--hook-timeout'),
        };
        const retention = checkedPolicy(retentionPolicy(opts));
        const sources = sourcesOf(dirs);
        if (opts.printService) {
            const argv = process.argv.slice(2);
            const args = [];
            for (let i = argv.indexOf('watch') + 1; i < argv.length; i++) {
                const a = argv[i];
                if (a === '--print-service')
                    continue;
                if (a === '--repo' || a === '-r') {
                    i++;
                    continue;
                }
                const k = dirs.indexOf(a);
                args.push(k >= 0 ? sources[k] : a);
            }
            process.stdout.write(serviceUnit({ node: process.execPath, cli: fs.realpathSync(process.argv[1]), args, sources, env: process.env, repo: repoPath(g) }));
            return;
        }
        const repo = await Repository.open(repoPath(g), cacheOptions(g));
        const say = (level, msg) => {
            if (level === 'warn' || !g.quiet)
                warn(`strata watch: ${level === 'warn' ? 'warning: ' : ''}${msg}`);
        };
        let requestsBefore = storeRequests(repo.store);
        const report = (r) => {
            const s = r.result.snapshot;
            // s3: repositories: requests since the previous snapshot line (or since start)
            const now = storeRequests(repo.store);
            const requests = requestsSince(now, requestsBefore);
            requestsBefore = now;
            if (g.json)
                printJson({ type: 'snapshot', trigger: r.trigger, ...snapshotSummary(s), ...(r.missed !== undefined ? { missed: r.missed } : {}), ...(requests ? { requests } : {}) });
            else
                say('info', `snapshot ${s.id?.slice(0, 8)} of ${r.source} (${r.trigger}): ${s.stats.files} files, read ${s.stats.bytesRead} B, added ${s.stats.bytesAdded} B, ${s.stats.dirsScanned} dirs scanned, ${s.stats.durationMs} ms` +
                    (r.missed !== undefined ? `; ${r.missed} changes no event announced` : ''));
        };
        const daemon = new WatchDaemon(repo, {
            sources,
            host: opts.host,
            exclude: opts.exclude,
            tags: tagList(opts.tag),
            backend: opts.backend,
            ...timing,
            onSnapshotCmd: opts.onSnapshot,
            onErrorCmd: opts.onError,
            onSnapshot: report,
            retention,
            dropEvents: Number(process.env.STRATA_TEST_DROP_EVENTS ?? 0),
            moveHints: moveHintsEnv(process.env.STRATA_MOVE_HINTS),
            faults: testFaults(),
            onReconcile: (r) => {
                // in --json mode stdout stays one line per snapshot: a reconcile that found changes
                // produced one (trigger "reconcile", with "missed"); the log always says what it found
                say(r.missed > 0 ? 'warn' : 'info', `${r.source}: reconcile: ${r.missed} changes no event announced (${r.durationMs} ms)`);
            },
            onLog: say,
            onNotice: (n) => {
                if (!g.quiet || n.skipped)
                    warn(`${n.skipped ? 'skipped' : 'warning'}: ${n.path}: ${n.message} [${n.code}]`);
            },
        });
        let stopping;
        const done = new Promise((resolve) => {
            const onSignal = (sig) => {
                if (stopping)
                    return;
                say('info', `${sig}: stopping`);
                // whatever the backend or a snapshot does, exit within a few seconds
                setTimeout(() => {
                    say('warn', 'stop did not finish within 4 s; exiting anyway (the next start catches up)');
                    daemon.releaseNow();
                    process.exit(process.exitCode ?? 0);
                }, 4000).unref();
                stopping = daemon
                    .stop(true)
                    .then(() => repo.close())
                    .then(resolve, (e) => {
                    warn(`strata watch: ${e.message}`);
                    resolve();
                });
            };
            process.on('SIGINT', () => onSignal('SIGINT'));
            process.on('SIGTERM', () => onSignal('SIGTERM'));
        });
        try {
            await daemon.start();
        }
        catch (e) {
            if (!stopping) {
                await daemon.stop(true);
                await repo.close();
                throw e;
            }
        }
        say('info', `ready (${daemon.backend}, ${sources.length} source${sources.length > 1 ? 's' : ''}); quiet ${opts.quietMs} ms, max delay ${opts.maxDelayMs} ms, reconcile every ${opts.reconcile}`);
        await done;
        // a backend thread that never answered must not keep the process alive
        setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref();
    });
}
/** STRATA_MOVE_HINTS: '0' turns rename hints off, a number sets how many entries make a directory big. */
function moveHintsEnv(v) {
    if (v === undefined || v === '')
        return undefined;
    const n = Number(v);
    return Number.isInteger(n) && n > 0 ? n : v === '0' ? false : undefined;
}
//# sourceMappingURL=watch.js.map