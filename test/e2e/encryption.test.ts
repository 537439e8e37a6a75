// Encryption at rest through the CLI (docs/format.md §11): nothing readable in
// the repository, every password source, the key commands, wrong passwords,
// --no-encryption, and tampering detected and named, never restored as data.
import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { json, ok, strata, tmpDir, treeDiff, writeTree } from '../helpers/cli.js';
import { EXIT } from '../../src/cli/exit-codes.js';

const MARK = { content: 'QXCONTENTMARKER', name: 'QXNAMEMARKER', dir: 'QXSOURCEMARKER' };
const NOPW = { STRATA_PASSWORD: '', STRATA_PASSWORD_FILE: '', STRATA_PASSWORD_COMMAND: '' };

/** Every regular file under `dir` (relative paths). */
function allFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...allFiles(dir, r));
    else if (e.isFile()) out.push(r);
  }
  return out.sort();
}

/** Files of the repository whose raw bytes contain any marker (also UTF-16 and hex forms would be plaintext; the raw form is what leaks). */
function leaks(repo: string): string[] {
  const hits: string[] = [];
  for (const f of allFiles(repo)) {
    const b = fs.readFileSync(path.join(repo, f));
    for (const m of Object.values(MARK)) if (b.includes(Buffer.from(m))) hits.push(`${f}: ${m}`);
  }
  return hits;
}

/** A source tree with markers in contents, file names and its own path; compression off so plaintext would show. */
function markedSource(t: ExecutionContext): string {
  const src = path.join(tmpDir(t), `src-${MARK.dir}`);
  writeTree(src, {
    [`${MARK.name}.txt`]: `secret ${MARK.content} text\n`.repeat(50),
    [`sub/${MARK.name}-2.bin`]: Buffer.from(`${MARK.content}`.repeat(3000)),
    'plain.txt': 'nothing to see\n',
  });
  return src;
}

function initRepo(t: ExecutionContext, args: string[] = [], env: NodeJS.ProcessEnv = {}): string {
  const repo = path.join(tmpDir(t, 'strata-repo-'), 'repo');
  ok(t, ['init', '--repo', repo, '--compression', '0', ...args], { env });
  return repo;
}

test('no marker of contents, names or the source path appears in any repository file; restore gives the bytes back', (t) => {
  const src = markedSource(t);
  const repo = initRepo(t);
  ok(t, ['snapshot', src], { repo });
  fs.appendFileSync(path.join(src, `${MARK.name}.txt`), 'more\n');
  ok(t, ['snapshot', src], { repo });
  t.true(fs.readdirSync(path.join(repo, 'keys')).length === 1);
  t.deepEqual(leaks(repo), []);
  const out = path.join(tmpDir(t), 'out');
  ok(t, ['restore', 'latest', '--target', out], { repo });
  t.deepEqual(treeDiff(src, out), []);
  const snaps = json(t, ['snapshots'], { repo });
  t.is(snaps.length, 2);
  t.is(snaps[0].source, fs.realpathSync(src));
  ok(t, ['check', '--read-data'], { repo });
  // the control: the same tree in a --no-encryption repository does show the markers, so the grep can fail
  const plain = initRepo(t, ['--no-encryption'], NOPW);
  ok(t, ['snapshot', src], { repo: plain, env: NOPW });
  t.true(leaks(plain).length >= 3, leaks(plain).join('\n'));
});

