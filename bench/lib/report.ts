// Benchmark outputs: a JSON file per run in bench/results/ (gitignored) and
// one marked section of docs/bench.md per benchmark, replaced in place so each
// benchmark owns only its own section and the rest of the page is untouched.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const RESULTS_DIR = process.env.BENCH_RESULTS_DIR ?? path.join(ROOT, 'bench/results');
export const DOCS_FILE = path.join(ROOT, 'docs/bench.md');

export function writeResult(name: string, data: unknown): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(RESULTS_DIR, `${name}-${stamp}.json`);
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return file;
}

/**
 * Replace the section between `<!-- bench:KEY:begin -->` and
 * `<!-- bench:KEY:end -->` in docs/bench.md (appended when absent).
 */
export function updateDocSection(key: string, body: string, file = DOCS_FILE): void {
  const begin = `<!-- bench:${key}:begin -->`;
  const end = `<!-- bench:${key}:end -->`;
  const block = `${begin}\n${body.trim()}\n${end}`;
  let doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i >= 0 && j > i) doc = doc.slice(0, i) + block + doc.slice(j + end.length);
  else doc = doc.trimEnd() + '\n\n' + block + '\n';
  fs.writeFileSync(file, doc);
}

/** Should this run rewrite docs/bench.md? Full-scale runs do unless BENCH_DOCS=0; BENCH_DOCS=1 forces it. */
export function shouldUpdateDocs(scale: string): boolean {
  if (process.env.BENCH_DOCS === '0') return false;
  if (process.env.BENCH_DOCS === '1') return true;
  return scale === 'full';
}

export const mbps = (bytes: number, s: number): number => bytes / 1e6 / s;
export const fmt = (x: number | null | undefined, digits = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits));

export function mdTable(head: string[], rows: (string | number)[][]): string {
  const line = (r: (string | number)[]) => `| ${r.map(String).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
