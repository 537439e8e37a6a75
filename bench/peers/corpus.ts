// The side-by-side corpus: copies of real system trees (files nobody here
// wrote) arranged so one top-level directory holds ~25% of the entries (the
// rename scenario), three large semi-compressible files, and the scripted
// changes (append, 1 MiB rewrite, rename) with their exact reverts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng } from '../lib/content.js';
import { MiB, ensureTree, writeGenerated, type Scale } from '../lib/corpus.js';
import { sh } from '../lib/proc.js';

export const QUARTER = 'quarter';
export const QUARTER_RENAMED = 'quarter.renamed';

export interface PeerCorpus {
  dir: string;
  entries: number;
  files: number;
  bytes: number;
  quarterEntries: number;
  sources: string[];
  /** relative path of the small file scenario 3 appends to (and scenario 7 restores) */
  appendFile: string;
  /** relative path of the large file scenario 4 rewrites */
  rewriteFile: string;
  bigFileBytes: number;
}

const VERSION = 2;

function countEntries(p: string): number {
  const st = fs.lstatSync(p);
  if (!st.isDirectory()) return 1;
  let n = 1;
  for (const e of fs.readdirSync(p)) n += countEntries(path.join(p, e));
  return n;
}

export function defaultSources(scale: Scale): string[] {
  if (process.env.BENCH_SOURCES) return process.env.BENCH_SOURCES.split(':').filter(Boolean);
  if (scale === 'tiny') return [];
  if (scale === 'small') return ['/usr/include', '/usr/share'];
  return ['/usr/share', '/usr/include', '/usr/lib'];
}

export function bigFileSize(scale: Scale): number {
  return scale === 'full' ? 300 * MiB : scale === 'small' ? 48 * MiB : 2 * MiB;
}

/** Build (or reuse) the corpus for `scale` under `base`. */
export function ensurePeerCorpus(base: string, scale: Scale, log: (s: string) => void): PeerCorpus {
  const dir = path.join(base, `peers-${scale}`, 'corpus');
  const metaFile = `${dir}.meta.json`;
  const sources = defaultSources(scale);
  const bigBytes = bigFileSize(scale);
  const key = JSON.stringify({ VERSION, sources, bigBytes, scale });
  if (fs.existsSync(metaFile)) {
    const m = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as PeerCorpus & { key: string };
    if (m.key === key && fs.existsSync(dir)) {
      revertAll(m, log); // a run killed mid-way may have left a change behind
      return m;
    }
  }
  fs.rmSync(metaFile, { force: true });
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  if (sources.length === 0) {
    // tiny: a generated stand-in with the same shape (seconds to build, no system copy)
    const r = new Rng('peers-tiny');
    const specs = Array.from({ length: 400 }, (_, i) => ({
      rel: `${['src', 'data', QUARTER, 'etc'][i % 4]}/d${i % 7}/f${i}.txt`,
      size: r.logUniform(200, 16384),
      kind: 'text' as const,
    }));
    fs.rmSync(dir, { recursive: true, force: true });
    ensureTree(dir, specs, 'peers-tiny', log);
    fs.rmSync(`${dir}.stamp`, { force: true });
  } else copySystemTrees(dir, sources, log);
  const big = path.join(dir, 'big');
  fs.mkdirSync(big, { recursive: true });
  log(`writing 3 large semi-compressible files of ${bigBytes / MiB} MiB`);
  for (let i = 0; i < 3; i++) writeGenerated(path.join(big, `semi-${i}.bin`), bigBytes, 'semi', `peers-big-${i}`);
  const entries = countEntries(dir) - 1;
  const { files, bytes } = countFiles(dir);
  const meta: PeerCorpus & { key: string } = {
    key,
    dir,
    entries,
    files,
    bytes,
    quarterEntries: countEntries(path.join(dir, QUARTER)),
    sources,
    appendFile: pickAppendFile(dir),
    rewriteFile: 'big/semi-1.bin',
    bigFileBytes: bigBytes,
  };
  fs.writeFileSync(metaFile, JSON.stringify(meta, null, 2) + '\n');
  log(`corpus ready: ${entries} entries (${meta.quarterEntries} under ${QUARTER}/), ${files} files, ${(bytes / MiB).toFixed(0)} MiB`);
  return meta;
}

/**
 * Copy each child of each source root into DIR/<root>/<child>, except a set of
 * children (largest first) that together hold ~25% of all entries: those go
 * into DIR/quarter/<root>-<child>.
 */
