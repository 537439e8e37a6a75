// forget, prune, check and repair through the CLI on real files: retention,
// garbage collection, every kind of damage check must name, what repair
// index fixes, file permissions, bad configs, and locking against writers.
import test from 'ava';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { saveManifest, listSnapshots } from '../../src/snapshot/manifest.js';
import { LmdbCache } from '../../src/store/lmdb-cache.js';
import { acquireLock } from '../../src/store/lock.js';
import { Repository } from '../../src/store/repository.js';
import { CLI, duBytes, json, ok, pseudoRandom, strata, tmpDir, treeDiff, writeTree } from '../helpers/cli.js';

/** This test process's cache folder of a repository. */
const cacheOf = (repo: string): string => path.join(process.env.STRATA_CACHE_DIR!, JSON.parse(fs.readFileSync(path.join(repo, 'config'), 'utf8')).id);

/** A repository with small packs and chunks, so a few MB make many packs and blobs. */
async function smallRepo(t: any): Promise<string> {
  const repo = path.join(tmpDir(t, 'strata-repo-'), 'repo');
  const r = await Repository.init(repo, { packSize: 256 << 10, chunker: { min: 16 << 10, avg: 32 << 10, max: 128 << 10 } });
  await r.close();
  return repo;
}

function source(t: any, seed = 1): string {
  const src = path.join(tmpDir(t), 'src');
  writeTree(src, { 'a/big.bin': pseudoRandom(600 << 10, seed), 'a/small.txt': `hello ${seed}\n`, 'b/c/deep.bin': pseudoRandom(300 << 10, seed + 100), 'top.txt': 'top\n' });
  return src;
}

function restoresTo(t: any, repo: string, snap: string, expected: string): void {
  const out = path.join(tmpDir(t), 'out');
  ok(t, ['restore', snap, '--target', out], { repo });
  t.deepEqual(treeDiff(expected, out), [], `snapshot ${snap}`);
}

function copyTree(t: any, src: string): string {
  const d = path.join(tmpDir(t), 'copy');
  fs.cpSync(src, d, { recursive: true });
  return d;
}

