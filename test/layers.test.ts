// The one-way import rule between src/ folders (docs/STYLE): every relative import of every
// src/**/*.ts file (static, type-only, re-export, dynamic) must point to an allowed layer.
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { ROOT } from './helpers/cli.js';

const SRC = path.join(ROOT, 'src');

/**
 * Which layers each layer may import (itself included). "primitives" are the
 * files directly in src/ (errors, hash, chunker, compress).
 */
const ENGINES = ['primitives', 'crypto', 'fs', 'store', 'tree', 'snapshot', 'restore', 'watch'];
const ALLOWED: Record<string, readonly string[]> = {
  primitives: ['primitives'],
  crypto: ['primitives', 'crypto'],
  fs: ['primitives', 'fs'],
  store: ['primitives', 'crypto', 'fs', 'store'],
  tree: ['primitives', 'crypto', 'fs', 'store', 'tree'],
  snapshot: ENGINES,
  restore: ENGINES,
  watch: ENGINES,
  maintenance: [...ENGINES, 'maintenance'],
  serve: [...ENGINES, 'serve'],
  cli: [...ENGINES, 'maintenance', 'serve', 'cli'],
};

/**
 * The engines program against the ports (src/store/ports.ts) and the
 * Repository, never against a concrete store or cache: no lmdb, no local
 * folder, no LMDB guards, no cache location.
 */
const ENGINE_FOLDERS = ['snapshot', 'watch', 'tree', 'restore', 'maintenance'];
const CONCRETE_PACKAGES = ['lmdb'];
const CONCRETE_STORE = ['local-store', 'lmdb-cache', 'memory-store', 'memory-cache', 'index-file', 'index-probe', 'cache-dir', 'mark-set', 'faulty-store', 's3-store'];

interface Import {
  file: string; // relative to src/
  line: number;
  spec: string;
}

function layerOf(relToSrc: string): string {
  const parts = relToSrc.split('/');
  return parts.length === 1 ? 'primitives' : parts[0]!;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every module specifier of a file: imports, `import type`, `export … from`, `import()`. */
function importsOf(file: string, text: string): Import[] {
  const info = ts.preProcessFile(text, true, true);
  const lineOf = (pos: number) => text.slice(0, pos).split('\n').length;
  return info.importedFiles.map((f) => ({ file, line: lineOf(f.pos), spec: f.fileName }));
}

/** Violations among the given imports, one precise line each. */
function violations(imports: readonly Import[]): string[] {
  const out: string[] = [];
  for (const imp of imports) {
    const from = layerOf(imp.file);
    if (ENGINE_FOLDERS.includes(from)) {
      const where = `src/${imp.file}:${imp.line} imports '${imp.spec}'`;
      if (CONCRETE_PACKAGES.includes(imp.spec)) {
        out.push(`${where}: engines use the ports of src/store/ports.ts, never ${imp.spec}`);
        continue;
      }
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(imp.file), imp.spec)).replace(/\.js$/, '');
      if (target.startsWith('store/') && CONCRETE_STORE.includes(target.slice('store/'.length))) {
        out.push(`${where}: engines use the ports of src/store/ports.ts, never a concrete store or cache`);
        continue;
      }
    }
    if (!imp.spec.startsWith('.')) continue; // packages and node: builtins
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(imp.file), imp.spec));
    const where = `src/${imp.file}:${imp.line} imports '${imp.spec}'`;
    if (target.startsWith('..')) {
      out.push(`${where}: outside src/`);
      continue;
    }
    const to = layerOf(target);
    const allowed = ALLOWED[from];
    if (!allowed) out.push(`${where}: folder src/${from}/ is not in the layer table of test/layers.test.ts`);
    else if (!ALLOWED[to]) out.push(`${where}: target folder src/${to}/ is not in the layer table of test/layers.test.ts`);
    else if (!allowed.includes(to)) out.push(`${where}: layer '${from}' may not import layer '${to}' (allowed: ${allowed.join(', ')})`);
  }
  return out;
}

function allImports(): Import[] {
  return sourceFiles(SRC).flatMap((abs) => importsOf(path.relative(SRC, abs).split(path.sep).join('/'), fs.readFileSync(abs, 'utf8')));
}

