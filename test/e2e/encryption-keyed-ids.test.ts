// Keyed blob ids (docs/format.md §11.5.1): in an encrypted repository every
// blob is named by keyed BLAKE3 under the master key, while a file's content
// hash stays plain BLAKE3. The same content has different names in two
// repositories; a known file's plain BLAKE3 names nothing in the repository;
// every command still works (one-chunk files, chunk lists, empty files);
// migrate and copy translate ids between repositories whose ids differ.
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashBytes } from '../../src/hash.js';
import { decodeSegment, isSegmentName, segmentName } from '../../src/store/index-segment.js';
import { readPackEntries } from '../../src/store/pack.js';
import { Repository } from '../../src/store/repository.js';
import { json, ok, pseudoRandom, strata, tmpDir, treeDiff, writeTree } from '../helpers/cli.js';

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/format1-repo');
const NOPW = { STRATA_PASSWORD: '', STRATA_PASSWORD_FILE: '', STRATA_PASSWORD_COMMAND: '' };

/** Every blob id a repository knows: its index, its index segments and its pack tables, decrypted through the public API. */
async function allIds(repoPath: string, env: NodeJS.ProcessEnv = {}): Promise<{ ids: Set<string>; repo: { plain: boolean; blobId: (b: Buffer) => string } }> {
  const password = env.STRATA_PASSWORD ?? process.env.STRATA_PASSWORD!;
  const repo = await Repository.open(repoPath, { password: async () => password });
  try {
    const ids = new Set<string>();
    for (const { key } of repo.index.blobRows(undefined, Number.MAX_SAFE_INTEGER)) ids.add(Buffer.from(key).toString('hex'));
    for await (const name of repo.store.list('index/')) {
      if (!isSegmentName(name)) continue;
      const id = name.slice('index/'.length);
      for (const p of decodeSegment(await repo.store.get(segmentName(id)), name, repo.cipher)) for (const e of p.entries) ids.add(e.hash.toString('hex'));
    }
    for await (const name of repo.store.list('packs/')) {
      const size = (await repo.store.size(name))!;
      for (const e of await readPackEntries(name, size, (o, l) => repo.store.get(name, o, l), repo.cipher)) ids.add(e.hash.toString('hex'));
    }
    const ids2 = repo.ids;
    return { ids, repo: { plain: ids2.plain, blobId: (b) => ids2.blobId(b).toString('hex') } };
  } finally {
    await repo.close();
  }
}

const initRepo = (t: Parameters<typeof ok>[0], dir: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): string => {
  ok(t, ['init', '--repo', dir, ...extra], { env });
  return dir;
};

test('the same file in two encrypted repositories has different ids; its plain BLAKE3 names nothing', async (t) => {
  const base = tmpDir(t);
  const src = path.join(base, 'src');
  const known = Buffer.from('a file everybody knows\n'.repeat(50));
  writeTree(src, { 'known.txt': known, 'big.bin': pseudoRandom(3 << 20, 7) });
  const [e1, e2, p1, p2] = ['e1', 'e2', 'p1', 'p2'].map((n) => path.join(base, n));
  // the same chunker parameters everywhere: the same cut points, so only the id function differs
  initRepo(t, p1, ['--no-encryption']);
  initRepo(t, p2, ['--no-encryption', '--copy-chunker-params', '--from-repo', p1]);
  initRepo(t, e1, ['--copy-chunker-params', '--from-repo', p1]);
  initRepo(t, e2, ['--copy-chunker-params', '--from-repo', p1]);
  for (const r of [e1, e2, p1, p2]) ok(t, ['snapshot', src], { repo: r });
  const root = (r: string) => json(t, ['snapshots'], { repo: r })[0].root as string;
  t.is(root(p1), root(p2), 'control: two plaintext repositories name the same tree alike');
  t.not(root(e1), root(e2), 'two encrypted repositories name the same tree differently');
  t.not(root(e1), root(p1));

  const [a, b, p] = [await allIds(e1), await allIds(e2), await allIds(p1)];
  t.false(a.repo.plain);
  t.true(p.repo.plain);
  t.true(a.ids.size >= 3);
  t.deepEqual([...a.ids].filter((id) => b.ids.has(id)), [], 'no blob id in common between the two encrypted repositories');
  t.deepEqual([...a.ids].filter((id) => p.ids.has(id)), [], 'nor with the plaintext one');
  const plainHash = hashBytes(known).toString('hex');
  t.true(p.ids.has(plainHash), 'control: a plaintext repository names the one-chunk file by its plain BLAKE3');
  t.false(a.ids.has(plainHash), "the known file's plain BLAKE3 appears in no index, segment or pack table");
  t.true(a.ids.has(a.repo.blobId(known)), 'it is there under its keyed id');
  // the content hash (ls --json) stays the plain BLAKE3 in both
  const lsHash = (r: string) => json(t, ['ls', 'latest'], { repo: r }).find((e: any) => e.name === 'known.txt').hash;
  t.is(lsHash(e1), plainHash);
  t.is(lsHash(p1), plainHash);
});