const packFiles = (repo: string) => fs.readdirSync(path.join(repo, 'packs'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => path.join(e.parentPath, e.name));

test('forget by policy and by id, then prune frees the data and every kept snapshot restores', async (t) => {
  const repo = await smallRepo(t);
  const src = source(t);
  const v1 = json(t, ['snapshot', src], { repo });
  const copy1 = copyTree(t, src);
  fs.writeFileSync(path.join(src, 'a/big.bin'), pseudoRandom(600 << 10, 77)); // v1's big.bin becomes garbage once v1 goes
  const v2 = json(t, ['snapshot', src], { repo });
  // a hand-made calendar: copies of v2's manifest at other times (same data)
  const r = await Repository.open(repo);
  const base = (await listSnapshots(r)).find((s) => s.id === v2.id)!;
  const { id: _id, ...m } = base;
  for (const time of ['2026-01-01T10:00:00Z', '2026-01-01T18:00:00Z', '2026-01-02T09:00:00Z', '2026-01-09T09:00:00Z']) await saveManifest(r, { ...m, time: new Date(time).toISOString() });
  await r.close();
  t.is(json(t, ['snapshots'], { repo }).length, 6);

  const dry = json(t, ['forget', '--keep-daily', '3', '--dry-run'], { repo: repo, env: { TZ: 'UTC' } });
  t.true(dry.dryRun);
  t.is(dry.groups.length, 1);
  // newest first: v2 & v1 (today, one day), Jan 9, Jan 2, then the oldest (counts left? no: 3 used) …
  t.deepEqual(dry.groups[0].keep.map((k: any) => k.reasons), [['daily snapshot'], ['daily snapshot'], ['daily snapshot']]);
  t.is(dry.groups[0].remove.length, 3);
  t.is(json(t, ['snapshots'], { repo }).length, 6, 'dry run removes nothing');

  const done = json(t, ['forget', '--keep-daily', '3'], { repo, env: { TZ: 'UTC' } });
  t.is(done.removed.length, 3);
  t.true(done.removed.includes(v1.id));
  t.is(json(t, ['snapshots'], { repo }).length, 3);
  const before = duBytes(path.join(repo, 'packs'));
  const pr = json(t, ['prune'], { repo });
  t.true(pr.packsDeleted + pr.packsRepacked > 0);
  t.true(pr.bytesFreed >= 500 << 10, `freed ${pr.bytesFreed}`);
  t.true(duBytes(path.join(repo, 'packs')) < before - (500 << 10));
  t.is(json(t, ['prune', '--dry-run'], { repo }).packsDeleted, 0, 'nothing left to delete');
  ok(t, ['check', '--read-data'], { repo });
  restoresTo(t, repo, 'latest', src);

  // forget by id prefix, with --prune
  const left = json(t, ['snapshots'], { repo });
  const byId = json(t, ['forget', left[0].id.slice(0, 10), '--prune'], { repo });
  t.deepEqual(byId.removed, [left[0].id]);
  t.truthy(byId.prune);
  t.is(strata(['forget', 'ffff'], { repo }).code, 1);
  t.is(strata(['forget'], { repo }).code, 2);
  t.is(strata(['forget', left[1].id, '--keep-last', '1'], { repo }).code, 2);
  void copy1;
});

test('prune repacks mostly-dead packs and keeps shared data', async (t) => {
  const repo = await smallRepo(t);
  const src = path.join(tmpDir(t), 'src');
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 40; i++) files[`f${i}.bin`] = pseudoRandom(40 << 10, i + 1);
  writeTree(src, files);
  ok(t, ['snapshot', src], { repo });
  for (let i = 0; i < 40; i += 4) fs.rmSync(path.join(src, `f${i}.bin`)); // 3/4 of each pack stays live…
  for (let i = 1; i < 40; i += 4) fs.rmSync(path.join(src, `f${i}.bin`)); // …now half
  for (let i = 2; i < 40; i += 4) fs.rmSync(path.join(src, `f${i}.bin`)); // …now a quarter: mostly dead
  const keep = json(t, ['snapshot', src], { repo });
  ok(t, ['forget', '--keep-last', '1'], { repo });
  const pr = json(t, ['prune', '--no-repack-small'], { repo });
  t.true(pr.packsRepacked > 0, JSON.stringify(pr));
  t.true(pr.blobsRepacked > 0);
  const high = json(t, ['prune', '--dry-run', '--repack-threshold', '100'], { repo });
  t.is(high.packsRepacked, 0);
  t.is(strata(['prune', '--repack-threshold', '150'], { repo }).code, 2);
  ok(t, ['check', '--read-data'], { repo });
  restoresTo(t, repo, keep.id, src);
});

