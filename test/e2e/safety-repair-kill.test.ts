// Issue 11, item 3: kill -9 of `repair index` and `repair snapshots` at every
// fault point (STRATA_FAULT_POINT=repair:k, src/fault.ts). Each round starts
// from a fresh copy of one damaged repository: a pack with a flipped table
// byte (rebuilt byte for byte), a truncated pack (salvaged into a new pack,
// the old one deleted after the swap) and a damaged snapshot file (restored
// from the cache's copy). After every kill: every command either works on the
// previous state or refuses clearly (exit 14, "repair index"), never on a
// partial index: every pack an index segment lists is still there (new
// segments are durable before old ones go, damaged packs go last); and a
// repair run to the end then gives exactly what an uninterrupted repair gives.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { decodeSegment, isSegmentName } from '../../src/store/index-segment.js';
import { packObjectName } from '../../src/store/pack.js';
import { Repository } from '../../src/store/repository.js';
import { CLI, json, ok, pseudoRandom, strata, tmpDir, treeDiff, writeTree } from '../helpers/cli.js';

const packFiles = (repo: string) =>
  fs
    .readdirSync(path.join(repo, 'packs'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);

function killedAt(args: string[], repo: string, k: number) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, STRATA_REPO: repo, STRATA_FAULT_POINT: `repair:${k}` }, timeout: 120_000 });
  return { killed: r.signal === 'SIGKILL', code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

async function damagedRepo(t: any): Promise<{ repo: string; b: string; bSnap: string }> {
  const repo = path.join(tmpDir(t, 'strata-rk-'), 'repo');
  const r = await Repository.init(repo, { packSize: 400 << 10, chunker: { min: 16 << 10, avg: 32 << 10, max: 128 << 10 } });
  await r.close();
  const a = path.join(tmpDir(t), 'a');
  const b = path.join(tmpDir(t), 'b');
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 10; i++) files[`d${i % 3}/f${i}.bin`] = pseudoRandom(150 << 10, 10 + i);
  writeTree(a, files);
  writeTree(b, { 'b.txt': 'the other source\n' });
  ok(t, ['snapshot', a], { repo });
  fs.writeFileSync(path.join(a, 'later.txt'), 'later\n');
  ok(t, ['snapshot', a], { repo });
  const bSnap = json(t, ['snapshot', b], { repo }).id;
  const packs = packFiles(repo);
  t.true(packs.length >= 3, `${packs.length} packs`);
  // 1. a flipped byte in the first pack's table (an entry's hash)
  const p0 = packs[0]!;
  fs.chmodSync(p0, 0o600);
  const buf = fs.readFileSync(p0);
  const n = buf.readUInt32LE(buf.length - 44);
  buf[buf.length - 44 - 48 * n + 5] ^= 0x10;
  fs.writeFileSync(p0, buf);
  // 2. the second pack truncated to 70 %
  fs.chmodSync(packs[1]!, 0o600);
  fs.truncateSync(packs[1]!, Math.floor(fs.statSync(packs[1]!).size * 0.7));
  // 3. a damaged snapshot file (the index holds an intact copy)
  const snapFile = path.join(repo, 'snapshots', bSnap);
  fs.chmodSync(snapFile, 0o600);
  fs.writeFileSync(snapFile, '{ damaged');
  return { repo, b, bSnap };
}

/** What a complete repair leaves: per snapshot source+time, the paths `repair snapshots` would drop. */
function outcome(t: any, repo: string): string {
  const snaps = json(t, ['snapshots'], { repo });
  const dry = JSON.parse(strata(['repair', 'snapshots', '--dry-run', '--json'], { repo }).stdout);
  return JSON.stringify({ snaps: snaps.map((s: any) => `${s.source} ${s.time}`).sort(), lost: dry.snapshots.map((s: any) => `${s.time}: ${s.dropped.join(',')}`).sort() });
}