test('--no-encryption works without any password; a password-less open of an encrypted repository names the ways to give one', (t) => {
  const src = markedSource(t);
  const plain = initRepo(t, ['--no-encryption'], NOPW);
  t.false(fs.existsSync(path.join(plain, 'keys')));
  t.is(JSON.parse(fs.readFileSync(path.join(plain, 'config'), 'utf8')).encryption, 'none');
  ok(t, ['snapshot', src], { repo: plain, env: NOPW });
  const out = path.join(tmpDir(t), 'out');
  ok(t, ['restore', 'latest', '--target', out], { repo: plain, env: NOPW });
  t.deepEqual(treeDiff(src, out), []);
  const k = strata(['key', 'list'], { repo: plain, env: NOPW });
  t.is(k.code, 2);
  t.regex(k.stderr, /not encrypted/);

  const enc = initRepo(t);
  const r = strata(['snapshots'], { repo: enc, env: NOPW, input: '' });
  t.is(r.code, 1);
  t.regex(r.stderr, /^strata: no password given and no terminal to ask on: use --password-file FILE, --password-command CMD, STRATA_PASSWORD_FILE, STRATA_PASSWORD_COMMAND, STRATA_PASSWORD/m);
  const r2 = path.join(tmpDir(t), 'r2');
  const i = strata(['init', '--repo', r2], { env: NOPW, input: '' });
  t.is(i.code, 1);
  t.regex(i.stderr, /no password given/);
  t.false(fs.existsSync(r2)); // the password is asked for before anything is created
});

test('every password source opens the repository; a wrong password is one line, exit 12, and nothing is written', (t) => {
  const dir = tmpDir(t);
  const pwFile = path.join(dir, 'pw');
  fs.writeFileSync(pwFile, 'correct horse\n');
  const repo = initRepo(t, ['--password-file', pwFile], NOPW);
  const src = markedSource(t);
  ok(t, ['snapshot', src, '--password-file', pwFile], { repo, env: NOPW });
  const sources: [string, string[], NodeJS.ProcessEnv][] = [
    ['--password-file', ['--password-file', pwFile], NOPW],
    ['--password-command', ['--password-command', `cat '${pwFile}'`], NOPW],
    ['STRATA_PASSWORD_FILE', [], { ...NOPW, STRATA_PASSWORD_FILE: pwFile }],
    ['STRATA_PASSWORD_COMMAND', [], { ...NOPW, STRATA_PASSWORD_COMMAND: 'printf "correct horse"' }],
    ['STRATA_PASSWORD', [], { ...NOPW, STRATA_PASSWORD: 'correct horse' }],
  ];
  for (const [what, args, env] of sources) {
    const r = strata(['snapshots', '--json', ...args], { repo, env });
    t.is(r.code, 0, `${what}: ${r.stderr}`);
    t.is(JSON.parse(r.stdout).length, 1, what);
  }
  const before = allFiles(repo).join('\n');
  for (const [what, env] of [
    ['STRATA_PASSWORD', { ...NOPW, STRATA_PASSWORD: 'wrong' }],
    ['STRATA_PASSWORD_COMMAND', { ...NOPW, STRATA_PASSWORD_COMMAND: 'echo nope' }],
  ] as const) {
    const r = strata(['snapshot', src], { repo, env });
    t.is(r.code, 12, what);
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    t.regex(r.stderr, /^strata: wrong password/);
  }
  t.is(allFiles(repo).join('\n'), before);
  const failing = strata(['snapshots', '--password-command', 'exit 3'], { repo, env: NOPW });
  t.is(failing.code, 1);
  t.regex(failing.stderr, /password command "exit 3" failed/);
  const both = strata(['snapshots', '--password-command', 'true', '--password-file', pwFile], { repo, env: NOPW });
  t.is(both.code, 2);
});

