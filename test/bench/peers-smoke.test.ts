// Smoke run of the side-by-side benchmark (bench/peers) on a tiny generated
// corpus, so the harness never rots: it must run, cover every strata step and
// write JSON that parses. Speed is not checked; missing peer tools are skipped.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, ROOT, tmpDir } from '../helpers/cli.js';

test('bench-peers runs on a tiny corpus and writes parseable results', (t) => {
  t.true(fs.existsSync(CLI), 'build first (npx tsc -p .)');
  const dir = tmpDir(t, 'strata-bench-smoke-');
  const out = path.join(dir, 'result.json');
  const r = spawnSync(process.execPath, ['--import=tsx', path.join(ROOT, 'bench/peers/main.ts'), '--skip-missing'], {
    cwd: ROOT,
    env: {
      ...process.env,
      BENCH_SCALE: 'tiny',
      BENCH_DIR: dir,
      BENCH_OUT: out,
      BENCH_DOCS: '0',
      BENCH_REPS: '1',
      // restic and borg are exercised by `make bench-peers`; here only what CI has
      BENCH_TOOLS: 'strata,rsync',
      BENCH_SCALE_FILES: '200',
      BENCH_WATCH_QUIET_MS: '100',
    },
    encoding: 'utf8',
    timeout: 110_000,
  });
  t.is(r.status, 0, `harness failed:\n${r.stderr?.slice(-3000)}`);
  const res = JSON.parse(fs.readFileSync(out, 'utf8'));
  t.is(res.bench, 'peers');
  t.is(res.scale, 'tiny');
  t.true(res.corpus.files > 100);
  const strataRecs = res.records.filter((x: { tool: string }) => x.tool === 'strata');
  const errors = strataRecs.filter((x: { error?: string }) => x.error);
  t.deepEqual(errors, [], 'no strata step failed');
  for (const step of ['s1', 's2', 's3', 's4', 's5', 'r1', 'ra']) {
    const rec = strataRecs.find((x: { step: string }) => x.step === step);
    t.truthy(rec, step);
    t.true(typeof rec.wallS === 'number' && rec.wallS > 0, `${step} has a wall time`);
  }
  t.is(strataRecs.find((x: { step: string }) => x.step === 's5').growthBytes < 64 * 1024, true, 'rename adds little');
  t.regex(r.stdout, /\| scenario \| metric \| strata/);
});