function copySystemTrees(dir: string, sources: string[], log: (s: string) => void): void {
  const kids: { src: string; root: string; name: string; n: number }[] = [];
  for (const s of sources) {
    const root = path.basename(s);
    for (const name of fs.readdirSync(s).sort()) kids.push({ src: path.join(s, name), root, name, n: countEntries(path.join(s, name)) });
  }
  const total = kids.reduce((a, k) => a + k.n, 0);
  const chosen = new Set<string>();
  let acc = 0;
  for (const k of [...kids].sort((a, b) => b.n - a.n)) {
    if (acc >= total * 0.23) break;
    if (acc + k.n <= total * 0.27) {
      chosen.add(k.src);
      acc += k.n;
    }
  }
  log(`copying ${total} entries from ${sources.join(', ')} into ${dir} (${acc} into ${QUARTER}/)`);
  fs.mkdirSync(path.join(dir, QUARTER), { recursive: true });
  for (const k of kids) {
    const dest = chosen.has(k.src) ? path.join(dir, QUARTER, `${k.root}-${k.name}`) : path.join(dir, k.root, k.name);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    sh(['cp', '-a', '--no-dereference', k.src, dest]);
  }
}

/** Regular files below `dir` and their bytes. */
export function countFiles(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        files++;
        bytes += fs.lstatSync(p).size;
      }
    }
  };
  walk(dir);
  return { files, bytes };
}

/** First (sorted) regular file of 1-16 KiB outside quarter/ and big/. */
function pickAppendFile(dir: string): string {
  const walk = (rel: string): string | undefined => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (!rel && (name === QUARTER || name === 'big')) continue;
      const st = fs.lstatSync(path.join(dir, r));
      if (st.isFile() && st.size >= 1024 && st.size <= 16384 && st.nlink === 1) return r;
      if (st.isDirectory()) {
        const hit = walk(r);
        if (hit) return hit;
      }
    }
    return undefined;
  };
  const hit = walk('');
  if (!hit) throw new Error(`no file of 1-16 KiB in ${dir}`);
  return hit;
}

// ---- the scripted changes and their reverts ----

const stateFile = (c: PeerCorpus) => `${c.dir}.changes.json`;
interface ChangeState {
  appendOrigSize?: number;
  rewriteOrig?: string; // base64 of the original 1 MiB
  renamed?: boolean;
}
const loadState = (c: PeerCorpus): ChangeState => (fs.existsSync(stateFile(c)) ? JSON.parse(fs.readFileSync(stateFile(c), 'utf8')) : {});
const saveState = (c: PeerCorpus, s: ChangeState) => fs.writeFileSync(stateFile(c), JSON.stringify(s));

/** Scenario 3: append one line to a small file. */
export function applyAppend(c: PeerCorpus, rep: number): void {
  const s = loadState(c);
  const p = path.join(c.dir, c.appendFile);
  s.appendOrigSize ??= fs.statSync(p).size;
  saveState(c, s);
  fs.appendFileSync(p, `strata bench: appended line, repetition ${rep}\n`);
}

export const rewriteOffset = (c: PeerCorpus): number => Math.floor(c.bigFileBytes / 2 / 4096) * 4096;

/** Scenario 4: overwrite 1 MiB in the middle of a large file with new bytes. */
export function applyRewrite(c: PeerCorpus, rep: number): void {
  const s = loadState(c);
  const p = path.join(c.dir, c.rewriteFile);
  const fd = fs.openSync(p, 'r+');
  try {
    const off = rewriteOffset(c);
    if (s.rewriteOrig === undefined) {
      const orig = Buffer.alloc(MiB);
      fs.readSync(fd, orig, 0, MiB, off);
      s.rewriteOrig = orig.toString('base64');
      saveState(c, s);
    }
    const fresh = Buffer.allocUnsafe(MiB);
    new Rng(`rewrite-${rep}-${Date.now()}`).fill(fresh);
    fs.writeSync(fd, fresh, 0, MiB, off);
  } finally {
    fs.closeSync(fd);
  }
}

/** Scenario 5: rename the top-level directory holding ~25% of the entries. */
export function applyRename(c: PeerCorpus): void {
  const s = loadState(c);
  fs.renameSync(path.join(c.dir, QUARTER), path.join(c.dir, QUARTER_RENAMED));
  s.renamed = true;
  saveState(c, s);
}

/** Undo every change, so each repetition starts from the same corpus. */
export function revertAll(c: PeerCorpus, log?: (s: string) => void): void {
  const s = loadState(c);
  if (s.renamed || fs.existsSync(path.join(c.dir, QUARTER_RENAMED))) {
    if (fs.existsSync(path.join(c.dir, QUARTER_RENAMED))) fs.renameSync(path.join(c.dir, QUARTER_RENAMED), path.join(c.dir, QUARTER));
  }
  if (s.appendOrigSize !== undefined) fs.truncateSync(path.join(c.dir, c.appendFile), s.appendOrigSize);
  if (s.rewriteOrig !== undefined) {
    const fd = fs.openSync(path.join(c.dir, c.rewriteFile), 'r+');
    try {
      fs.writeSync(fd, Buffer.from(s.rewriteOrig, 'base64'), 0, MiB, rewriteOffset(c));
    } finally {
      fs.closeSync(fd);
    }
  }
  if (Object.keys(s).length) log?.('corpus: reverted the scripted changes');
  fs.rmSync(stateFile(c), { force: true });
}
