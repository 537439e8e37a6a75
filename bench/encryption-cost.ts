// Cost of encryption (issue #12, docs/format.md §11): a first `strata snapshot`
// and a full `strata restore` of the same ~500 MiB tree into an encrypted and
// a `--no-encryption` repository, alternated in one run, through the built
// CLI; and the key derivation (scrypt as calibrated here). Prints a JSON
// summary. BENCH_ENC_MIB sets the corpus size (default 500), BENCH_REPS the
// number of alternations (default 1).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { calibrateScrypt, deriveKey } from '../src/crypto/kdf.js';
import { benchDir, coreCorpus, ensureTree, listFiles, warmCache } from './lib/corpus.js';
import { cpuPressure, measure, sh } from './lib/proc.js';
import { ROOT } from './lib/report.js';

const CLI = path.join(ROOT, 'dist/cli/main.js');
const log = (s: string) => process.stderr.write(s + '\n');

async function main(): Promise<void> {
  const limit = Number(process.env.BENCH_ENC_MIB ?? 500) * 2 ** 20;
  const reps = Math.max(1, Number(process.env.BENCH_REPS ?? 1));
  const specs = [];
  let total = 0;
  for (const f of coreCorpus('full')) {
    if (total + f.size > limit) continue;
    specs.push(f);
    total += f.size;
  }
  const base = benchDir();
  const corpus = ensureTree(path.join(base, `enc-${limit >> 20}`), specs, `enc-${limit >> 20}`, log);
  log(`corpus ${corpus.dir}: ${listFiles(corpus.dir).length} files, ${(corpus.bytes / 2 ** 20).toFixed(0)} MiB`);
  warmCache(corpus.dir);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const params = calibrateScrypt();
  const calMs = performance.now() - t0;
  const t1 = performance.now();
  await deriveKey('a password', params);
  const deriveMs = performance.now() - t1;
  const kdfCpu = process.cpuUsage(c0);
  const rows: Record<string, unknown>[] = [];
  const pressure = [cpuPressure()];
  for (let i = 0; i < reps; i++) {
    for (const mode of ['none', 'aes-256-gcm'] as const) {
      const work = path.join(base, `enc-work-${mode}`);
      fs.rmSync(work, { recursive: true, force: true });
      fs.mkdirSync(work, { recursive: true });
      const repo = path.join(work, 'repo');
      sh([process.execPath, CLI, 'init', '--repo', repo, ...(mode === 'none' ? ['--no-encryption'] : [])]);
      log(`rep ${i + 1}: ${mode}: snapshot`);
      const snap = await measure([process.execPath, CLI, 'snapshot', corpus.dir, '--repo', repo, '--json', '--quiet']);
      if (snap.code !== 0) throw new Error(`snapshot failed: ${snap.stderr}`);
      log(`rep ${i + 1}: ${mode}: restore`);
      const rest = await measure([process.execPath, CLI, 'restore', 'latest', '--repo', repo, '--target', path.join(work, 'out'), '--quiet']);
      if (rest.code !== 0) throw new Error(`restore failed: ${rest.stderr}`);
      const mib = corpus.bytes / 2 ** 20;
      rows.push({ rep: i + 1, mode, snapshotS: +snap.wallS.toFixed(2), snapshotMiBs: +(mib / snap.wallS).toFixed(1), snapshotCpuS: snap.cpuS, restoreS: +rest.wallS.toFixed(2), restoreMiBs: +(mib / rest.wallS).toFixed(1), restoreCpuS: rest.cpuS });
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  pressure.push(cpuPressure());
  console.log(JSON.stringify({ corpusMiB: +(corpus.bytes / 2 ** 20).toFixed(0), kdf: { N: params.N, calibrateMs: Math.round(calMs), deriveWallMs: Math.round(deriveMs), cpuMsBoth: Math.round((kdfCpu.user + kdfCpu.system) / 1000) }, loadavg: pressure, rows }, null, 2));
}

void main();
