// Generated deep/wide trees for the 10k / 100k / 1M-file scale tests: 100
// small text files per leaf directory, leaves nested one level per decimal
// digit (1M files: 10,000 leaves four levels down). Built once, stamped.
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

function leafPath(leaf: number, depth: number): string {
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
