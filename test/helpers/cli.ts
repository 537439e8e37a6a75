// Test helpers: temporary directories that clean up after themselves, and a
// runner for the built CLI (dist/cli/main.js), as users and acceptance tests
// drive it.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'dist/cli/main.js');

/**
 * One cache folder per test process (STRATA_CACHE_DIR, inherited by every CLI
 * child and used by in-process repositories), removed when the process exits,
 * so test runs never pile caches into ~/.cache.
 */
export const TEST_CACHE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-cache-'));
fs.chmodSync(TEST_CACHE_DIR, 0o1777); // like /tmp: tests that run the CLI as another user create their own 0700 folder in it
process.env.STRATA_CACHE_DIR = TEST_CACHE_DIR;

/**
 * Repositories made by `strata init` are encrypted by default: every CLI child
 * gets a test password (unless a test sets its own), and the TEST-ONLY knob
 * STRATA_TEST_KDF_N keeps scrypt at its smallest accepted cost (2^14) instead
 * of the ~0.5 s a real key gets.
 */
export const TEST_PASSWORD = 'strata test password';
process.env.STRATA_PASSWORD ??= TEST_PASSWORD;
process.env.STRATA_TEST_KDF_N ??= '16384';
process.on('exit', () => {
  try {
    fs.rmSync(TEST_CACHE_DIR, { recursive: true, force: true });
  } catch {}
});

/** A fresh temporary directory removed when the test ends. */
export function tmpDir(t: ExecutionContext, prefix = 'strata-test-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => {
    try {
      fs.chmodSync(d, 0o700);
    } catch {}
    fixPerms(d);
    fs.rmSync(d, { recursive: true, force: true });
  });
  return d;
}

function fixPerms(d: string): void {
  try {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        fs.chmodSync(p, 0o700);
        fixPerms(p);
      }
    }
  } catch {}
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBuf: Buffer;
}

export function strata(args: string[], opts: { repo?: string; cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Run {
  const env = { ...process.env, ...opts.env };
  if (opts.repo) env.STRATA_REPO = opts.repo;
  const r: SpawnSyncReturns<Buffer> = spawnSync(process.execPath, [CLI, ...args], { cwd: opts.cwd, env, input: opts.input, maxBuffer: 1 << 30 });
  return { code: r.status ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString(), stdoutBuf: r.stdout };
}

/** Run and require exit 0; returns stdout. */
export function ok(t: ExecutionContext, args: string[], opts: Parameters<typeof strata>[1] = {}): string {
  const r = strata(args, opts);
  if (r.code !== 0) t.fail(`strata ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

export function json<T = any>(t: ExecutionContext, args: string[], opts: Parameters<typeof strata>[1] = {}): T {
  return JSON.parse(ok(t, [...args, '--json'], opts)) as T;
}

/**
 * A new repository in a temp dir; returns its path. Encrypted (the default) unless `plain`:
 * tests that edit or read the raw bytes of packs, manifests or the config ask for a plaintext one.
 */
export function newRepo(t: ExecutionContext, opts: { plain?: boolean } = {}): string {
  const repo = path.join(tmpDir(t, 'strata-repo-'), 'repo');
  ok(t, ['init', '--repo', repo, ...(opts.plain ? ['--no-encryption'] : [])]);
  return repo;
}

/** Write a tree described as { 'a/b.txt': 'content' | Buffer }. */
export function writeTree(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
}

/** Deterministic pseudo-random bytes (xorshift), cheap and seedable. */
export function pseudoRandom(n: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** Total size of all files under a directory. */
export function duBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += duBytes(p);
    else if (e.isFile()) n += fs.statSync(p).size;
  }
  return n;
}

/** Compare two trees: contents, modes, symlink targets, types; mtimes of files to the ms. */
export function treeDiff(a: string, b: string, opts: { mtimes?: boolean } = {}): string[] {
  const out: string[] = [];
  const walk = (rel: Buffer) => {
    const pa = Buffer.concat([Buffer.from(a + '/'), rel]);
    const pb = Buffer.concat([Buffer.from(b + '/'), rel]);
    const na = fs.readdirSync(pa, { encoding: 'buffer' }).map((x) => x.toString('latin1')).sort();
    const nb = fs.readdirSync(pb, { encoding: 'buffer' }).map((x) => x.toString('latin1')).sort();
    if (na.join('\0') !== nb.join('\0')) out.push(`${rel.toString()}: entries differ: [${na}] vs [${nb}]`);
    for (const n of na) {
      if (!nb.includes(n)) continue;
      const r = rel.length ? Buffer.concat([rel, Buffer.from('/'), Buffer.from(n, 'latin1')]) : Buffer.from(n, 'latin1');
      const fa = Buffer.concat([Buffer.from(a + '/'), r]);
      const fb = Buffer.concat([Buffer.from(b + '/'), r]);
      const sa = fs.lstatSync(fa);
      const sb = fs.lstatSync(fb);
      const name = r.toString();
      if ((sa.mode & 0o170000) !== (sb.mode & 0o170000)) out.push(`${name}: type differs`);
      else if (!sa.isSymbolicLink() && (sa.mode & 0o7777) !== (sb.mode & 0o7777)) out.push(`${name}: mode ${sa.mode.toString(8)} vs ${sb.mode.toString(8)}`);
      if (sa.isFile() && !fs.readFileSync(fa).equals(fs.readFileSync(fb))) out.push(`${name}: content differs`);
      if (sa.isSymbolicLink() && !fs.readlinkSync(fa, { encoding: 'buffer' }).equals(fs.readlinkSync(fb, { encoding: 'buffer' }))) out.push(`${name}: link target differs`);
      if (opts.mtimes && !sa.isSymbolicLink() && Math.floor(sa.mtimeMs) !== Math.floor(sb.mtimeMs)) out.push(`${name}: mtime ${sa.mtimeMs} vs ${sb.mtimeMs}`);
      if (sa.isDirectory() && sb.isDirectory()) walk(r);
    }
  };
  walk(Buffer.alloc(0));
  return out;
}
