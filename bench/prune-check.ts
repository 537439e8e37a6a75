// Maintenance benchmark: `strata prune` time and peak memory on a repository
// of 1M blobs (two-thirds of them garbage, spread over every pack, so prune
// must mark, repack and delete), and `strata check --read-data` throughput on
// 1 MiB chunks and on the 1M small blobs. The 1M-blob repository is built
// through the API (putBlob + tree codec + saveManifest), the big one by
// `strata snapshot` of generated files; the commands are timed under GNU time. Run: node --import=tsx bench/prune-check.ts  (BENCH_SCALE=small)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashBytes } from '../src/hash.js';
import { saveManifest, type Manifest } from '../src/snapshot/manifest.js';
import { BLOB_DATA } from '../src/store/pack.js';
import { Repository } from '../src/store/repository.js';
import type { TreeEntry } from '../src/tree/codec.js';
import { repoTreeSink } from '../src/tree/trees.js';
import { benchDir, benchScale } from './lib/corpus.js';
import { spawn } from 'node:child_process';
import { haveGnuTime, machineInfo, measure, duBytes, type Measured } from './lib/proc.js';
import { ROOT, fmt, mdTable, shouldUpdateDocs, updateDocSection, writeResult } from './lib/report.js';

const CLI = path.join(ROOT, 'dist/cli/main.js');
// BENCH_CHILD_HEAP_MB=N caps the V8 heap of the timed commands (to show their memory is bounded)
const NODE = ['node', ...(process.env.BENCH_CHILD_HEAP_MB ? [`--max-old-space-size=${process.env.BENCH_CHILD_HEAP_MB}`] : [])];
const log = (s: string) => process.stderr.write(s + '\n');
const scale = benchScale();
const BLOBS = scale === 'full' ? 1_000_000 : scale === 'small' ? 100_000 : 20_000;
const BIG_MIB = scale === 'full' ? 1024 : scale === 'small' ? 128 : 32;
const PER_DIR = 1000;

function manifest(root: Buffer, files: number, dirs: number, bytes: number, time: string): Manifest {
  const stats = { files, dirs, symlinks: 0, others: 0, bytes, bytesRead: 0, filesRead: 0, bytesAdded: 0, blobsAdded: 0, dirsScanned: 0, durationMs: 0 };
  return { version: 1, time, host: 'bench', source: '/bench', root: root.toString('hex'), rootMeta: { mode: 0o755, uid: 0, gid: 0, mtimeNs: '0' }, parent: null, unchanged: false, stats, skipped: [], skippedCount: 0, warnings: [], warningCount: 0 };
}

const fileEntry = (name: string, hash: Buffer, size: number): TreeEntry => ({ name: Buffer.from(name), kind: 'file', mode: 0o644, uid: 0, gid: 0, mtimeNs: 0n, size, content: { hash, chunks: [hash] } });
const dirEntry = (name: string, subtree: Buffer, files: number, size: number): TreeEntry => ({ name: Buffer.from(name), kind: 'dir', mode: 0o755, uid: 0, gid: 0, mtimeNs: 0n, size, subtree, files, dirs: 0 });

/**
 * measure() plus the peak anonymous and file-backed RSS of the node process, sampled from
 * /proc every 50 ms: max RSS counts LMDB pages mapped from disk, anonymous memory is what
 * the process really holds.
 */
async function measureMem(argv: string[]): Promise<Measured & { peakAnonMiB: number; peakFileMiB: number }> {
  let peakAnon = 0;
  let peakFile = 0;
  const seen = new Set<number>();
  const sample = () => {
    for (const pid of pidsOf(process.pid)) {
      try {
        const st = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
        if (!/^Name:\s*node/m.test(st)) continue;
        seen.add(pid);
        peakAnon = Math.max(peakAnon, Number(/RssAnon:\s*(\d+)/.exec(st)?.[1] ?? 0) / 1024);
        peakFile = Math.max(peakFile, Number(/RssFile:\s*(\d+)/.exec(st)?.[1] ?? 0) / 1024);
      } catch {}
    }
  };
  const timer = setInterval(sample, 50);
  try {
    const m = await measure(argv);
    return { ...m, peakAnonMiB: peakAnon, peakFileMiB: peakFile };
  } finally {
    clearInterval(timer);
  }
}