function afterKill(t: any, repo: string, what: string): void {
  const r = strata(['snapshots', '--json'], { repo });
  if (r.code === EXIT.INDEX) {
    t.regex(r.stderr, /repair index/, `${what}: the refusal points at repair index`);
    t.is(r.stderr.trim().split('\n').length, 1);
    return;
  }
  t.is(r.code, EXIT.OK, `${what}: ${r.stderr}`);
  // accepted: then the segments are whole (the previous set, both side by side, or the new one), never
  // a set that lists a pack already deleted
  for (const f of fs.readdirSync(path.join(repo, 'index'))) {
    if (!isSegmentName(`index/${f}`)) continue;
    for (const p of decodeSegment(fs.readFileSync(path.join(repo, 'index', f)), `index/${f}`)) {
      t.true(fs.existsSync(path.join(repo, packObjectName(p.id))), `${what}: segment ${f.slice(0, 8)} lists pack ${p.id.toString('hex').slice(0, 8)}, which is gone`);
    }
  }
  t.is(JSON.parse(r.stdout).length, 3, `${what}: every snapshot is listed`);
}

test('kill -9 of repair index at every step: previous state or a clear refusal, and the finished repair equals an uninterrupted one', async (t) => {
  const { repo: pristine, b, bSnap } = await damagedRepo(t);
  const ref = path.join(tmpDir(t), 'ref');
  fs.cpSync(pristine, ref, { recursive: true });
  strata(['repair', 'index'], { repo: ref });
  const want = outcome(t, ref);
  let points = 0;
  for (let k = 1; k < 60; k++) {
    const repo = path.join(tmpDir(t), `r${k}`);
    fs.cpSync(pristine, repo, { recursive: true });
    const r = killedAt(['repair', 'index'], repo, k);
    if (!r.killed) {
      t.not(r.code, null);
      break;
    }
    points++;
    afterKill(t, repo, `repair index killed at point ${k}`);
    const again = strata(['repair', 'index'], { repo });
    t.true(again.code === EXIT.OK || again.code === EXIT.INTEGRITY, `${k}: ${again.stderr}`);
    t.is(outcome(t, repo), want, `repair index killed at point ${k}, then run to the end`);
    const out = path.join(tmpDir(t), `o${k}`);
    ok(t, ['restore', bSnap, '--target', out], { repo });
    t.deepEqual(treeDiff(b, out), []);
    fs.rmSync(repo, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  }
  t.true(points >= 6, `only ${points} fault points`);
  t.log(`repair index killed at ${points} fault points`);
});

test('kill -9 of repair snapshots at every step: the old or the new manifest stays; finishing gives the same repaired set as an uninterrupted run', async (t) => {
  const { repo: damaged } = await damagedRepo(t);
  t.is(strata(['repair', 'index'], { repo: damaged }).code, EXIT.INTEGRITY, 'the truncated pack lost data');
  const before = new Set<string>(json(t, ['snapshots'], { repo: damaged }).map((s: any) => s.id));
  const ref = path.join(tmpDir(t), 'ref');
  fs.cpSync(damaged, ref, { recursive: true });
  const refRun = json(t, ['repair', 'snapshots'], { repo: ref });
  t.true(refRun.snapshots.length >= 1);
  const want = json(t, ['snapshots'], { repo: ref }).map((s: any) => s.id).sort();
  const allowed = new Set([...before, ...want]);
  let points = 0;
  for (let k = 1; k < 40; k++) {
    const repo = path.join(tmpDir(t), `s${k}`);
    fs.cpSync(damaged, repo, { recursive: true });
    const r = killedAt(['repair', 'snapshots'], repo, k);
    if (!r.killed) break;
    points++;
    const listed = json(t, ['snapshots'], { repo }).map((s: any) => s.id);
    t.true(listed.length >= 3, `point ${k}: no snapshot vanished`);
    for (const id of listed) t.true(allowed.has(id), `point ${k}: ${id} is an old or the repaired manifest`);
    const again = strata(['repair', 'snapshots', '--json'], { repo });
    t.is(again.code, EXIT.OK, again.stderr);
    t.deepEqual(json(t, ['snapshots'], { repo }).map((s: any) => s.id).sort(), want, `repair snapshots killed at point ${k}, then run to the end`);
    for (const id of want) ok(t, ['restore', id, '--target', path.join(tmpDir(t), `o${k}-${id.slice(0, 6)}`)], { repo });
    fs.rmSync(repo, { recursive: true, force: true });
  }
  t.true(points >= 3, `only ${points} fault points`);
  t.log(`repair snapshots killed at ${points} fault points`);
});
