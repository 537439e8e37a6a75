import { globals, pickSnapshot, sourceOption, withRepo } from '../context.js';
import { fmtBytes, fmtDuration, fmtInt, fmtTime, plural, printJson, println } from '../output.js';
export function register(program) {
    program
        .command('show')
        .description("a snapshot's metadata, statistics, skipped paths and warnings (SNAP = id prefix, latest or latest~N)")
        .argument('[snapshot]', 'snapshot reference', 'latest')
        .option('--source <dir>', 'latest means the newest snapshot of this source')
        .option('--utc', 'show the time in UTC')
        .action(async (ref, opts, cmd) => {
        const g = globals(cmd);
        const s = await withRepo(g, (repo) => pickSnapshot(repo, ref, { source: sourceOption(opts.source) }));
        if (g.json)
            return printJson(s);
        const st = s.stats;
        println(`snapshot ${s.id}`);
        println(`  time      ${fmtTime(s.time, opts.utc)}`);
        println(`  host      ${s.host}`);
        println(`  source    ${s.source}`);
        println(`  root      ${s.root}`);
        println(`  parent    ${s.parent ?? '-'}${s.unchanged ? ' (unchanged)' : ''}`);
        println(`  contents  ${fmtInt(st.files)} ${plural(st.files, 'file')}, ${fmtInt(st.dirs)} ${plural(st.dirs, 'dir')}, ${fmtBytes(st.bytes)}`);
        println(`  read      ${fmtInt(st.filesRead)} ${plural(st.filesRead, 'file')}, ${fmtBytes(st.bytesRead)}; added ${fmtBytes(st.bytesAdded)} in ${fmtInt(st.blobsAdded)} ${plural(st.blobsAdded, 'blob')}`);
        println(`  took      ${fmtDuration(st.durationMs)}, ${fmtInt(st.dirsScanned)} ${plural(st.dirsScanned, 'dir')} scanned`);
        println(`  skipped   ${fmtInt(s.skippedCount)} ${plural(s.skippedCount, 'path')}${s.skippedCount > s.skipped.length ? ` (first ${s.skipped.length} listed)` : ''}`);
        for (const k of s.skipped)
            println(`    ${k.path}: ${k.message} [${k.code}]`);
        println(`  warnings  ${fmtInt(s.warningCount)}${s.warningCount > s.warnings.length ? ` (first ${s.warnings.length} listed)` : ''}`);
        for (const k of s.warnings)
            println(`    ${k.path}: ${k.message} [${k.code}]`);
    });
}
//# sourceMappingURL=show.js.map