test('encrypted: snapshot, restore, cat, diff, find, log and check --read-data with keyed ids; dedup still works', (t) => {
  const base = tmpDir(t);
  const repo = initRepo(t, path.join(base, 'repo'), ['--chunk-avg', String(64 << 10)]);
  const src = path.join(base, 'src');
  const big = pseudoRandom(2 << 20, 3); // ~30 chunks of 64 KiB: a chunk-list blob
  writeTree(src, { 'one.txt': 'one chunk\n', 'empty': '', 'd/big.bin': big, 'd/e/deep.txt': 'deep\n' });
  const s1 = json(t, ['snapshot', src], { repo });
  const out = path.join(base, 'out');
  ok(t, ['restore', 'latest', '--target', out], { repo });
  t.deepEqual(treeDiff(src, out), []);
  t.is(ok(t, ['cat', 'latest:one.txt'], { repo }), 'one chunk\n');
  t.deepEqual(strata(['cat', 'latest:d/big.bin'], { repo }).stdoutBuf, big);
  t.is(ok(t, ['cat', 'latest:empty'], { repo }), '');
  t.is(ok(t, ['diff', 'latest', src], { repo }).trim(), 'no differences', 'the live tree is named with the same keyed ids: nothing differs');

  // dedup: a copy of the big file and an unchanged tree add almost nothing
  fs.copyFileSync(path.join(src, 'd/big.bin'), path.join(src, 'big-copy.bin'));
  fs.writeFileSync(path.join(src, 'one.txt'), 'one chunk, changed\n');
  const s2 = json(t, ['snapshot', src], { repo });
  t.true(s2.bytesAdded < 64 << 10, `the copy deduplicates: ${s2.bytesAdded} bytes added`);
  t.true(s1.bytesAdded > big.length / 2);
  const d = ok(t, ['diff', 'latest~1', 'latest'], { repo });
  t.regex(d, /^M\s+one\.txt\b/m);
  t.regex(d, /^A\s+big-copy\.bin$/m);
  t.notRegex(d, /d\/big\.bin/);
  t.regex(ok(t, ['find', '**/deep.txt'], { repo }), /d\/e\/deep\.txt/);
  const log = json(t, ['log', 'one.txt'], { repo, cwd: src });
  t.deepEqual(log.map((v: any) => v.status), ['added', 'modified']);
  t.is(log[1].hash, hashBytes(Buffer.from('one chunk, changed\n')).toString('hex'), 'log shows the plain content hash');
  t.deepEqual(json(t, ['log', 'd/big.bin'], { repo, cwd: src }).map((v: any) => v.status), ['added'], 'unchanged: one version');
  t.regex(ok(t, ['check', '--read-data'], { repo }), /no integrity problems found/);
  const out2 = path.join(base, 'out2');
  ok(t, ['restore', 'latest', '--target', out2], { repo });
  t.deepEqual(treeDiff(src, out2), []);
});