/** Descendant pids of `root`. */
function pidsOf(root: number): number[] {
  const out: number[] = [];
  const walk = (pid: number) => {
    let kids: string[] = [];
    try {
      kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {}
    for (const k of kids) {
      out.push(Number(k));
      walk(Number(k));
    }
  };
  walk(root);
  return out;
}
void spawn;
void haveGnuTime;

/** A snapshot of every `keep`-th of `hashes` (one-chunk files, PER_DIR per directory). */
async function snapshotOf(repo: Repository, hashes: Buffer[], size: number, keep: number, time: string): Promise<void> {
  const sink = repoTreeSink(repo);
  const dirs: TreeEntry[] = [];
  let files = 0;
  for (let d = 0; d * PER_DIR < hashes.length; d++) {
    const entries: TreeEntry[] = [];
    for (let i = d * PER_DIR; i < Math.min(hashes.length, (d + 1) * PER_DIR); i++) if (i % keep === 0) entries.push(fileEntry(`f${String(i).padStart(8, '0')}`, hashes[i]!, size));
    files += entries.length;
    const { hash } = await sink.saveTree(entries);
    dirs.push(dirEntry(`d${String(d).padStart(5, '0')}`, hash, entries.length, entries.length * size));
  }
  const { hash: root } = await sink.saveTree(dirs);
  await repo.flush();
  await saveManifest(repo, manifest(root, files, dirs.length, files * size, time));
}

async function buildSmallBlobs(dir: string): Promise<void> {
  const repo = await Repository.init(dir, { compressionLevel: 0, packSize: 8 << 20 });
  const hashes: Buffer[] = [];
  const b = Buffer.alloc(200);
  for (let i = 0; i < BLOBS; i++) {
    b.write(`blob ${i} `.padEnd(200, String.fromCharCode(97 + (i % 26))), 0);
    const h = hashBytes(b);
    await repo.putBlob(BLOB_DATA, h, b);
    hashes.push(h);
    if (i % 200_000 === 0) log(`  ${i} blobs`);
  }
  await snapshotOf(repo, hashes, 200, 1, '2026-01-01T00:00:00Z');
  await snapshotOf(repo, hashes, 200, 3, '2026-01-02T00:00:00Z'); // keeps a third of the files
  await repo.close();
}

/** BIG_MIB of files, half text-like (compressible), half random, snapshotted with the CLI. */
async function buildBigChunks(dir: string, src: string): Promise<number> {
  fs.mkdirSync(src, { recursive: true });
  const chunk = Buffer.alloc(1 << 20);
  let x = 12345;
  for (let f = 0; f < BIG_MIB / 16; f++) {
    const fd = fs.openSync(path.join(src, `file${f}.dat`), 'w');
    for (let i = 0; i < 16; i++) {
      if ((f + i) % 2) for (let o = 0; o < chunk.length; o += 4) chunk.writeUInt32LE((x = (Math.imul(x, 1664525) + 1013904223) >>> 0), o);
      else chunk.write(`line ${f}.${i} of a log file with some repeated words and numbers ${x}\n`.repeat(20_000).slice(0, chunk.length), 0);
      fs.writeSync(fd, chunk);
    }
    fs.closeSync(fd);
  }
  await measure(['node', CLI, '--repo', dir, 'init']);
  await measure(['node', CLI, '--repo', dir, 'snapshot', src, '--json']);
  return BIG_MIB << 20;
}

async function main(): Promise<void> {
  const base = path.join(benchDir(), 'prune-check');
  fs.rmSync(base, { recursive: true, force: true });
  fs.mkdirSync(base, { recursive: true });
  const small = path.join(base, 'small-blobs');
  const big = path.join(base, 'big-chunks');
  log(`building a repository of ${BLOBS} blobs through the API`);
  let t = Date.now();
  await buildSmallBlobs(small);
  const buildS = (Date.now() - t) / 1000;
  log(`  built in ${buildS.toFixed(1)} s, ${(duBytes(small) / 2 ** 20).toFixed(0)} MiB`);
  log(`building ${BIG_MIB} MiB of 1 MiB chunks`);
  const bigBytes = await buildBigChunks(big, path.join(base, 'big-src'));
  const run = (args: string[], repo: string, check: boolean | number = true) => measure([...NODE, CLI, '--repo', repo, ...args], { check });

  const runMem = (args: string[], repo: string) => measureMem([...NODE, CLI, '--repo', repo, ...args]);
  const checkSmall = await runMem(['check', '--read-data', '--json'], small);
  log(`check --read-data (${BLOBS} blobs): ${checkSmall.wallS.toFixed(2)} s`);
  const forget = await run(['forget', '--keep-last', '1', '--json'], small);
  const dry = await run(['prune', '--dry-run', '--json'], small);
  const pr = await runMem(['prune', '--json'], small);
  const prStats = JSON.parse(pr.stdout);
  log(`prune: ${pr.wallS.toFixed(2)} s, ${fmt(pr.maxRssMiB, 0)} MiB peak RSS (anonymous ${pr.peakAnonMiB.toFixed(0)}, file-backed ${pr.peakFileMiB.toFixed(0)}), ${JSON.stringify(prStats)}`);
  const pr2 = await run(['prune', '--json'], small); // nothing left to do: mark + plan only
  const checkAfter = await run(['check', '--read-data', '--json'], small);
  const checkBig = await run(['check', '--read-data', '--json'], big);
  const cb = JSON.parse(checkBig.stdout);
  const bigRate = bigBytes / 1e6 / checkBig.wallS;
  const readRate = cb.stats.bytesRead / 1e6 / (cb.stats.readDataMs / 1000);
  log(`check --read-data (${BIG_MIB} MiB, 1 MiB chunks): ${checkBig.wallS.toFixed(2)} s wall = ${bigRate.toFixed(0)} MB/s of logical data; pack reading+verifying ${readRate.toFixed(0)} MB/s of stored bytes`);

  const result = {
    scale,
    machine: machineInfo(),
    blobs: BLOBS,
    childHeapMB: process.env.BENCH_CHILD_HEAP_MB ?? null,
    buildS,
    loadAvg: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number),
    prune: { wallS: pr.wallS, cpuS: pr.cpuS, maxRssMiB: pr.maxRssMiB, peakAnonMiB: pr.peakAnonMiB, peakFileMiB: pr.peakFileMiB, stats: prStats },
    pruneDryRun: { wallS: dry.wallS, maxRssMiB: dry.maxRssMiB },
    pruneNoop: { wallS: pr2.wallS, maxRssMiB: pr2.maxRssMiB },
    forget: { wallS: forget.wallS },
    checkSmallBlobs: { wallS: checkSmall.wallS, maxRssMiB: checkSmall.maxRssMiB, peakAnonMiB: checkSmall.peakAnonMiB, peakFileMiB: checkSmall.peakFileMiB, blobsPerS: BLOBS / checkSmall.wallS },
    checkAfterPrune: { wallS: checkAfter.wallS, ok: JSON.parse(checkAfter.stdout).ok },
    checkBigChunks: { wallS: checkBig.wallS, maxRssMiB: checkBig.maxRssMiB, logicalMBps: bigRate, storedMBps: readRate, storedBytes: cb.stats.bytesRead, logicalBytes: bigBytes },
  };
  const file = writeResult(`prune-check-${scale}`, result);
  log(`wrote ${file}`);
  if (shouldUpdateDocs(scale)) {
    const m = result.machine;
    const body = [
      '## Maintenance (prune, check)',
      '',
      `\`node --import=tsx bench/prune-check.ts\` (${scale} scale; \`BENCH_SCALE=small\` for a quick run) on ${m.nproc} × ${m.cpu}, ${m.os}, Node ${m.node}.`,
      `Load average during the run: ${result.loadAvg.join(' ')} (the machine was shared with other benchmarks; wall times are inflated accordingly, CPU seconds less so).`,
      `The repository is built through the API: ${BLOBS.toLocaleString('en-US')} unique 200-byte blobs in ${Math.ceil(BLOBS / PER_DIR).toLocaleString('en-US')} directories, two snapshots (all files; every third file), then \`forget --keep-last 1\`: two-thirds of the blobs are garbage, spread over every pack, so prune marks, repacks every pack and deletes them. Peak memory is the maximum RSS reported by GNU time (it includes LMDB pages mapped from disk).`,
      '',
      mdTable(
        ['command', 'wall s', 'CPU s', 'peak RSS MiB', 'notes'],
        [
          [`\`prune\` (${BLOBS.toLocaleString('en-US')} blobs, 2/3 garbage)`, fmt(pr.wallS), fmt(pr.cpuS), fmt(pr.maxRssMiB, 0), `peak anonymous memory ${pr.peakAnonMiB.toFixed(0)} MiB (the rest is LMDB pages mapped from disk); ${prStats.liveBlobs.toLocaleString('en-US')} live; ${prStats.packsRepacked} packs repacked into ${prStats.packsWritten}, ${prStats.packsDeleted} deleted, ${(prStats.bytesFreed / 2 ** 20).toFixed(0)} MiB freed`],
          ['`prune --dry-run` (same repo, before)', fmt(dry.wallS), fmt(dry.cpuS), fmt(dry.maxRssMiB, 0), 'mark + plan'],
          ['`prune` with nothing to do', fmt(pr2.wallS), fmt(pr2.cpuS), fmt(pr2.maxRssMiB, 0), 'mark + plan, after the prune'],
          [`\`check --read-data\` (${BLOBS.toLocaleString('en-US')} small blobs)`, fmt(checkSmall.wallS), fmt(checkSmall.cpuS), fmt(checkSmall.maxRssMiB, 0), `peak anonymous ${checkSmall.peakAnonMiB.toFixed(0)} MiB; ${Math.round(BLOBS / checkSmall.wallS).toLocaleString('en-US')} blobs/s (per-blob cost dominates)`],
          [`\`check --read-data\` (${BIG_MIB} MiB, 1 MiB chunks, half compressible)`, fmt(checkBig.wallS), fmt(checkBig.cpuS), fmt(checkBig.maxRssMiB, 0), `**${bigRate.toFixed(0)} MB/s** of logical data end to end; ${readRate.toFixed(0)} MB/s of stored bytes in the read-and-verify loop`],
        ],
      ),
      '',
      'Memory stays bounded: the mark set lives in a temporary LMDB file (the cache's `tmp/`), the plan holds one counter per pack, the index is scanned in chunks of 10,000 entries, and repacking holds one pack at a time.',
    ].join('\n');
    updateDocSection('maintenance', body);
    log('updated docs/bench.md');
  }
  if (!process.env.BENCH_KEEP) fs.rmSync(base, { recursive: true, force: true });
}

await main();
