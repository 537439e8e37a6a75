// Cache benchmark (issue 10): opening a repository whose index lists 1M blobs
// with a cold cache (every index segment to ingest) and a warm one, and a
// no-change one-shot snapshot with the previous release (index inside the
// repository) and this build, in the same run. The 1M-blob index is written
// as index segments directly (synthetic pack ids: opening reads no pack), the
// snapshot source is a generated tree. Run: node --import=tsx bench/cache-open.ts
// (BENCH_BLOBS=N, BENCH_FILES=N, BENCH_RUNS=N, PREVIOUS=path/to/previous/dist/cli/main.js)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { chunkSegments, encodeSegment, segmentName, type SegmentPack } from '../src/store/index-segment.js';
import { LocalObjectStore } from '../src/store/local-store.js';
import type { PackEntry } from '../src/store/pack.js';
import { Repository } from '../src/store/repository.js';
import { benchDir } from './lib/corpus.js';
import { ROOT } from './lib/report.js';

const CLI = path.join(ROOT, 'dist/cli/main.js');
const PREVIOUS = process.env.PREVIOUS ?? '/work/main/dist/cli/main.js';
const BLOBS = Number(process.env.BENCH_BLOBS ?? 1_000_000);
const FILES = Number(process.env.BENCH_FILES ?? 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PER_PACK = 32; // ~1 MiB chunks in 32 MiB packs
const log = (s: string) => process.stderr.write(s + '\n');

function timed(cli: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function bigIndexRepo(dir: string): Promise<string> {
  const repo = path.join(dir, 'repo-1m');
  fs.rmSync(repo, { recursive: true, force: true });
  const r = await Repository.init(repo, { cacheDir: path.join(dir, 'init-cache') });
  await r.close();
  const store = new LocalObjectStore(repo);
  const packs: SegmentPack[] = [];
  for (let i = 0; i < BLOBS; i += PER_PACK) {
    const entries: PackEntry[] = [];
    for (let k = 0; k < PER_PACK && i + k < BLOBS; k++) entries.push({ hash: randomBytes(32), type: 0, comp: 1, offset: 8 + k * 1000, length: 1000, rawLength: 2000 });
    packs.push({ id: randomBytes(32), size: 8 + PER_PACK * 1000 + 44 + 48 * PER_PACK, entries });
  }
  const parts = chunkSegments(packs);
  for (const part of parts) {
    const { id, bytes } = encodeSegment(part);
    await store.put(segmentName(id), bytes);
  }
  await store.close();
  log(`${BLOBS} blobs in ${packs.length} packs, ${parts.length} index segments`);
  return repo;
}

function tree(dir: string): string {
  const src = path.join(dir, `src-${FILES}`);
  if (fs.existsSync(src)) return src;
  for (let i = 0; i < FILES; i++) {
    const d = path.join(src, `d${Math.floor(i / 100)}`);
    if (i % 100 === 0) fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, `f${i}.txt`), `file ${i}\n`);
  }
  return src;
}

async function main(): Promise<void> {
  const dir = path.join(benchDir(), 'cache-open');
  fs.mkdirSync(dir, { recursive: true });
  const repo = await bigIndexRepo(dir);
  const cache = path.join(dir, 'cache');
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    fs.rmSync(cache, { recursive: true, force: true });
    cold.push(timed(CLI, ['--repo', repo, 'snapshots', '--json'], { STRATA_CACHE_DIR: cache }));
    warm.push(timed(CLI, ['--repo', repo, 'snapshots', '--json'], { STRATA_CACHE_DIR: cache }));
  }
  log(`open ${BLOBS} blobs: cold cache ${median(cold).toFixed(0)} ms (runs ${cold.map((x) => x.toFixed(0)).join(', ')}), warm ${median(warm).toFixed(0)} ms (runs ${warm.map((x) => x.toFixed(0)).join(', ')})`);

  const src = tree(dir);
  const rows: string[] = [];
  for (const [label, cli] of [
    ['previous release', PREVIOUS],
    ['this build', CLI],
  ] as const) {
    if (!fs.existsSync(cli)) {
      log(`${label}: ${cli} not found, skipped`);
      continue;
    }
    const r = path.join(dir, `repo-snap-${label.replace(' ', '-')}`);
    fs.rmSync(r, { recursive: true, force: true });
    const env = { STRATA_CACHE_DIR: path.join(dir, `cache-${label.replace(' ', '-')}`), STRATA_REPO: r };
    fs.rmSync(env.STRATA_CACHE_DIR, { recursive: true, force: true });
    timed(cli, ['init'], env);
    timed(cli, ['snapshot', src], env);
    const ms: number[] = [];
    for (let i = 0; i < RUNS; i++) ms.push(timed(cli, ['snapshot', src], env));
    rows.push(`no-change one-shot snapshot, ${FILES} files, ${label}: ${median(ms).toFixed(0)} ms (runs ${ms.map((x) => x.toFixed(0)).join(', ')})`);
  }
  for (const r of rows) log(r);
}

void main();
