// Where a password comes from (docs/encryption.md §7), in restic's order:
// --password-file / --password-command, then STRATA_PASSWORD_FILE /
// STRATA_PASSWORD_COMMAND, then STRATA_PASSWORD, then a prompt on a terminal
// (without echo; asked twice when a new password is being set), else one
// clear E_NO_PASSWORD error that names every way to give one.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { StrataError, errnoCode } from '../errors.js';
const WAYS_ENV = '--password-file FILE, --password-command CMD, STRATA_PASSWORD_FILE, STRATA_PASSWORD_COMMAND, STRATA_PASSWORD, or a terminal to type it on';
/** Strips one trailing "\n" or "\r\n" (a password file's or a command's last line end). */
export function stripNewline(s) {
    return s.endsWith('\r\n') ? s.slice(0, -2) : s.endsWith('\n') ? s.slice(0, -1) : s;
}
function nonEmpty(pw, from) {
    if (pw.length === 0)
        throw new StrataError('E_NO_PASSWORD', `empty password from ${from}`);
    return pw;
}
/** The password in `file`: its content as UTF-8, without one trailing line end. */
export function passwordFromFile(file) {
    let text;
    try {
        text = fs.readFileSync(file, 'utf8');
    }
    catch (e) {
        throw new StrataError('E_NO_PASSWORD', `cannot read password file ${file}: ${errnoCode(e) ?? String(e)}`, { cause: e });
    }
    return nonEmpty(stripNewline(text), `password file ${file}`);
}
/**
 * The password printed by `command` (run with /bin/sh -c; its stdin and stderr
 * are this process's, so it can ask on the terminal): its standard output
 * without one trailing line end. A failing command is E_NO_PASSWORD.
 */
export function passwordFromCommand(command) {
    const r = spawnSync('/bin/sh', ['-c', command], { stdio: ['inherit', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
    if (r.error)
        throw new StrataError('E_NO_PASSWORD', `password command ${JSON.stringify(command)} could not run: ${r.error.message}`, { cause: r.error });
    if (r.status !== 0) {
        const how = r.signal ? `killed by ${r.signal}` : `exit status ${r.status}`;
        throw new StrataError('E_NO_PASSWORD', `password command ${JSON.stringify(command)} failed (${how})`);
    }
    return nonEmpty(stripNewline(r.stdout.toString('utf8')), `password command ${JSON.stringify(command)}`);
}
/** Resolves a password from the first source given; see the header for the order. */
export async function getPassword(req) {
    const flags = req.flags ?? { file: '--password-file', command: '--password-command' };
    if (req.file !== undefined && req.command !== undefined)
        throw new StrataError('E_USAGE', `${flags.file} and ${flags.command} cannot be used together`);
    if (req.file !== undefined)
        return { password: passwordFromFile(req.file), source: 'file' };
    if (req.command !== undefined)
        return { password: passwordFromCommand(req.command), source: 'command' };
    const env = req.env;
    if (env) {
        const file = env.STRATA_PASSWORD_FILE || undefined;
        const command = env.STRATA_PASSWORD_COMMAND || undefined;
        if (file !== undefined && command !== undefined)
            throw new StrataError('E_USAGE', 'STRATA_PASSWORD_FILE and STRATA_PASSWORD_COMMAND cannot be used together');
        if (file !== undefined)
            return { password: passwordFromFile(file), source: 'file' };
        if (command !== undefined)
            return { password: passwordFromCommand(command), source: 'command' };
        if (env.STRATA_PASSWORD !== undefined && env.STRATA_PASSWORD !== '')
            return { password: env.STRATA_PASSWORD, source: 'env' };
    }
    const tty = req.tty === undefined ? defaultTty() : req.tty;
    if (!tty) {
        const ways = env ? WAYS_ENV : `${flags.file} FILE, ${flags.command} CMD, or a terminal to type it on`;
        throw new StrataError('E_NO_PASSWORD', `no password given and no terminal to ask on: use ${ways}`);
    }
    const prompt = req.prompt ?? 'enter password for repository: ';
    const first = await promptHidden(tty, prompt);
    nonEmpty(first, 'the prompt');
    if (req.confirm) {
        const again = await promptHidden(tty, 'enter the same password again: ');
        if (again !== first)
            throw new StrataError('E_PASSWORD_MISMATCH', 'the two passwords typed differ; nothing was changed');
    }
    return { password: first, source: 'prompt' };
}
function defaultTty() {
    return process.stdin.isTTY && process.stderr.isTTY ? { input: process.stdin, output: process.stderr } : null;
}
/**
 * Reads one line from a terminal in raw mode, echoing nothing. Backspace
 * erases a character; Ctrl-C is E_ABORTED; Ctrl-D on an empty line is E_NO_PASSWORD.
 */
export function promptHidden(tty, prompt) {
    const { input, output } = tty;
    return new Promise((resolve, reject) => {
        let bytes = [];
        const wasRaw = input.isRaw;
        // raw mode before the prompt shows: what is typed once it is visible is
        // never echoed, and Ctrl-C reaches us rather than the terminal's SIGINT
        input.setRawMode(true);
        input.resume();
        output.write(prompt);
        const finish = (err, value) => {
            input.removeListener('data', onData);
            input.removeListener('end', onEnd);
            input.setRawMode(wasRaw);
            input.pause();
            output.write('\n');
            if (err)
                reject(err);
            else
                resolve(value);
        };
        const onData = (chunk) => {
            for (const b of chunk) {
                if (b === 0x0d || b === 0x0a)
                    return finish(null, Buffer.from(bytes).toString('utf8'));
                if (b === 0x03)
                    return finish(new StrataError('E_ABORTED', 'interrupted at the password prompt'));
                if (b === 0x04 && bytes.length === 0)
                    return finish(new StrataError('E_NO_PASSWORD', 'no password typed (end of input)'));
                if (b === 0x7f || b === 0x08) {
                    // drop one UTF-8 character: its continuation bytes, then its lead byte
                    while (bytes.length > 0 && (bytes[bytes.length - 1] & 0xc0) === 0x80)
                        bytes.pop();
                    bytes.pop();
                }
                else if (b >= 0x20 || b === 0x09)
                    bytes.push(b);
            }
        };
        const onEnd = () => finish(new StrataError('E_NO_PASSWORD', 'no password typed (end of input)'));
        input.on('data', onData);
        input.on('end', onEnd);
    });
}
//# sourceMappingURL=password.js.map