test('key list/add/passwd/remove: several passwords, never the key in use, the old password stops working', (t) => {
  const dir = tmpDir(t);
  const pw2 = path.join(dir, 'pw2');
  const pw3 = path.join(dir, 'pw3');
  fs.writeFileSync(pw2, 'second password\n');
  fs.writeFileSync(pw3, 'third password\n');
  const repo = initRepo(t);
  const src = markedSource(t);
  ok(t, ['snapshot', src], { repo });
  const first = json(t, ['key', 'list'], { repo });
  t.is(first.length, 1);
  t.true(first[0].current);
  t.regex(first[0].kdf, /^scrypt N=2\^14 r=8 p=1$/);

  const added = json(t, ['key', 'add', '--new-password-file', pw2], { repo }).added as string;
  const two = json(t, ['key', 'list'], { repo });
  t.is(two.length, 2);
  t.deepEqual(two.filter((k: any) => k.current).map((k: any) => k.id), [first[0].id]);
  const as2 = json(t, ['key', 'list', '--password-file', pw2], { repo, env: NOPW });
  t.deepEqual(as2.filter((k: any) => k.current).map((k: any) => k.id), [added]);
  t.is(json(t, ['snapshots', '--password-file', pw2], { repo, env: NOPW }).length, 1);

  // the key in use cannot be removed; another can; an unknown one is a usage error
  const self = strata(['key', 'remove', first[0].id.slice(0, 10)], { repo });
  t.is(self.code, 2);
  t.regex(self.stderr, /is the key in use/);
  t.is(strata(['key', 'remove', 'abcdef0123'], { repo }).code, 2);
  json(t, ['key', 'remove', added.slice(0, 12)], { repo });
  t.is(json(t, ['key', 'list'], { repo }).length, 1);
  t.is(strata(['snapshots', '--password-file', pw2], { repo, env: NOPW }).code, 12);

  // passwd replaces the key in use: the old password no longer opens, the new one does, data untouched
  const packs = allFiles(path.join(repo, 'packs')).join('\n');
  const ch = json(t, ['key', 'passwd', '--new-password-file', pw3], { repo });
  t.is(ch.removed, first[0].id);
  t.is(strata(['snapshots'], { repo }).code, 12);
  const after = json(t, ['key', 'list', '--password-file', pw3], { repo, env: NOPW });
  t.is(after.length, 1);
  t.true(after[0].current);
  t.is(allFiles(path.join(repo, 'packs')).join('\n'), packs);
  const out = path.join(tmpDir(t), 'out');
  ok(t, ['restore', 'latest', '--target', out, '--password-file', pw3], { repo, env: NOPW });
  t.deepEqual(treeDiff(src, out), []);
  // the last key (also the key in use) cannot be removed
  const last = strata(['key', 'remove', after[0].id, '--password-file', pw3], { repo, env: NOPW });
  t.is(last.code, 2);
  t.regex(last.stderr, /key in use|last key/);
});

/** Flip one bit at `at` (negative: from the end). */
function flipBit(file: string, at: number): void {
  const b = fs.readFileSync(file);
  const i = at < 0 ? b.length + at : at;
  b[i]! ^= 0x10;
  fs.writeFileSync(file, b);
}

