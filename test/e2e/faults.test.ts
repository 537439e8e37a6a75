// Crash tests: SIGKILL `snapshot`, `watch`, `prune` and `repair index` at
// random moments (seeded: STRATA_FAULT_SEED), at every durable step of prune
// and repair, and right after a seeded k-th pack of a snapshot (STRATA_FAULT_POINT). After each kill: check --read-data
// is clean, every snapshot committed before the kill restores byte-identical,
// and the next run completes. Kill counts are logged (t.log).
import test, { type ExecutionContext } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { check } from '../../src/maintenance/check.js';
import { restore } from '../../src/restore/restorer.js';
import { listSnapshots, rootEntry } from '../../src/snapshot/manifest.js';
import { applyRetention } from '../../src/snapshot/retention.js';
import { Repository } from '../../src/store/repository.js';
import { CLI, pseudoRandom, tmpDir, treeDiff, writeTree } from '../helpers/cli.js';

const SEED = Number(process.env.STRATA_FAULT_SEED ?? 20261124);
const ROUNDS = Number(process.env.STRATA_FAULT_ROUNDS ?? 1); // multiplier for longer soak runs

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x ^= x + Math.imul(x ^ (x >>> 7), 61 | x);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

async function smallRepo(t: ExecutionContext): Promise<string> {
  const repo = path.join(tmpDir(t, 'strata-fault-'), 'repo');
  const r = await Repository.init(repo, { packSize: 192 << 10, chunker: { min: 8 << 10, avg: 16 << 10, max: 64 << 10 } });
  await r.close();
  return repo;
}

/** Change a few files: rewrite, add, delete. */
function mutate(src: string, rand: () => number, round: number, maxFile = 200_000): void {
  const files = fs.existsSync(src) ? fs.readdirSync(src, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()) : [];
  for (let i = 0; i < 3; i++) {
    const k = Math.floor(rand() * 4);
    const name = `d${Math.floor(rand() * 4)}/f${round}-${i}.bin`;
    const victim = files[Math.floor(rand() * files.length)];
    if (k === 0 && files.length > 4 && victim) fs.rmSync(path.join(victim.parentPath, victim.name), { force: true });
    else writeTree(src, { [name]: pseudoRandom(20_000 + Math.floor(rand() * maxFile), Math.floor(rand() * 1e9)) });
  }
  writeTree(src, { 'note.txt': `round ${round}\n` });
}

function copyTree(t: ExecutionContext, src: string): string {
  const d = path.join(tmpDir(t, 'strata-copy-'), 'c');
  fs.cpSync(src, d, { recursive: true });
  return d;
}

const packCount = (repo: string) => fs.readdirSync(path.join(repo, 'packs'), { recursive: true }).filter((n) => /[0-9a-f]{64}$/.test(String(n))).length;

/** A predicate: has a file appeared in <repo>/<sub> that was not there when this was called? */
function newLock(repo: string, sub = 'locks'): () => boolean {
  const dir = path.join(repo, sub);
  const before = new Set(fs.existsSync(dir) ? fs.readdirSync(dir) : []);
  return () => fs.existsSync(dir) && fs.readdirSync(dir).some((n) => !before.has(n));
}

const env = (extra: NodeJS.ProcessEnv = {}) => ({ ...process.env, STRATA_LOCK_WAIT: '30', ...extra });

interface Ran {
  killed: boolean;
  armedMs: number | null; // when `armOn` first held, ms after spawn
  markedMs: number | null; // when `markOn` first held
  ms: number; // total run time
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run the CLI and SIGKILL it `delay` ms after spawn, or, with `armOn`, `delay` ms after
 * `armOn()` first holds (polled every 2 ms: e.g. its lock appeared, so startup is over).
 */
function runKilled(args: string[], repo: string, delay: number | null, extraEnv: NodeJS.ProcessEnv = {}, onLine?: (l: string, c: ChildProcess) => void, intAfter?: number, armOn?: () => boolean, markOn?: () => boolean): Promise<Ran> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    let armedMs: number | null = null;
    let markedMs: number | null = null;
    const c = spawn(process.execPath, [CLI, ...args], { env: env({ STRATA_REPO: repo, ...extraEnv }) });
    let stdout = '';
    let stderr = '';
    let buf = '';
    c.stdout.on('data', (d) => {
      stdout += d;
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        onLine?.(line, c);
      }
    });
    c.stderr.on('data', (d) => (stderr += d));
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      armedMs = Date.now() - t0;
      if (delay !== null) timer = setTimeout(() => c.kill('SIGKILL'), delay);
    };
    const poll =
      armOn || markOn
        ? setInterval(() => {
            if (armOn && armedMs === null && armOn()) arm();
            if (markOn && markedMs === null && markOn()) markedMs = Date.now() - t0;
          }, 2)
        : undefined;
    if (!armOn) arm();
    const gentle = intAfter === undefined ? undefined : setTimeout(() => c.kill('SIGINT'), intAfter);
    c.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(gentle);
      clearInterval(poll);
      resolve({ killed: signal === 'SIGKILL', code, stdout, stderr, armedMs, markedMs, ms: Date.now() - t0 });
    });
  });
}

