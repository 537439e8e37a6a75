// Issue 11, item 9, through the CLI: files whose size lies (procfs says 0,
// sysfs says 4096) are read until EOF, what was read is stored, and the
// snapshot warns once, not once per file.
import test from 'ava';
import * as fs from 'node:fs';
import { json, newRepo, ok, strata } from '../helpers/cli.js';

test('snapshot of /proc/sys/kernel stores what reading gives, warns once, and never trusts the stat cache for such files', (t) => {
  const repo = newRepo(t);
  const r = strata(['snapshot', '/proc/sys/kernel'], { repo });
  t.true(r.code === 0 || r.code === 3, r.stderr); // some sysctls are unreadable even to root: skipped, exit 3
  const warnings = r.stderr.split('\n').filter((l) => l.includes('W_SIZE_LIES'));
  t.is(warnings.length, 1, r.stderr);
  t.regex(warnings[0]!, /^warning: .*size says 0 bytes but reading it gave \d+; stored what was read/);
  for (const name of ['ostype', 'osrelease']) {
    const want = fs.readFileSync(`/proc/sys/kernel/${name}`);
    t.true(want.length > 0);
    t.deepEqual(Buffer.from(ok(t, ['cat', `latest:${name}`], { repo })), want, name);
  }
  const ls = json(t, ['ls', 'latest'], { repo });
  const ostype = (Array.isArray(ls) ? ls : ls.entries).find((e: any) => e.name === 'ostype' || e.path?.endsWith('/ostype'));
  t.is(ostype.size, fs.readFileSync('/proc/sys/kernel/ostype').length, 'the recorded size is what was read');
  // a second snapshot reads them all again (a 0-byte stat must not make them "unchanged")
  const again = strata(['snapshot', '/proc/sys/kernel', '--json'], { repo });
  const first = JSON.parse(strata(['snapshots', '--json'], { repo }).stdout);
  t.is(first.length, 2);
  const s2 = JSON.parse(again.stdout);
  t.is(s2.filesRead, s2.files, 'every pseudo file is read again');
  t.deepEqual(Buffer.from(ok(t, ['cat', 'latest:ostype'], { repo })), fs.readFileSync('/proc/sys/kernel/ostype'));
});

test('a sysfs file (size 4096, shorter content) is stored as read, not reported as changing', (t) => {
  const f = '/sys/kernel/mm/transparent_hugepage/enabled';
  if (!fs.existsSync(f)) return t.fail(`${f} is needed by this test (sysfs mounted)`);
  const repo = newRepo(t);
  const r = strata(['snapshot', '/sys/kernel/mm/transparent_hugepage', '--json'], { repo });
  t.true(r.code === 0 || r.code === 3, r.stderr);
  t.notRegex(r.stderr, /enabled: .*changed/);
  t.deepEqual(Buffer.from(ok(t, ['cat', 'latest:enabled'], { repo })), fs.readFileSync(f));
});