test('tampering: a flipped bit in a pack, an edited table, a truncated manifest, a replaced index segment, an edited key are detected and named', (t) => {
  const src = markedSource(t);
  const repo = initRepo(t);
  ok(t, ['snapshot', src], { repo });
  writeTree(src, { 'second.txt': 'another file for the second snapshot\n' });
  const s2 = json(t, ['snapshot', src], { repo });

  // a flipped bit inside the sealed blob of the big file (data packs hold data blobs only)
  const dataPack = allFiles(path.join(repo, 'packs'))
    .map((f) => path.join(repo, 'packs', f))
    .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0]!;
  const pristine = fs.readFileSync(dataPack);
  flipBit(dataPack, 200);
  const out = path.join(tmpDir(t), 'out');
  const r = strata(['restore', 'latest', '--target', out], { repo });
  t.not(r.code, 0);
  t.regex(r.stderr, /authentication failed|corrupted/);
  t.regex(r.stderr, new RegExp(path.basename(dataPack).slice(0, 16)));
  const c = strata(['check', '--read-data'], { repo });
  t.is(c.code, 4);
  t.regex(c.stdout + c.stderr, new RegExp(`pack ${path.basename(dataPack).slice(0, 8)}`));
  for (const f of fs.existsSync(out) ? allFiles(out) : []) t.false(fs.readFileSync(path.join(out, f)).includes(Buffer.from('\0\0\0\0\0\0\0\0')), f);

  // an edited pack table (a bit in the sealed table, just before its length): named as such by check
  fs.writeFileSync(dataPack, pristine);
  flipBit(dataPack, -20);
  const c2 = strata(['check'], { repo });
  t.is(c2.code, 4);
  t.regex(c2.stdout + c2.stderr, /entry table fails authentication/);
  fs.writeFileSync(dataPack, pristine);
  // this host's cache dropped the blob the restore found corrupted (so the next snapshot stores it
  // again); a fresh cache ingests the index segments again and sees the pack as it now is: clean
  ok(t, ['check', '--read-data'], { repo, env: { STRATA_CACHE_DIR: tmpDir(t) } });

  // a swapped object: another pack's bytes under this pack's name; its table opens (same key), its blobs do not
  const other = allFiles(path.join(repo, 'packs')).map((f) => path.join(repo, 'packs', f)).find((f) => f !== dataPack)!;
  fs.copyFileSync(other, dataPack);
  const sw = strata(['restore', 'latest', '--target', path.join(tmpDir(t), 'out-swapped')], { repo });
  t.not(sw.code, 0);
  t.regex(sw.stderr, new RegExp(`blob [0-9a-f]{64}.*(authentication failed|corrupted|short read).*|${path.basename(dataPack).slice(0, 16)}`));
  const c4 = strata(['check', '--read-data'], { repo });
  t.is(c4.code, 4);
  t.regex(c4.stdout + c4.stderr, /does not match its name/);
  fs.writeFileSync(dataPack, pristine);

  // a truncated manifest: named by check, left out of the list; the other snapshot stays usable
  const snapFiles = fs.readdirSync(path.join(repo, 'snapshots'));
  const victim = snapFiles.find((f) => f !== s2.id)!;
  const mf = path.join(repo, 'snapshots', victim);
  fs.writeFileSync(mf, fs.readFileSync(mf).subarray(0, 30));
  const c3 = strata(['check'], { repo, env: { STRATA_CACHE_DIR: tmpDir(t) } });
  t.is(c3.code, 4);
  t.regex(c3.stdout + c3.stderr, new RegExp(`snapshots/${victim}`));
  const fresh = { STRATA_CACHE_DIR: tmpDir(t) };
  t.deepEqual(json(t, ['snapshots'], { repo, env: fresh }).map((s: any) => s.id), [s2.id]);
  const out2 = path.join(tmpDir(t), 'out2');
  ok(t, ['restore', s2.id.slice(0, 12), '--target', out2], { repo, env: fresh });
  t.deepEqual(treeDiff(src, out2), []);

  // an index segment replaced by another one's bytes: named, never used as an index
  const segs = fs.readdirSync(path.join(repo, 'index'));
  t.true(segs.length >= 2);
  fs.copyFileSync(path.join(repo, 'index', segs[0]!), path.join(repo, 'index', segs[1]!));
  // the rest stays usable: listed and skipped with one line; check names it; prune refuses until repaired
  const segCache = { STRATA_CACHE_DIR: tmpDir(t) };
  const sg = strata(['snapshots'], { repo, env: segCache });
  t.is(sg.code, 0, sg.stderr);
  t.regex(sg.stderr, new RegExp(`index segment index/${segs[1]} is damaged \\(authentication failed\\); skipped: .*run 'strata repair index'`));
  const sgCheck = strata(['check'], { repo, env: segCache });
  t.not(sgCheck.code, 0);
  t.regex(sgCheck.stdout + sgCheck.stderr, new RegExp(`index/${segs[1]}`));
  const sgPrune = strata(['prune'], { repo, env: segCache });
  t.is(sgPrune.code, EXIT.INDEX);
  t.regex(sgPrune.stderr, /prune refused, nothing was changed: index segment .* is damaged; run 'strata repair index' first/);

  // a key object edited in place: its name no longer matches; with no other key, the open fails and names it
  const keyDir = path.join(repo, 'keys');
  const keyFile = path.join(keyDir, fs.readdirSync(keyDir)[0]!);
  fs.writeFileSync(keyFile, fs.readFileSync(keyFile, 'utf8').replace('"host": "', '"host": "x'));
  const k = strata(['snapshots'], { repo });
  t.is(k.code, 12);
  t.regex(k.stderr, /content does not match its name/);
});
