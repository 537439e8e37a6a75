// src/crypto/password.ts, driven through a tiny probe process
// (test/crypto/fixtures/password-probe.ts): every source, their precedence,
// failures named clearly, and the terminal prompt (under `script`, a real pty):
// no echo, asked twice when confirming, mismatch and Ctrl-C.
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const PROBE = fileURLToPath(new URL('./fixtures/password-probe.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STRATA_PASSWORD')));

interface Result {
  hex?: string;
  source?: string;
  code?: string;
  message?: string;
}

/** Runs the probe with no terminal (stdin a pipe) and returns its JSON line. */
function probe(args: string[], env: Record<string, string> = {}): Result {
  const r = spawnSync(process.execPath, ['--import', 'tsx', PROBE, ...args], {
    cwd: ROOT,
    env: { ...CLEAN_ENV, ...env },
    input: '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Result;
  } catch {
    throw new Error(`probe printed ${JSON.stringify(r.stdout)} stderr ${JSON.stringify(r.stderr)}`);
  }
}

function tmpDir(t: import('ava').ExecutionContext): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-pw-'));
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

test('password file: flag and STRATA_PASSWORD_FILE; one trailing newline stripped, inner spaces kept', (t) => {
  const d = tmpDir(t);
  const f = path.join(d, 'pw');
  fs.writeFileSync(f, ' two words \n', { mode: 0o600 });
  t.deepEqual(probe(['--password-file', f]), { hex: hex(' two words '), source: 'file' });
  t.deepEqual(probe([], { STRATA_PASSWORD_FILE: f }), { hex: hex(' two words '), source: 'file' });
  fs.writeFileSync(f, 'crlf\r\n');
  t.is(probe(['--password-file', f]).hex, hex('crlf'));
  fs.writeFileSync(f, 'päss\n\n');
  t.is(probe(['--password-file', f]).hex, hex('päss\n'), 'only one line end is stripped');
});

test('password file failures: missing, empty', (t) => {
  const d = tmpDir(t);
  const missing = path.join(d, 'nope');
  t.like(probe(['--password-file', missing]), { code: 'E_NO_PASSWORD', message: `cannot read password file ${missing}: ENOENT` });
  const empty = path.join(d, 'empty');
  fs.writeFileSync(empty, '\n');
  t.like(probe([], { STRATA_PASSWORD_FILE: empty }), { code: 'E_NO_PASSWORD', message: `empty password from password file ${empty}` });
});

test('password command: flag and STRATA_PASSWORD_COMMAND; a failing command is named', (t) => {
  t.deepEqual(probe(['--password-command', 'printf "from cmd\\n"']), { hex: hex('from cmd'), source: 'command' });
  t.deepEqual(probe([], { STRATA_PASSWORD_COMMAND: 'echo env-cmd' }), { hex: hex('env-cmd'), source: 'command' });
  t.like(probe(['--password-command', 'echo x; exit 3']), { code: 'E_NO_PASSWORD', message: 'password command "echo x; exit 3" failed (exit status 3)' });
  t.like(probe(['--password-command', 'true']), { code: 'E_NO_PASSWORD', message: 'empty password from password command "true"' });
});

test('STRATA_PASSWORD, and the order: flags, then file/command variables, then STRATA_PASSWORD', (t) => {
  const d = tmpDir(t);
  const f = path.join(d, 'pw');
  fs.writeFileSync(f, 'from-file');
  t.deepEqual(probe([], { STRATA_PASSWORD: 'from-env' }), { hex: hex('from-env'), source: 'env' });
  t.is(probe([], { STRATA_PASSWORD: 'from-env', STRATA_PASSWORD_FILE: f }).hex, hex('from-file'));
  t.is(probe(['--password-command', 'echo flag'], { STRATA_PASSWORD_FILE: f, STRATA_PASSWORD: 'e' }).hex, hex('flag'));
  t.like(probe(['--password-file', f, '--password-command', 'echo x']), { code: 'E_USAGE', message: '--password-file and --password-command cannot be used together' });
  t.like(probe([], { STRATA_PASSWORD_FILE: f, STRATA_PASSWORD_COMMAND: 'echo x' }), { code: 'E_USAGE' });
});

test('no password and no terminal: one clear error naming every way to give one', (t) => {
  const r = probe([]);
  t.is(r.code, 'E_NO_PASSWORD');
  t.is(r.message, 'no password given and no terminal to ask on: use --password-file FILE, --password-command CMD, STRATA_PASSWORD_FILE, STRATA_PASSWORD_COMMAND, STRATA_PASSWORD, or a terminal to type it on');
  // a new password (key add/passwd) never comes from the repository's variables
  const n = probe(['--new'], { STRATA_PASSWORD: 'old' });
  t.like(n, { code: 'E_NO_PASSWORD', message: 'no password given and no terminal to ask on: use --new-password-file FILE, --new-password-command CMD, or a terminal to type it on' });
  const d = tmpDir(t);
  fs.writeFileSync(path.join(d, 'new'), 'newpw\n');
  t.is(probe(['--new', '--new-password-file', path.join(d, 'new')], { STRATA_PASSWORD: 'old' }).hex, hex('newpw'));
});

/**
 * Runs the probe on a pseudo-terminal (util-linux `script`), typing `lines`
 * one after the other, each once the prompt before it has appeared.
 */
function onTerminal(t: import('ava').ExecutionContext, args: string[], inputs: string[]): Promise<string> {
  const cmd = [process.execPath, '--import', 'tsx', PROBE, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qefc', cmd, '/dev/null'], { cwd: ROOT, env: CLEAN_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let prompts = 0;
  const pending = [...inputs];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout; output so far: ${JSON.stringify(out)}`)), 60_000);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      const seen = (out.match(/password[^:\n]*: /g) ?? []).length;
      while (prompts < seen && pending.length > 0) {
        prompts++;
        child.stdin.write(pending.shift()!);
      }
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

const lastJson = (out: string): Result => JSON.parse(out.trim().split(/\r?\n/).filter((l) => l.startsWith('{')).pop()!) as Result;

test('terminal prompt: the password is not echoed; confirm asks twice', async (t) => {
  const out = await onTerminal(t, ['--confirm'], ['typed-s3cret\r', 'typed-s3cret\r']);
  t.deepEqual(lastJson(out), { hex: hex('typed-s3cret'), source: 'prompt' });
  t.false(out.includes('typed-s3cret'), `echoed: ${JSON.stringify(out)}`);
  t.true(out.includes('enter password for repository: '));
  t.true(out.includes('enter the same password again: '));
});

test('terminal prompt: backspace edits, a mismatch changes nothing, Ctrl-C aborts', async (t) => {
  t.is(lastJson(await onTerminal(t, [], ['abx\x7fc\r'])).hex, hex('abc'));
  t.like(lastJson(await onTerminal(t, ['--confirm'], ['one\r', 'two\r'])), { code: 'E_PASSWORD_MISMATCH' });
  t.like(lastJson(await onTerminal(t, [], ['ab\x03'])), { code: 'E_ABORTED' });
  t.like(lastJson(await onTerminal(t, [], ['\r'])), { code: 'E_NO_PASSWORD', message: 'empty password from the prompt' });
});