test('src/ imports follow the one-way layering', (t) => {
  const imports = allImports();
  const bad = violations(imports);
  t.deepEqual(bad, [], `layering violations:\n  ${bad.join('\n  ')}`);
});

test('every relative import resolves to a file in src/', (t) => {
  const missing: string[] = [];
  for (const imp of allImports()) {
    if (!imp.spec.startsWith('.')) continue;
    const target = path.resolve(SRC, path.dirname(imp.file), imp.spec).replace(/\.js$/, '.ts');
    if (!fs.existsSync(target)) missing.push(`src/${imp.file}:${imp.line} imports '${imp.spec}': no ${path.relative(ROOT, target)}`);
  }
  t.deepEqual(missing, []);
});

test('the import scan sees every form of import (so the rule cannot pass vacuously)', (t) => {
  const text = [
    "import { a } from '../cli/a.js';",
    "import type { B } from '../cli/b.js';",
    "export * from '../cli/c.js';",
    "export { d } from '../cli/d.js';",
    "const e = await import('../cli/e.js');",
    "import '../cli/f.js';",
    "import { ok } from '../errors.js';",
    "import * as fs from 'node:fs';",
  ].join('\n');
  const found = importsOf('store/x.ts', text);
  t.deepEqual(
    found.map((i) => i.spec),
    ['../cli/a.js', '../cli/b.js', '../cli/c.js', '../cli/d.js', '../cli/e.js', '../cli/f.js', '../errors.js', 'node:fs'],
  );
  const bad = violations(found);
  t.is(bad.length, 6);
  t.is(bad[1], "src/store/x.ts:2 imports '../cli/b.js': layer 'store' may not import layer 'cli' (allowed: primitives, crypto, fs, store)");
  // the real tree has plenty of imports, and the layers the brief names are present
  const real = allImports();
  t.true(real.length > 50, `${real.length} imports found`);
  const layers = new Set(real.map((i) => layerOf(i.file)));
  for (const l of ['primitives', 'fs', 'store', 'tree', 'snapshot', 'restore', 'cli']) t.true(layers.has(l), l);
});

test('engines may not import lmdb or a concrete store or cache (the rule cannot pass vacuously)', (t) => {
  for (const folder of ENGINE_FOLDERS) {
    t.is(violations([{ file: `${folder}/x.ts`, line: 1, spec: 'lmdb' }]).length, 1, folder);
    for (const m of CONCRETE_STORE) t.is(violations([{ file: `${folder}/x.ts`, line: 2, spec: `../store/${m}.js` }]).length, 1, `${folder} → ${m}`);
    t.deepEqual(violations([{ file: `${folder}/x.ts`, line: 3, spec: '../store/ports.js' }]), []);
    t.deepEqual(violations([{ file: `${folder}/x.ts`, line: 3, spec: '../store/repository.js' }]), []);
  }
  t.deepEqual(violations([{ file: 'store/x.ts', line: 1, spec: 'lmdb' }]), [], 'the store layer implements the caches');
  t.deepEqual(violations([{ file: 'cli/x.ts', line: 1, spec: '../store/local-store.js' }]), [], 'the CLI wires parts together');
  // and the real tree has engines importing from the store, through the ports
  const real = allImports().filter((i) => ENGINE_FOLDERS.includes(layerOf(i.file)) && i.spec.includes('store/ports'));
  t.true(real.length >= 3, `${real.length} imports of the ports`);
});

test('the rule table: primitives import no folder, nothing but cli imports cli, only cli imports maintenance', (t) => {
  t.deepEqual(ALLOWED.primitives, ['primitives']);
  for (const [layer, allowed] of Object.entries(ALLOWED)) {
    if (layer !== 'cli') t.false(allowed.includes('cli'), layer);
    if (layer !== 'cli' && layer !== 'maintenance') t.false(allowed.includes('maintenance'), layer);
  }
  t.deepEqual(violations([{ file: 'hash.ts', line: 1, spec: './fs/paths.js' }]).length, 1);
  t.deepEqual(violations([{ file: 'restore/r.ts', line: 1, spec: '../maintenance/gc.js' }]).length, 1);
  t.deepEqual(violations([{ file: 'newthing/x.ts', line: 3, spec: '../hash.js' }]), [
    "src/newthing/x.ts:3 imports '../hash.js': folder src/newthing/ is not in the layer table of test/layers.test.ts",
  ]);
});