test('a corrupted byte in a pack: check --read-data names snapshot and path, restore refuses, repair + re-snapshot heals', async (t) => {
  const repo = await smallRepo(t);
  const src = source(t);
  const snap = json(t, ['snapshot', src], { repo });
  // find the pack holding deep.bin's data and flip a byte inside it
  const r = await Repository.open(repo);
  const entries = json(t, ['ls', '-R', 'latest'], { repo });
  const deep = entries.find((e: any) => e.path === 'b/c/deep.bin');
  await r.close();
  const victim = packFiles(repo).find((p) => fs.readFileSync(p).includes(pseudoRandom(300 << 10, 101).subarray(1000, 1064)));
  t.truthy(victim, 'deep.bin is stored uncompressed in some pack');
  const buf = fs.readFileSync(victim!);
  const at = buf.indexOf(pseudoRandom(300 << 10, 101).subarray(1000, 1064));
  buf[at + 10] ^= 0xff;
  fs.chmodSync(victim!, 0o600);
  fs.writeFileSync(victim!, buf);

  t.is(strata(['check'], { repo }).code, 0, 'structure alone is intact');
  const c = strata(['check', '--read-data'], { repo });
  t.is(c.code, 4);
  t.regex(c.stdout, /blob [0-9a-f]+ in pack [0-9a-f]+ is corrupted/);
  t.regex(c.stdout, new RegExp(`snapshot ${snap.id.slice(0, 8)} \\(.*\\): b/c/deep\\.bin: file data [0-9a-f]+: corrupted`));
  const cj = JSON.parse(strata(['check', '--read-data', '--json'], { repo }).stdout);
  t.true(cj.problems.some((p: any) => p.snapshot === snap.id && p.path === 'b/c/deep.bin'));

  const out = path.join(tmpDir(t), 'out');
  const rs = strata(['restore', 'latest', '--target', out], { repo });
  t.not(rs.code, 0);
  t.regex(rs.stderr, /corrupt|not in the index/i); // check --read-data dropped the corrupted blob from the index (issue 11)
  t.false(fs.existsSync(path.join(out, 'b/c/deep.bin')) && fs.readFileSync(path.join(out, 'b/c/deep.bin')).equals(fs.readFileSync(path.join(src, 'b/c/deep.bin'))) === false, 'no wrong bytes under the real name');
  t.is(strata(['cat', 'latest:b/c/deep.bin'], { repo }).code, 4);

  const rep = strata(['repair', 'index', '--read-data'], { repo });
  t.is(rep.code, 4);
  t.regex(rep.stdout, /is corrupted and was left out of the index/);
  const fresh = json(t, ['snapshot', src], { repo }); // stores the dropped chunk again
  t.true(fresh.bytesAdded > 0);
  restoresTo(t, repo, fresh.id, src);
  ok(t, ['forget', snap.id], { repo });
  ok(t, ['check', '--read-data'], { repo });
  void deep;
});

test('a deleted pack: check names the missing pack, snapshots and paths; repair index + re-snapshot heals', async (t) => {
  const repo = await smallRepo(t);
  const src = source(t);
  const s1 = json(t, ['snapshot', src], { repo });
  const victim = packFiles(repo).find((p) => fs.readFileSync(p).includes(pseudoRandom(600 << 10, 1).subarray(5000, 5064)))!;
  fs.rmSync(victim);
  const c = strata(['check'], { repo });
  t.is(c.code, 4);
  t.regex(c.stdout, new RegExp(`pack ${path.basename(victim).slice(0, 16)} is missing \\(\\d+ blobs indexed in it\\)`));
  t.regex(c.stdout, /a\/big\.bin: file data [0-9a-f]+: its pack [0-9a-f]+ is missing/);
  const rs = strata(['restore', 'latest', '--target', path.join(tmpDir(t), 'o')], { repo });
  t.is(rs.code, 4);
  t.regex(rs.stderr, /missing|not in the index/); // check dropped the missing pack's blobs from the index (issue 11)
  t.is(strata(['prune'], { repo }).code, 4, 'prune refuses on a damaged repository');

  const ri = strata(['repair', 'index'], { repo });
  t.is(ri.code, 4, 'repair reports what each snapshot lost (issue 11)');
  t.regex(ri.stdout, /lost data at \d+ path\(s\):\n(\s+.*\n)*\s+a\/big\.bin/);
  const c2 = strata(['check'], { repo });
  t.is(c2.code, 4);
  t.regex(c2.stdout, /a\/big\.bin: file data [0-9a-f]+: not in the index/);
  const s2 = json(t, ['snapshot', src], { repo });
  t.true(s2.bytesAdded > 0, 'the lost chunks are stored again');
  ok(t, ['forget', s1.id], { repo });
  ok(t, ['check', '--read-data'], { repo });
  restoresTo(t, repo, s2.id, src);
});

