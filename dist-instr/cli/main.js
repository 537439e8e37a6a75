#!/usr/bin/env node
process.on('exit',()=>{const t=performance.now(); process.stderr.write('WAITS '+JSON.stringify(globalThis.W,(k,v)=>typeof v==='number'?Math.round(v):v)+' total '+Math.round(t)+'\n')});
// The `strata` command: a commander program with one module per command. Only
// this layer prints, and only here do errors become exit codes.
import { createRequire } from 'node:module';
import { errnoCode, isStrataError } from '../errors.js';
import { COMMANDS } from './command-list.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { progressClear } from './output.js';
// commander is CommonJS: required, not imported (an ESM import of CommonJS
// parses it for named exports first, which start-up pays for).
const { Command, CommanderError } = createRequire(import.meta.url)('commander');
/** --json anywhere before `--`: errors are then printed as JSON too. */
function jsonWanted(argv) {
    const end = argv.indexOf('--');
    return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}
function exitErrorJson(code, message) {
    return JSON.stringify({ message_type: 'exit_error', code, message }) + '\n';
}
/** The command named on the command line (first word that is not an option or an option's value). */
function invokedCommand(argv) {
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === '--')
            return undefined;
        if (a === '-r' || a === '--repo' || a === '--cache-dir' || a === '--password-file' || a === '--password-command') {
            i++;
            continue;
        }
        if (a.startsWith('-'))
            continue;
        return a;
    }
    return undefined;
}
/**
 * The program with every command registered, or (when argv names a known
 * command) only that one: commander then parses exactly as with all of them.
 */
export async function buildProgram(argv = []) {
    const program = new Command();
    program
        .name('strata')
        .description('content-addressed, continuously snapshotting backups')
        .version('0.1.0')
        .option('-r, --repo <path>', 'repository path (default: $STRATA_REPO)')
        .option('--cache-dir <dir>', 'where the local cache lives (default: $STRATA_CACHE_DIR, else $XDG_CACHE_HOME/strata, else ~/.cache/strata)')
        .option('--no-lock', 'take no repository lock (reads of a read-only repository; a prune running meanwhile is still detected)')
        .option('--json', 'machine-readable output (one JSON value)')
        .option('-q, --quiet', 'no progress and no warnings except skipped files')
        .option('--password-file <file>', 'read the repository password from FILE (default: $STRATA_PASSWORD_FILE, $STRATA_PASSWORD_COMMAND, $STRATA_PASSWORD, else a prompt)')
        .option('--password-command <cmd>', 'run CMD (with /bin/sh -c) and use its output as the repository password')
        .configureHelp({ showGlobalOptions: true })
        .exitOverride();
    if (jsonWanted(argv)) {
        // restic's shape for errors in JSON mode: one object on stderr
        program.configureOutput({ outputError: (str, write) => write(exitErrorJson(EXIT.USAGE, str.replace(/^error: /, '').trim())) });
    }
    else
        program.showHelpAfterError();
    const name = invokedCommand(argv);
    const only = COMMANDS.find(([n]) => n === name);
    const modules = await Promise.all((only ? [only] : COMMANDS).map(([, load]) => load()));
    for (const m of modules)
        m.register(program);
    return program;
}
async function main() {
    try {
        const program = await buildProgram(process.argv.slice(2));
        await program.parseAsync(process.argv);
    }
    catch (e) {
        progressClear();
        if (e instanceof CommanderError) {
            process.exitCode = e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
            return;
        }
        if (errnoCode(e) === 'EPIPE')
            return;
        const msg = isStrataError(e) ? e.message : e instanceof Error ? e.message : String(e);
        const code = exitCodeFor(e);
        if (jsonWanted(process.argv.slice(2)))
            process.stderr.write(exitErrorJson(code, msg));
        else
            process.stderr.write(`strata: ${msg}\n`);
        if (process.env.STRATA_DEBUG && e instanceof Error)
            process.stderr.write(`${e.stack}\n`);
        process.exitCode = code;
    }
}
process.stdout.on('error', (e) => {
    if (errnoCode(e) === 'EPIPE')
        process.exit(0);
});
void main();
//# sourceMappingURL=main.js.map