/** check --read-data is clean and every committed snapshot restores byte-identical (in-process, to save startups). */
async function verify(t: ExecutionContext, repo: string, committed: Map<string, string>, what: string, probe = false): Promise<void> {
  const r = await Repository.open(repo); // validates the LMDB header; the full child-process probe runs in each test's last verify
  try {
    const report = await check(r, { readData: true, probeIndex: probe });
    if (!report.ok) t.fail(`[seed ${SEED}] after ${what}: check found ${report.problems.map((p) => p.message).join('\n')}`);
    const listed = new Map((await listSnapshots(r)).map((s) => [s.id, s]));
    for (const [id, copy] of committed) {
      const s = listed.get(id);
      if (!s) {
        t.fail(`[seed ${SEED}] after ${what}: committed snapshot ${id.slice(0, 8)} is gone`);
        continue;
      }
      const out = path.join(tmpDir(t, 'strata-out-'), 'o');
      const st = await restore(r, { entry: rootEntry(s), target: out });
      t.is(st.errors, 0, `[seed ${SEED}] after ${what}: restore errors for ${id.slice(0, 8)}`);
      const d = treeDiff(copy, out);
      if (d.length) t.fail(`[seed ${SEED}] after ${what}: snapshot ${id.slice(0, 8)} differs: ${d.slice(0, 3).join('; ')}`);
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
    }
  } finally {
    await r.close();
  }
}

