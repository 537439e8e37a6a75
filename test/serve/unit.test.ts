// Pure parts of the serve engine: Range parsing, request-path decoding (no
// traversal), --listen parsing, loopback detection, source names, line diff.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../helpers/cli.js';
import { decodeSegments, parseRange } from '../../src/serve/http-util.js';
import { isLoopback, parseListen } from '../../src/serve/server.js';
import { sourceNames } from '../../src/serve/repo-view.js';
import { lineDiff } from '../../src/serve/text-diff.js';
import { idNames } from '../../src/serve/webdav.js';
import type { Snapshot } from '../../src/snapshot/manifest.js';

test('Range: single ranges, suffixes, open ends, unsatisfiable', (t) => {
  t.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
  t.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 });
  t.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
  t.deepEqual(parseRange('bytes=50-500', 100), { start: 50, end: 99 });
  t.is(parseRange('bytes=100-', 100), null);
  t.is(parseRange('bytes=5-2', 100), null);
  t.is(parseRange(undefined, 100), undefined);
  t.is(parseRange('bytes=0-1,5-6', 100), undefined); // multi-range: whole body
});

test('request paths: no dot segments, no encoded slash or NUL, escapes decoded', (t) => {
  t.deepEqual(decodeSegments('/ids/abcd1234/a%20b/%C3%A9.txt'), ['ids', 'abcd1234', 'a b', 'é.txt']);
  for (const bad of ['/a/../b', '/a/%2e%2e/b', '/a/%2E./b', '/a/b%2fc', '/a/b%5Cc', '/a/%00', '/a/%zz', '/./a']) {
    const e = t.throws(() => decodeSegments(bad), undefined, bad) as { status: number };
    t.is(e.status, 400, bad);
  }
});

test('--listen and loopback', (t) => {
  t.deepEqual(parseListen('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
  t.deepEqual(parseListen('[::1]:8080'), { host: '::1', port: 8080 });
  t.deepEqual(parseListen(':9000'), { host: '127.0.0.1', port: 9000 });
  t.throws(() => parseListen('localhost'), { message: /HOST:PORT/ });
  t.throws(() => parseListen('1.2.3.4:70000'));
  t.true(isLoopback('127.0.0.1') && isLoopback('::1') && isLoopback('localhost') && isLoopback('127.1.2.3'));
  t.false(isLoopback('0.0.0.0') || isLoopback('192.168.1.2') || isLoopback('::'));
});

test('source names for /dav/latest/: base name, @host when two share it', (t) => {
  const s = (host: string, source: string) => ({ host, source }) as Snapshot;
  const names = sourceNames([s('h1', '/home/a/docs'), s('h1', '/srv/photos'), s('h2', '/home/b/docs'), s('h1', '/home/a/docs')]);
  t.deepEqual([...names.keys()].sort(), ['docs@h1', 'docs@h2', 'photos']);
  t.deepEqual(names.get('docs@h2'), { host: 'h2', source: '/home/b/docs' });
});

test('line diff: minimal edits around common lines', (t) => {
  const d = lineDiff('a\nb\nc\nd', 'a\nc\nd\ne');
  t.deepEqual(d, [
    { op: ' ', text: 'a' },
    { op: '-', text: 'b' },
    { op: ' ', text: 'c' },
    { op: ' ', text: 'd' },
    { op: '+', text: 'e' },
  ]);
  t.deepEqual(lineDiff('same', 'same'), [{ op: ' ', text: 'same' }]);
});

test('WebDAV ids: 8 hex digits, longer only where two snapshots share them', (t) => {
  const s = (id: string) => ({ id }) as Snapshot;
  const a = 'abcdef01' + '1'.repeat(56);
  const b = 'abcdef01' + '2'.repeat(56);
  const c = '12345678' + '0'.repeat(56);
  t.deepEqual(idNames([s(a), s(c), s(b)]), ['abcdef011', '12345678', 'abcdef012']);
});

test("the page's code type-checks as browser code (DOM, no Node types, no server imports)", (t) => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'src/serve/ui/tsconfig.json')], { encoding: 'utf8', timeout: 110_000 });
  t.is(r.status, 0, r.stdout + r.stderr);
  for (const f of fs.readdirSync(path.join(ROOT, 'src/serve/ui')).filter((n) => n.endsWith('.ts'))) {
    const text = fs.readFileSync(path.join(ROOT, 'src/serve/ui', f), 'utf8');
    t.deepEqual([...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]).filter((s) => !/^\.\/[a-z-]+\.js$/.test(s!)), [], `${f} imports only its siblings`);
  }
});
