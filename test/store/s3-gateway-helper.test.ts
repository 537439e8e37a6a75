// test/helpers/ceph.sh itself: a cluster comes up on free loopback ports and
// answers S3; `stop` takes it down by PID in under 2 s and removes its folder;
// a start that fails half-way leaves no daemon and no folder; the watchdog
// takes the cluster down when the process that started it dies.
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CEPH_SH, cephMissing } from '../helpers/ceph.js';

const missing = cephMissing();
const requireCeph = !!process.env.CI || process.env.STRATA_REQUIRE_CEPH === '1';
if (missing && !requireCeph) console.error(`\n*** SKIPPING S3 GATEWAY HELPER TESTS: ${missing} ***\n`);
const it = missing && !requireCeph ? test.serial.skip : test.serial;

/** PIDs of the processes whose command line names `dir` (the daemons of that cluster). */
function daemonsOf(dir: string): number[] {
  const out: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
      const state = fs.readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '')[0];
      if (cmd.includes(dir) && /ceph-mon|ceph-osd|radosgw/.test(cmd) && state !== 'Z') out.push(Number(p));
    } catch {}
  }
  return out;
}

function newDir(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'strata-ceph-t-')), 'cluster');
}

it('start brings up mon, osd and radosgw on free ports; stop ends them by PID in < 2 s and removes the folder', async (t) => {
  const dir = newDir();
  t.teardown(() => {
    spawnSync('bash', [CEPH_SH, 'stop', dir]);
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });
  const t0 = Date.now();
  const r = spawnSync('bash', [CEPH_SH, 'start', dir], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  t.log(`up in ${Date.now() - t0} ms`);
  const endpoint = /^ENDPOINT=(.*)$/m.exec(r.stdout)![1]!;
  t.regex(endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  const res = await fetch(`${endpoint}/`);
  t.is(res.status, 200, 'radosgw answers (anonymous bucket list)');
  const pids = daemonsOf(dir);
  t.is(pids.length, 3, `daemons ${pids}`);
  const t1 = Date.now();
  t.is(spawnSync('bash', [CEPH_SH, 'stop', dir]).status, 0);
  const ms = Date.now() - t1;
  t.log(`down in ${ms} ms`);
  t.true(ms < 2000, `teardown took ${ms} ms`);
  t.deepEqual(daemonsOf(dir), []);
  t.false(fs.existsSync(dir));
});

it('a start that fails half-way (after mon and osd) leaves no daemon and no folder behind', (t) => {
  const dir = newDir();
  t.teardown(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));
  const r = spawnSync('bash', [CEPH_SH, 'start', dir], { encoding: 'utf8', env: { ...process.env, STRATA_CEPH_FAIL_AT: 'rgw' } });
  t.is(r.status, 1);
  t.regex(r.stderr, /failing before radosgw/);
  t.deepEqual(daemonsOf(dir), []);
  t.false(fs.existsSync(dir));
});

it('the watchdog stops the cluster when the owner process dies (a test killed by a timeout)', async (t) => {
  const dir = newDir();
  t.teardown(() => {
    spawnSync('bash', [CEPH_SH, 'stop', dir]);
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });
  const owner = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.teardown(() => owner.kill('SIGKILL'));
  const r = spawnSync('bash', [CEPH_SH, 'start', dir, String(owner.pid)], { encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  t.is(daemonsOf(dir).length, 3);
  owner.kill('SIGKILL');
  const deadline = Date.now() + 6000;
  while (Date.now() < deadline && (daemonsOf(dir).length > 0 || fs.existsSync(dir))) await new Promise((r) => setTimeout(r, 100));
  t.deepEqual(daemonsOf(dir), [], 'daemons gone');
  t.false(fs.existsSync(dir), 'folder gone');
});
