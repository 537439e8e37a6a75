// Cost of keyed blob ids (docs/format.md §11.5.1): in an encrypted repository a
// one-chunk file needs two hashes (its keyed id and its plain content hash).
// A first `strata snapshot` of a corpus of small text files (default ~270 MiB,
// 30,000 files of 1–32 KiB: all one chunk) into an encrypted and a
// `--no-encryption` repository, by this build and by a baseline build
// (BASELINE_CLI, e.g. /work/main/dist/cli/main.js), alternated; CPU seconds
// of the process (GNU time). BENCH_FILES, BENCH_REPS (default 2).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchDir, ensureTree, listFiles, warmCache, type FileSpec } from './lib/corpus.js';
import { Rng } from './lib/content.js';
import { cpuPressure, measure, sh } from './lib/proc.js';
import { ROOT } from './lib/report.js';

const CLI = path.join(ROOT, 'dist/cli/main.js');
const BASELINE = process.env.BASELINE_CLI;
const log = (s: string) => process.stderr.write(s + '\n');

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_FILES ?? 30000);
  const reps = Math.max(1, Number(process.env.BENCH_REPS ?? 2));
  const r = new Rng(`keyed-ids-${n}`);
  const specs: FileSpec[] = [];
  for (let i = 0; i < n; i++) specs.push({ rel: `d${i % 40}/e${(i >> 6) % 16}/f${i}.txt`, size: r.logUniform(1024, 32 * 1024), kind: 'text' });
  const base = benchDir();
  const corpus = ensureTree(path.join(base, `keyed-${n}`), specs, `keyed-${n}`, log);
  log(`corpus ${corpus.dir}: ${listFiles(corpus.dir).length} files, ${(corpus.bytes / 2 ** 20).toFixed(0)} MiB`);
  warmCache(corpus.dir);
  const builds: [string, string][] = [['this', CLI]];
  if (BASELINE) builds.push(['baseline', BASELINE]);
  const env = { STRATA_PASSWORD: 'bench', STRATA_TEST_KDF_N: '16384', STRATA_CACHE_DIR: path.join(base, 'keyed-cache') };
  const rows: Record<string, unknown>[] = [];
  const pressure = [cpuPressure()];
  for (let rep = 0; rep < reps; rep++) {
    for (const enc of [true, false]) {
      for (const [name, cli] of rep % 2 ? [...builds].reverse() : builds) {
        const work = path.join(base, 'keyed-work');
        fs.rmSync(work, { recursive: true, force: true });
        fs.rmSync(env.STRATA_CACHE_DIR, { recursive: true, force: true });
        fs.mkdirSync(work, { recursive: true });
        const repo = path.join(work, 'repo');
        sh([process.execPath, cli, 'init', '--repo', repo, ...(enc ? [] : ['--no-encryption'])], { env: { ...process.env, ...env } });
        const m = await measure([process.execPath, cli, 'snapshot', corpus.dir, '--repo', repo, '--json', '--quiet'], { env });
        const row = { rep: rep + 1, build: name, encrypted: enc, wallS: +m.wallS.toFixed(2), cpuS: m.cpuS, userS: m.userS, sysS: m.sysS, maxRssMiB: m.maxRssMiB && +m.maxRssMiB.toFixed(0) };
        log(JSON.stringify(row));
        rows.push(row);
      }
    }
  }
  pressure.push(cpuPressure());
  process.stdout.write(JSON.stringify({ files: n, mib: +(corpus.bytes / 2 ** 20).toFixed(0), cpuPressureAvg60: pressure, rows }, null, 2) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