test('deleted or damaged index segments: reads fail loudly, repair index rebuilds them from the pack trailers', async (t) => {
  const repo = await smallRepo(t);
  const src = source(t);
  const s1 = json(t, ['snapshot', src], { repo });
  const copy1 = copyTree(t, src);
  fs.writeFileSync(path.join(src, 'top.txt'), 'changed\n');
  const s2 = json(t, ['snapshot', src], { repo });

  // every segment gone: no blob is known, which reads say (exit 4), never wrong bytes
  for (const f of fs.readdirSync(path.join(repo, 'index'))) fs.rmSync(path.join(repo, 'index', f));
  const e = strata(['cat', 'latest:top.txt'], { repo });
  t.is(e.code, EXIT.INTEGRITY);
  t.regex(e.stderr, /not in the index/);
  ok(t, ['repair', 'index'], { repo });
  ok(t, ['check', '--read-data'], { repo });
  restoresTo(t, repo, s1.id, copy1);
  restoresTo(t, repo, s2.id, src);

  // a damaged segment is refused with a message naming it (for a fresh cache that has to read it)
  const [seg] = fs.readdirSync(path.join(repo, 'index'));
  const file = path.join(repo, 'index', seg!);
  const b = fs.readFileSync(file);
  b[b.length - 1]! ^= 0xff;
  fs.writeFileSync(file, b);
  fs.rmSync(path.join(process.env.STRATA_CACHE_DIR!, JSON.parse(fs.readFileSync(path.join(repo, 'config'), 'utf8')).id), { recursive: true });
  const e2 = strata(['restore', 'latest', '--target', path.join(tmpDir(t), 'x')], { repo });
  t.is(e2.code, EXIT.INTEGRITY);
  t.regex(e2.stderr, /index segment index\/[0-9a-f]{64} is damaged \(hash mismatch\); skipped: .*; run 'strata repair index'/);
  const rep = ok(t, ['repair', 'index'], { repo });
  t.regex(rep, /index: \d+ index segment\(s\) replaced by \d+/);
  ok(t, ['check', '--read-data'], { repo });
  restoresTo(t, repo, s2.id, src);
  // truncated, read by a fresh cache
  const [seg2] = fs.readdirSync(path.join(repo, 'index'));
  fs.truncateSync(path.join(repo, 'index', seg2!), 50);
  fs.rmSync(path.join(process.env.STRATA_CACHE_DIR!, JSON.parse(fs.readFileSync(path.join(repo, 'config'), 'utf8')).id), { recursive: true });
  t.is(strata(['ls', 'latest'], { repo }).code, EXIT.INTEGRITY);
  ok(t, ['repair', 'index'], { repo });
  ok(t, ['check'], { repo });
});

