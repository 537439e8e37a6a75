// Generated deep/wide trees for the 10k / 100k / 1M-file scale tests: 100
// small text files per leaf directory, leaves nested one level per decimal
// digit (1M files: 10,000 leaves four levels down). Built once, stamped.
// ensureTinyTree: the same layout with files of a few bytes each, written
// fast and resumably (the 10M-file step, bench/peers/scale-10m.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng, fillText } from '../lib/content.js';

const PER_DIR = 100;
const VERSION = 1;

export interface ScaleTree {
  dir: string;
  files: number;
  dirs: number;
  bytes: number;
  /** a file to append to when measuring one change */
  probe: string;
}

export function leafPath(leaf: number, depth: number): string {
  const digits = String(leaf).padStart(depth, '0');
  return digits
    .split('')
    .map((d, i) => `${String.fromCharCode(97 + i)}${d}`)
    .join('/');
}

export function ensureScaleTree(base: string, files: number, log: (s: string) => void): ScaleTree {
  const root = path.join(base, `scale-${files}`);
  const dir = path.join(root, 'tree');
  const metaFile = path.join(root, 'meta.json');
  if (fs.existsSync(metaFile)) {
    const m = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as ScaleTree & { version: number };
    if (m.version === VERSION && m.files === files) return m;
  }
  fs.rmSync(root, { recursive: true, force: true });
  const leaves = Math.ceil(files / PER_DIR);
  const depth = Math.max(1, Math.ceil(Math.log10(leaves)));
  log(`generating a ${files}-file tree (${leaves} leaf dirs, depth ${depth}) in ${dir}`);
  const rng = new Rng(`scale-${files}`);
  const buf = Buffer.allocUnsafe(4096);
  const dirs = new Set<string>();
  let bytes = 0;
  for (let i = 0; i < files; i++) {
    const rel = leafPath(Math.floor(i / PER_DIR), depth);
    const d = path.join(dir, rel);
    if (!dirs.has(rel)) {
      fs.mkdirSync(d, { recursive: true });
      dirs.add(rel);
    }
    const size = rng.logUniform(64, 2048);
    fillText(rng, buf, 0, size);
    fs.writeFileSync(path.join(d, `f${i % PER_DIR}.txt`), buf.subarray(0, size));
    bytes += size;
  }
  let allDirs = 0;
  const count = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) {
        allDirs++;
        count(path.join(d, e.name));
      }
    }
  };
  count(dir);
  const meta = { version: VERSION, dir, files, dirs: allDirs, bytes, probe: path.join(leafPath(0, depth), 'f0.txt') };
  fs.writeFileSync(metaFile, JSON.stringify(meta) + '\n');
  return meta;
}

/**
 * The same layout with `files` files of a few distinct bytes each (one 4 KiB
 * block apiece on ext4): sync writes, a progress stamp every 1,000 leaves so an
 * interrupted build resumes, progress printed every `files / 100` files.
 */
export function ensureTinyTree(base: string, files: number, log: (s: string) => void): ScaleTree {
  const root = path.join(base, `tiny-${files}`);
  const dir = path.join(root, 'tree');
  const metaFile = path.join(root, 'meta.json');
  const progressFile = path.join(root, 'progress');
  if (fs.existsSync(metaFile)) {
    const m = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as ScaleTree & { version: number };
    // a tree deleted by hand behind its meta.json is built again
    if (m.version === VERSION && m.files === files && fs.existsSync(path.join(m.dir, m.probe))) return m;
    fs.rmSync(metaFile);
  }
  const leaves = Math.ceil(files / PER_DIR);
  const depth = Math.max(1, Math.ceil(Math.log10(leaves)));
  fs.mkdirSync(dir, { recursive: true });
  let from = 0;
  if (fs.existsSync(progressFile)) from = Number(fs.readFileSync(progressFile, 'utf8')) || 0;
  log(`generating a ${files.toLocaleString('en-US')}-file tree (${leaves.toLocaleString('en-US')} leaf dirs, depth ${depth}, a few bytes per file) in ${dir}${from ? `, resuming at leaf ${from}` : ''}`);
  const t0 = performance.now();
  const names = Array.from({ length: PER_DIR }, (_, j) => `f${j}.txt`);
  const every = Math.max(PER_DIR, Math.floor(files / 100));
  let bytes = 0;
  for (let leaf = 0; leaf < leaves; leaf++) {
    const n = Math.min(PER_DIR, files - leaf * PER_DIR);
    for (let j = 0; j < n; j++) bytes += `${leaf * PER_DIR + j}\n`.length + 6;
    if (leaf < from) continue;
    const d = path.join(dir, leafPath(leaf, depth));
    fs.mkdirSync(d, { recursive: true });
    for (let j = 0; j < n; j++) {
      const i = leaf * PER_DIR + j;
      fs.writeFileSync(path.join(d, names[j]!), `file ${i}\n`);
      if ((i + 1) % every === 0) {
        const s = (performance.now() - t0) / 1000;
        const done = i + 1 - from * PER_DIR;
        log(`  ${(i + 1).toLocaleString('en-US')} files, ${s.toFixed(0)} s, ${(done / s).toFixed(0)} files/s`);
      }
    }
    if ((leaf + 1) % 1000 === 0) fs.writeFileSync(progressFile, String(leaf + 1));
  }
  let allDirs = 0;
  for (let k = 1; k <= depth; k++) allDirs += Math.ceil(leaves / 10 ** (depth - k));
  const meta = { version: VERSION, dir, files, dirs: allDirs, bytes, probe: path.join(leafPath(0, depth), 'f0.txt') };
  fs.writeFileSync(metaFile, JSON.stringify(meta) + '\n');
  fs.rmSync(progressFile, { force: true });
  log(`tree built in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return meta;
}
