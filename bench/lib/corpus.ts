// Generated benchmark trees, built once and cached: a list of file specs is
// written under a directory and a stamp beside it records the spec's hash, so
// a later run reuses the tree when nothing changed and rebuilds it otherwise.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng, fillContent, type ContentKind } from './content.js';

export interface FileSpec {
  rel: string;
  size: number;
  kind: ContentKind;
}

export type Scale = 'tiny' | 'small' | 'full';

export function benchScale(): Scale {
  const s = (process.env.BENCH_SCALE ?? 'full').toLowerCase();
  if (s !== 'tiny' && s !== 'small' && s !== 'full') throw new Error(`BENCH_SCALE must be tiny, small or full (got ${s})`);
  return s;
}

/** Where corpora and scratch repositories live (outside the git tree, same disk). */
export function benchDir(): string {
  const d = process.env.BENCH_DIR ?? path.join(os.tmpdir(), 'strata-bench');
  fs.mkdirSync(d, { recursive: true });
  return d;
}

export const MiB = 1 << 20;

/**
 * The core-engine corpus: many small text-like files, MB-size
 * semi-compressible files and a few large ones (~1 GiB at full scale).
 */
export function coreCorpus(scale: Scale): FileSpec[] {
  const div = scale === 'full' ? 1 : scale === 'small' ? 16 : 256;
  const r = new Rng(`core-corpus-${scale}`);
  const out: FileSpec[] = [];
  const smallFiles = Math.round(24000 / div);
  for (let i = 0; i < smallFiles; i++) {
    const d = `src/d${String(i % 30).padStart(2, '0')}/e${(i >> 5) % 10}`;
    out.push({ rel: `${d}/f${i}.txt`, size: r.logUniform(200, 40 * 1024), kind: 'text' });
  }
  const mbFiles = Math.max(2, Math.round(190 / div));
  for (let i = 0; i < mbFiles; i++) {
    out.push({ rel: `data/set${i % 8}/blob${i}.bin`, size: r.logUniform(1 * MiB, 7 * MiB), kind: i % 4 === 3 ? 'random' : 'semi' });
  }
  const big = scale === 'full' ? 96 * MiB : scale === 'small' ? 8 * MiB : 1 * MiB;
  out.push({ rel: 'large/app.log', size: big, kind: 'text' });
  out.push({ rel: 'large/media.bin', size: big, kind: 'random' });
  out.push({ rel: 'large/db.img', size: Math.round((big * 2) / 3), kind: 'semi' });
  return out;
}

export interface BuiltTree {
  dir: string;
  files: number;
  bytes: number;
  generated: boolean;
}

/** Write `specs` under `dir` unless the stamp says it is already there. */
export function ensureTree(dir: string, specs: readonly FileSpec[], label: string, log: (s: string) => void = (s) => void process.stderr.write(s + '\n')): BuiltTree {
  const digest = createHash('sha256').update(label).update(JSON.stringify(specs)).digest('hex');
  const stamp = `${dir}.stamp`;
  const bytes = specs.reduce((a, f) => a + f.size, 0);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === digest && fs.existsSync(dir)) {
    return { dir, files: specs.length, bytes, generated: false };
  }
  log(`generating ${label}: ${specs.length} files, ${(bytes / MiB).toFixed(0)} MiB into ${dir}`);
  fs.rmSync(stamp, { force: true });
  fs.rmSync(dir, { recursive: true, force: true });
  const buf = Buffer.allocUnsafe(8 * MiB);
  const made = new Set<string>();
  for (const f of specs) writeSpec(dir, f, buf, made);
  fs.writeFileSync(stamp, digest + '\n');
  return { dir, files: specs.length, bytes, generated: true };
}

function writeSpec(root: string, f: FileSpec, buf: Buffer<ArrayBufferLike>, made: Set<string>): void {
  const p = path.join(root, f.rel);
  const d = path.dirname(p);
  if (!made.has(d)) {
    fs.mkdirSync(d, { recursive: true });
    made.add(d);
  }
  writeGenerated(p, f.size, f.kind, `${f.rel}:${f.kind}`, buf);
}

/** Write `size` bytes of `kind` content seeded by `seed`, in pieces of the reused `buf`. */
export function writeGenerated(p: string, size: number, kind: ContentKind, seed: string, buf: Buffer<ArrayBufferLike> = Buffer.allocUnsafe(8 * MiB)): void {
  const rng = new Rng(seed);
  const fd = fs.openSync(p, 'w', 0o644);
  try {
    for (let done = 0; done < size; ) {
      const n = Math.min(buf.length, size - done);
      fillContent(kind, rng, buf, 0, n);
      let off = 0;
      while (off < n) off += fs.writeSync(fd, buf, off, n - off);
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Every regular file under `dir` (sorted), with sizes. */
export function listFiles(dir: string): { path: string; size: number }[] {
  const out: { path: string; size: number }[] = [];
  const walk = (d: string) => {
    const ents = fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of ents) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push({ path: p, size: fs.statSync(p).size });
    }
  };
  walk(dir);
  return out;
}

/** Read every file once so timings run on a warm page cache. */
export function warmCache(dir: string): void {
  const buf = Buffer.allocUnsafe(8 * MiB);
  for (const f of listFiles(dir)) {
    const fd = fs.openSync(f.path, 'r');
    try {
      while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
    } finally {
      fs.closeSync(fd);
    }
  }
}