test('a truncated snapshot file: check says so, repair restores it from the index copy; without one, forget removes it', async (t) => {
  const repo = await smallRepo(t);
  const src = source(t);
  const s1 = json(t, ['snapshot', src], { repo });
  const file = path.join(repo, 'snapshots', s1.id);
  const orig = fs.readFileSync(file);
  fs.truncateSync(file, 40);
  const c = strata(['check'], { repo });
  t.is(c.code, 4);
  t.regex(c.stdout, /snapshot file snapshots\/[0-9a-f]+ is damaged .*intact copy: 'strata repair index' rewrites/);
  const rep = ok(t, ['repair', 'index'], { repo });
  t.regex(rep, new RegExp(`restored snapshot file ${s1.id.slice(0, 8)}`));
  t.true(fs.readFileSync(file).equals(orig));
  ok(t, ['check', '--read-data'], { repo });

  // now with the cache gone too: the snapshot is lost, and said so
  fs.truncateSync(file, 40);
  fs.rmSync(cacheOf(repo), { recursive: true });
  const rep2 = strata(['repair', 'index'], { repo });
  t.is(rep2.code, 4);
  t.regex(rep2.stdout, /snapshot file [0-9a-f]+ is damaged and no intact copy exists/);
  const c2 = strata(['check'], { repo });
  t.is(c2.code, 4);
  t.regex(c2.stdout, /no intact copy remains: the snapshot is lost, remove it with 'strata forget/);
  t.regex(strata(['prune'], { repo }).stderr, /prune refused: snapshot file .* is damaged/);
  ok(t, ['forget', s1.id.slice(0, 12)], { repo });
  ok(t, ['check'], { repo });
  ok(t, ['prune'], { repo });
});

test('an index entry pointing outside its pack is reported', async (t) => {
  const repo = await smallRepo(t);
  const src = source(t);
  ok(t, ['snapshot', src], { repo });
  const idx = new LmdbCache(path.join(cacheOf(repo), 'index'));
  const { key, value } = idx.blobs.getRange({ limit: 1 }).asArray[0]!;
  const v = Buffer.from(value);
  v.writeUInt32LE(50 << 20, 34); // offset far beyond the pack
  await idx.blobs.put(key, v);
  await idx.close();
  const c = strata(['check'], { repo });
  t.is(c.code, 4);
  t.regex(c.stdout, /index entry of blob [0-9a-f]+ points outside pack [0-9a-f]+/);
  ok(t, ['repair', 'index'], { repo });
  ok(t, ['check', '--read-data'], { repo });
});

test('repository and cache files are private: 0600 files, 0700 directories, LMDB included', async (t) => {
  const repo = path.join(tmpDir(t, 'strata-repo-'), 'repo');
  const old = process.umask(0o022);
  try {
    ok(t, ['init'], { repo });
    const src = source(t);
    ok(t, ['snapshot', src], { repo });
    ok(t, ['forget', '--keep-last', '1', '--prune'], { repo });
  } finally {
    process.umask(old);
  }
  const bad: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const mode = fs.statSync(p).mode & 0o777;
      if (e.isDirectory()) {
        if (mode !== 0o700) bad.push(`${p} ${mode.toString(8)}`);
        walk(p);
      } else if (mode !== 0o600) bad.push(`${p} ${mode.toString(8)}`);
    }
  };
  t.is(fs.statSync(repo).mode & 0o777, 0o700);
  walk(repo);
  t.is(fs.statSync(cacheOf(repo)).mode & 0o777, 0o700);
  walk(cacheOf(repo));
  t.deepEqual(bad, []);
  t.true(fs.existsSync(path.join(cacheOf(repo), 'index', 'data.mdb')));
  t.false(fs.existsSync(path.join(repo, 'index', 'data.mdb')));
});

test('another format version or a damaged config is refused clearly', async (t) => {
  const repo = await smallRepo(t);
  const cfg = path.join(repo, 'config');
  const c = JSON.parse(fs.readFileSync(cfg, 'utf8'));
  fs.writeFileSync(cfg, JSON.stringify({ ...c, version: 3 }));
  for (const cmd of [['snapshots'], ['check'], ['prune'], ['repair', 'index']]) {
    const r = strata(cmd, { repo });
    t.is(r.code, EXIT.BAD_REPO, cmd.join(' '));
    t.regex(r.stderr, /format version 3 is not supported/);
  }
  fs.writeFileSync(cfg, '{"format": "strata", "vers');
  const r = strata(['check'], { repo });
  t.is(r.code, EXIT.BAD_REPO);
  t.regex(r.stderr, /repository config is damaged/);
});

