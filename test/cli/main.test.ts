// The CLI entry point loads only the command it runs: check that every command
// is still reachable and parsed the same way, whatever comes before its name.
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fmtInt } from '../../src/cli/output.js';
import { strata, tmpDir } from '../helpers/cli.js';

const ALL = ['init', 'snapshot', 'snapshots', 'ls', 'cat', 'restore', 'watch', 'log', 'diff', 'find', 'forget', 'prune', 'check', 'repair', 'show', 'unlock'];

test('--help lists every command; `help CMD` and `CMD --help` show its options', (t) => {
  const r = strata(['--help']);
  t.is(r.code, 0);
  for (const c of ALL) t.regex(r.stdout, new RegExp(`^\\s+${c}\\b`, 'm'), c);
  const h = strata(['help', 'diff']);
  t.is(h.code, 0);
  t.regex(h.stdout, /--stats/);
  const d = strata(['-r', '/nonexistent', 'diff', '--help']);
  t.is(d.code, 0);
  t.regex(d.stdout, /Usage: strata diff/);
});

test('an unknown command is a usage error (exit 2) that names it', (t) => {
  const r = strata(['snapshotz', 'x']);
  t.is(r.code, 2);
  t.regex(r.stderr, /snapshotz/);
});

test('global options before the command name still reach it', (t) => {
  const d = tmpDir(t);
  const repo = path.join(d, 'repo');
  const src = path.join(d, 'src');
  fs.mkdirSync(src);
  fs.writeFileSync(path.join(src, 'a.txt'), 'hello');
  t.is(strata(['--repo', repo, 'init']).code, 0);
  t.is(strata(['-q', '-r', repo, 'snapshot', src]).code, 0);
  const r = strata(['--json', '-r', repo, 'snapshots']);
  t.is(r.code, 0, r.stderr);
  t.is(JSON.parse(r.stdout).length, 1);
  t.is(strata(['-r', repo, 'cat', 'latest:a.txt']).stdout, 'hello');
});

test('fmtInt groups thousands without Intl', (t) => {
  t.is(fmtInt(0), '0');
  t.is(fmtInt(999), '999');
  t.is(fmtInt(1000), '1,000');
  t.is(fmtInt(1234567), '1,234,567');
  t.is(fmtInt(-1234567), '-1,234,567');
  t.is(fmtInt(1234.5678), '1,234.568');
});