/** Run to completion (async: a blocking spawnSync would stall the kill timers of the tests running beside it). */
async function runOk(t: ExecutionContext, args: string[], repo: string, what: string): Promise<string> {
  const r = await runKilled(args, repo, null);
  if (r.code !== 0) t.fail(`[seed ${SEED}] next run after ${what}: strata ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

test('SIGKILL during snapshot, many times', async (t) => {
  const rand = rng(SEED);
  const repo = await smallRepo(t);
  const src = path.join(tmpDir(t), 'src');
  mutate(src, rand, 0);
  const committed = new Map<string, string>();
  const first = copyTree(t, src);
  committed.set(JSON.parse(await runOk(t, ['snapshot', src, '--json'], repo, 'setup')).id, first);
  // kills land within the working span of the last complete run: from the moment its lock appears
  // (startup over) to the moment its manifest appears (the commit); load on this machine varies,
  // so it is re-measured every round
  let span = 0;
  let killed = 0;
  let midWrite = 0;
  let afterPack = 0;
  let finished = 0;
  const rounds = 12 * ROUNDS;
  for (let i = 0; i < rounds; i++) {
    mutate(src, rand, i + 2, 1_500_000);
    const copy = copyTree(t, src);
    // even rounds: SIGKILL at a random moment of its working span; odd rounds: it SIGKILLs
    // itself right after its k-th pack is durable and indexed (k seeded), before it commits
    const delay = Math.floor((span || 150) * 1.1 * rand());
    const k = 1 + Math.floor(rand() * 6);
    const packsBefore = packCount(repo);
    const r =
      i % 2 === 0
        ? await runKilled(['snapshot', src, '--json'], repo, delay, {}, undefined, undefined, newLock(repo))
        : await runKilled(['snapshot', src, '--json'], repo, null, { STRATA_FAULT_POINT: `write:${k}` });
    if (r.killed) {
      killed++;
      if (i % 2) afterPack++;
      if (packCount(repo) > packsBefore) midWrite++;
    } else {
      finished++;
      t.is(r.code, 0, `[seed ${SEED}] ${r.stderr}`);
      committed.set(JSON.parse(r.stdout).id, copy);
    }
    await verify(t, repo, committed, i % 2 === 0 ? `snapshot killed ${delay} ms into its work (round ${i})` : `snapshot killed after pack ${k} (round ${i})`);
    const next = await runKilled(['snapshot', src, '--json'], repo, null, {}, undefined, undefined, newLock(repo), newLock(repo, 'snapshots'));
    if (next.code !== 0) t.fail(`[seed ${SEED}] next snapshot after round ${i} exited ${next.code}: ${next.stderr}`);
    committed.set(JSON.parse(next.stdout).id, copy);
    span = (next.markedMs ?? next.ms) - (next.armedMs ?? 0);
  }
  await verify(t, repo, committed, 'the last round', true);
  t.log(`seed ${SEED}: snapshot killed ${killed} times: ${killed - afterPack} at random moments, ${afterPack} right after its k-th indexed pack; ${midWrite} kills left packs but no commit; ${finished} runs finished first; ${committed.size} snapshots verified`);
  t.true(killed >= rounds / 3, `only ${killed} of ${rounds} runs were killed`);
});

test('SIGKILL during prune: at every durable step, then at random moments', async (t) => {
  const rand = rng(SEED + 1);
  const repo = await smallRepo(t);
  const src = path.join(tmpDir(t), 'src');
  const committed = new Map<string, string>();
  let round = 0;
  /** New snapshots and garbage: mutate, snapshot, keep the newest 2. */
  const prepare = async () => {
    mutate(src, rand, ++round);
    const copy = copyTree(t, src);
    committed.set(JSON.parse(await runOk(t, ['snapshot', src, '--json'], repo, 'prepare')).id, copy);
    const r = await Repository.open(repo);
    const plan = await applyRetention(r, { last: 2 });
    await r.close();
    for (const g of plan) for (const d of g.remove) committed.delete(d.snapshot.id);
  };
  let points = 0;
  for (let k = 1; ; k++) {
    await prepare();
    const r = await runKilled(['prune'], repo, null, { STRATA_FAULT_POINT: `prune:${k}` });
    if (!r.killed) {
      t.is(r.code, 0, r.stderr);
      break; // past the last fault point: the sweep is complete
    }
    points++;
    await verify(t, repo, committed, `prune killed at fault point ${k}`);
    await runOk(t, ['prune'], repo, `fault point ${k}`);
    await verify(t, repo, committed, `the prune after fault point ${k}`);
  }
  t.true(points >= 8, `only ${points} fault points`);
  let killed = 0;
  for (let i = 0; i < 5 * ROUNDS; i++) {
    await prepare();
    const delay = Math.floor(rand() * 250);
    const r = await runKilled(['prune'], repo, delay, {}, undefined, undefined, newLock(repo));
    if (r.killed) killed++;
    else t.is(r.code, 0, r.stderr);
    await verify(t, repo, committed, `prune killed ${delay} ms after taking its lock`);
    await runOk(t, ['prune'], repo, `prune killed at ${delay} ms`);
  }
  await verify(t, repo, committed, 'the last prune', true);
  t.log(`seed ${SEED}: prune killed at ${points} fault points (every durable step) and ${killed} random moments`);
});

test('SIGKILL during repair index, at every step', async (t) => {
  const rand = rng(SEED + 2);
  const repo = await smallRepo(t);
  const src = path.join(tmpDir(t), 'src');
  const committed = new Map<string, string>();
  for (let i = 0; i < 2; i++) {
    mutate(src, rand, i);
    const copy = copyTree(t, src);
    committed.set(JSON.parse(await runOk(t, ['snapshot', src, '--json'], repo, 'setup')).id, copy);
  }
  // a damaged snapshot file, so repair has something to rewrite from the index copy
  fs.truncateSync(path.join(repo, 'snapshots', [...committed.keys()][0]!), 10);
  let points = 0;
  for (let k = 1; ; k++) {
    const r = await runKilled(['repair', 'index'], repo, null, { STRATA_FAULT_POINT: `repair:${k}` });
    if (!r.killed) {
      t.is(r.code, 0, r.stderr);
      break;
    }
    points++;
    await runOk(t, ['repair', 'index'], repo, `repair fault point ${k}`);
    await verify(t, repo, committed, `repair killed at fault point ${k}`);
    fs.truncateSync(path.join(repo, 'snapshots', [...committed.keys()][0]!), 10);
  }
  await verify(t, repo, committed, 'the last repair', true);
  t.true(points >= 4, `only ${points} repair fault points`);
  t.log(`seed ${SEED}: repair index killed at ${points} fault points`);
});

test('SIGKILL during watch, many times', async (t) => {
  const rand = rng(SEED + 3);
  const repo = await smallRepo(t);
  const src = path.join(tmpDir(t), 'src');
  mutate(src, rand, 0);
  const committed = new Map<string, string>();
  let killed = 0;
  let round = 0;
  let state = copyTree(t, src);
  for (let i = 0; i < 5 * ROUNDS; i++) {
    const delay = Math.floor(800 + rand() * 3000);
    const r = await runKilled(['watch', src, '--json', '--quiet-ms', '50', '--max-delay-ms', '200'], repo, delay, {}, (line) => {
      const v = JSON.parse(line);
      if (v.type !== 'snapshot' || !v.id) return;
      committed.set(v.id, state); // the state it saw: we change files only after a snapshot line
      // one atomic change (write + rename), then wait for the next snapshot
      round++;
      const tmp = path.join(src, `.tmp-${round}`);
      fs.writeFileSync(tmp, pseudoRandom(30_000 + Math.floor(rand() * 100_000), round));
      fs.renameSync(tmp, path.join(src, `w${round % 6}.bin`));
      state = copyTree(t, src);
    });
    if (r.killed) killed++;
    else t.fail(`[seed ${SEED}] watch exited ${r.code}: ${r.stderr}`);
    await verify(t, repo, committed, `watch killed at ${delay} ms`);
  }
  // the next run completes: catch up, then stop cleanly on SIGINT
  const r = await runKilled(['watch', src, '--json', '--quiet-ms', '50'], repo, null, {}, (line, c) => {
    const v = JSON.parse(line);
    if (v.type === 'snapshot' && v.id) committed.set(v.id, state);
    c.kill('SIGINT');
  }, 8000); // with nothing to catch up with it prints no snapshot line: SIGINT it after a while
  if (r.code !== 0) t.fail(`[seed ${SEED}] watch after the kills exited ${r.code}: ${r.stderr}`);
  await verify(t, repo, committed, 'the last watch', true);
  t.log(`seed ${SEED}: watch killed at ${killed} random points, ${committed.size} snapshots verified`);
  t.true(killed >= 4);
});