test('locks: prune refuses while a writer holds a fresh lock, ignores stale ones, and a broken writer cannot commit', async (t) => {
  const repo = await smallRepo(t);
  const src = source(t);
  ok(t, ['snapshot', src], { repo });
  const r = await Repository.open(repo);
  const shared = await acquireLock(r.store, { exclusive: false, command: 'test-writer' });
  const p = strata(['prune'], { repo });
  t.is(p.code, EXIT.LOCKED);
  t.regex(p.stderr, /repository is locked: shared lock by test-writer \(pid \d+/);
  ok(t, ['snapshot', src], { repo }); // shared with shared is fine
  await shared.release();
  // a dead process's lock on this host, and an old one from elsewhere: both stale
  const dead = await acquireLock(r.store, { exclusive: true, command: 'crashed', info: { pid: 2 ** 22 + 12345 } });
  void dead;
  const old = await acquireLock(r.store, { exclusive: false, command: 'sleepy', info: { host: 'elsewhere', time: '2020-01-01T00:00:00Z' } });
  r.lock = old;
  ok(t, ['prune'], { repo });
  t.deepEqual(fs.readdirSync(path.join(repo, 'locks')), [], 'stale locks were removed');
  // the sleepy writer wakes up and tries to commit: refused, its lock was broken
  const base = (await listSnapshots(r))[0]!;
  const { id: _i, ...m } = base;
  const err = await t.throwsAsync(saveManifest(r, { ...m, time: new Date().toISOString() }));
  t.is((err as any).code, 'E_LOCKED');
  t.regex(err!.message, /lost the repository lock/);
  r.lock = null;
  await r.close();
  t.is(json(t, ['snapshots'], { repo }).length, 2);
});

test('prune running against a concurrent snapshot writer loses nothing', async (t) => {
  const repo = await smallRepo(t);
  const src = source(t);
  const copies = new Map<string, string>();
  const run = (args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((resolve) => {
      const c = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, STRATA_REPO: repo, STRATA_LOCK_WAIT: '60' } });
      let out = '';
      let err = '';
      c.stdout.on('data', (d) => (out += d));
      c.stderr.on('data', (d) => (err += d));
      c.on('close', (code) => resolve({ code: code ?? -1, out, err }));
    });
  let writing = true;
  const writer = (async () => {
    for (let i = 0; i < 8; i++) {
      writeTree(src, { [`gen/f${i}.bin`]: pseudoRandom(100 << 10, 1000 + i), 'a/small.txt': `round ${i}\n` });
      if (i % 2) fs.rmSync(path.join(src, `gen/f${i - 1}.bin`));
      const snapshotCopy = copyTree(t, src);
      const r = await run(['snapshot', src, '--json']);
      t.is(r.code, 0, r.err);
      copies.set(JSON.parse(r.out).id, snapshotCopy);
    }
    writing = false;
  })();
  let prunes = 0;
  while (writing) {
    const f = await run(['forget', '--keep-last', '3', '--prune', '--retry-lock', '60s']);
    t.is(f.code, 0, f.err);
    prunes++;
  }
  await writer;
  t.true(prunes >= 2, `prunes ${prunes}`);
  ok(t, ['prune'], { repo });
  ok(t, ['check', '--read-data'], { repo });
  const left = json(t, ['snapshots'], { repo });
  t.true(left.length >= 3);
  for (const s of left) restoresTo(t, repo, s.id, copies.get(s.id)!);
});

test('prune removes temporary files of killed writers older than an hour, and nothing else', async (t) => {
  const repo = await smallRepo(t);
  const src = source(t);
  ok(t, ['snapshot', src], { repo });
  const hourAgo = new Date(Date.now() - 2 * 3600_000);
  const shard = path.dirname(packFiles(repo)[0]!);
  const old = [path.join(repo, '.tmp-0123456789ab'), path.join(shard, '.tmp-0123456789ab'), path.join(repo, 'snapshots', '.tmp-0123456789ab')];
  for (const f of old) {
    fs.writeFileSync(f, Buffer.alloc(1000, 7));
    fs.utimesSync(f, hourAgo, hourAgo);
  }
  const fresh = path.join(repo, '.tmp-fedcba987654');
  fs.writeFileSync(fresh, 'being written');
  const r = strata(['prune', '--json'], { repo });
  t.is(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  t.is(s.tempFilesRemoved, 3);
  t.is(s.tempBytesRemoved, 3000);
  for (const f of old) t.false(fs.existsSync(f), f);
  t.true(fs.existsSync(fresh), 'a recent temporary file may belong to a writer: kept');
  ok(t, ['check', '--read-data'], { repo });
  restoresTo(t, repo, 'latest', src);
});