test('migrate the format 1 fixture into an encrypted repository: translated ids, restores byte-identical', async (t) => {
  const base = tmpDir(t);
  const old = path.join(base, 'old');
  fs.cpSync(FIXTURE, old, { recursive: true });
  const before = path.join(base, 'before');
  ok(t, ['restore', 'latest', '--target', before], { repo: old, env: NOPW });
  const pw = path.join(base, 'pw');
  fs.writeFileSync(pw, 'migrated\n');
  const dst = path.join(base, 'new');
  const m = json(t, ['migrate', '--to', dst, '--new-password-file', pw], { repo: old, env: NOPW });
  t.is(m.snapshots, 1);
  const env = { ...NOPW, STRATA_PASSWORD_FILE: pw };
  const after = path.join(base, 'after');
  ok(t, ['restore', 'latest', '--target', after], { repo: dst, env });
  t.deepEqual(treeDiff(before, after), []);
  t.regex(ok(t, ['check', '--read-data'], { repo: dst, env }), /no integrity problems found/);
  const oldIds = (await allIds(old, { STRATA_PASSWORD: '' })).ids;
  const newIds = (await allIds(dst, { STRATA_PASSWORD: 'migrated' })).ids;
  t.deepEqual([...newIds].filter((id) => oldIds.has(id)), [], 'no blob keeps its plain id');
  t.not(json(t, ['snapshots'], { repo: dst, env })[0].root, json(t, ['snapshots'], { repo: old, env: NOPW })[0].root);
});

test('copy plaintext → encrypted and encrypted → encrypted (another key): translated, byte-identical, deduplicated', (t) => {
  const base = tmpDir(t);
  const src = path.join(base, 'src');
  writeTree(src, { 'a.txt': 'alpha\n', 'sub/b.bin': pseudoRandom(3 << 20, 11), 'sub/empty': '' });
  const plain = initRepo(t, path.join(base, 'plain'), ['--no-encryption']);
  ok(t, ['snapshot', src], { repo: plain });
  writeTree(src, { 'later.txt': 'later\n' });
  ok(t, ['snapshot', src], { repo: plain });
  const enc1 = initRepo(t, path.join(base, 'enc1'), ['--copy-chunker-params', '--from-repo', plain]);
  const c1 = json(t, ['copy', '--from-repo', plain], { repo: enc1 });
  t.is(c1.copied.length, 2);
  t.true(c1.blobs >= 4);
  const again = json(t, ['copy', '--from-repo', plain], { repo: enc1 });
  t.is(again.copied.length, 0, 'copied snapshots are recognised as present');
  t.is(again.skipped, 2);

  const pw2 = 'another password';
  const enc2 = initRepo(t, path.join(base, 'enc2'), [], { STRATA_PASSWORD: pw2 });
  const c2 = json(t, ['copy', '--from-repo', enc1, '--from-password-file', writePw(base, 'pw1', process.env.STRATA_PASSWORD!)], { repo: enc2, env: { STRATA_PASSWORD: pw2 } });
  t.is(c2.copied.length, 2);
  // the second snapshot shares everything but later.txt with the first: translated once
  t.true(c2.blobs <= c1.blobs, `${c2.blobs} blobs for ${c1.blobs}`);
  for (const [r, env] of [
    [enc1, {}],
    [enc2, { STRATA_PASSWORD: pw2 }],
  ] as const) {
    const out = path.join(base, `out-${path.basename(r)}`);
    ok(t, ['restore', 'latest', '--target', out], { repo: r, env });
    t.deepEqual(treeDiff(src, out), []);
    t.regex(ok(t, ['check', '--read-data'], { repo: r, env }), /no integrity problems found/);
  }
  const roots = [plain, enc1].map((r) => json(t, ['snapshots'], { repo: r })[1].root);
  roots.push(json(t, ['snapshots'], { repo: enc2, env: { STRATA_PASSWORD: pw2 } })[1].root);
  t.is(new Set(roots).size, 3, 'each repository names the same tree its own way');
  // a snapshot made in enc1 (the same chunker parameters) of the same source deduplicates against the copied data
  const s = json(t, ['snapshot', src], { repo: enc1 });
  t.true(s.bytesAdded < 64 << 10, `added ${s.bytesAdded}`);
});

function writePw(base: string, name: string, pw: string): string {
  const f = path.join(base, name);
  fs.writeFileSync(f, pw + '\n');
  return f;
}
