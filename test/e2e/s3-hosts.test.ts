// Several hosts, one s3: repository on a real Ceph gateway: two hosts (two
// cache folders, --host a / --host b) snapshot at the same time, dedup across
// them, then a forget + prune from a third cache, then both hosts snapshot
// again and restore correctly, and the repository checks clean.
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, json, ok, pseudoRandom, tmpDir, treeDiff, writeTree, type Run } from '../helpers/cli.js';
import { useCeph } from '../helpers/ceph.js';

const { it, ceph } = useCeph(test);

/** The CLI without blocking: several run at once. */
function strataAsync(t: ExecutionContext, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    t.teardown(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const buf = Buffer.concat(out);
      resolve({ code: code ?? -1, stdout: buf.toString(), stderr, stdoutBuf: buf });
    });
  });
}

it('two hosts snapshot at once, a third prunes, both go on', async (t) => {
  const repo = `s3:${ceph().endpoint}/hosts-${process.pid}/shared`;
  const base = { ...ceph().env(), STRATA_REPO: repo };
  const cacheA = { ...base, STRATA_CACHE_DIR: tmpDir(t, 'strata-cache-a-') };
  const cacheB = { ...base, STRATA_CACHE_DIR: tmpDir(t, 'strata-cache-b-') };
  const cacheC = { ...base, STRATA_CACHE_DIR: tmpDir(t, 'strata-cache-c-') };
  ok(t, ['init'], { env: cacheA });

  // both hosts hold the same 10 MiB file (deduplicated across them) and files of their own
  const shared = pseudoRandom(10 << 20, 42);
  const srcA = tmpDir(t, 'strata-host-a-');
  const srcB = tmpDir(t, 'strata-host-b-');
  writeTree(srcA, { 'shared.bin': shared, 'a/own.bin': pseudoRandom(6 << 20, 1), 'a/note.txt': 'host a\n' });
  writeTree(srcB, { 'shared.bin': shared, 'b/own.bin': pseudoRandom(6 << 20, 2), 'b/note.txt': 'host b\n' });

  const snap = (env: NodeJS.ProcessEnv, host: string, src: string) => strataAsync(t, ['snapshot', src, '--host', host, '--json'], env);
  const [ra, rb] = await Promise.all([snap(cacheA, 'a', srcA), snap(cacheB, 'b', srcB)]);
  t.is(ra.code, 0, ra.stderr);
  t.is(rb.code, 0, rb.stderr);
  const a1 = JSON.parse(ra.stdout);
  const b1 = JSON.parse(rb.stdout);
  t.is(a1.host, 'a');
  t.is(b1.host, 'b');
  t.log(`concurrent first snapshots: a added ${a1.bytesAdded} B (${JSON.stringify(a1.requests)}), b added ${b1.bytesAdded} B (${JSON.stringify(b1.requests)})`);

  // a second round: the shared file is now known to both (each host's next snapshot sees the other's packs)
  fs.writeFileSync(path.join(srcA, 'a/note.txt'), 'host a, second\n');
  writeTree(srcB, { 'b/copy-of-shared.bin': shared }); // whole chunks a and b both stored
  const [ra2, rb2] = await Promise.all([snap(cacheA, 'a', srcA), snap(cacheB, 'b', srcB)]);
  t.is(ra2.code, 0, ra2.stderr);
  t.is(rb2.code, 0, rb2.stderr);
  const b2 = JSON.parse(rb2.stdout);
  t.true(b2.bytesAdded < 64 << 10, `b's copy of shared data is deduplicated (added ${b2.bytesAdded})`);

  const all = json(t, ['snapshots'], { env: cacheC });
  t.deepEqual(all.map((s: any) => s.host).sort(), ['a', 'a', 'b', 'b']);

  // a third host forgets the older snapshots and prunes while the two hosts snapshot again
  const f = json(t, ['forget', '--keep-last', '1'], { env: cacheC });
  t.is(f.removed.length, 2);
  fs.writeFileSync(path.join(srcA, 'a/own.bin'), pseudoRandom(3 << 20, 3));
  writeTree(srcB, { 'b/new.txt': 'new on b\n' });
  const prune = strataAsync(t, ['prune', '--json', '--retry-lock', '60s'], cacheC);
  const [ra3, rb3, rp] = await Promise.all([snap(cacheA, 'a', srcA), snap(cacheB, 'b', srcB), prune]);
  t.is(rp.code, 0, rp.stderr);
  // a snapshot that ran into the prune fails cleanly (locked) and succeeds when run again
  for (const [r, env, host, src] of [[ra3, cacheA, 'a', srcA], [rb3, cacheB, 'b', srcB]] as const) {
    if (r.code !== 0) {
      t.regex(r.stderr, /(^strata: |"message":").*(lock|prune)/m, r.stderr);
      const again = await snap(env, host, src);
      t.is(again.code, 0, again.stderr);
    }
  }
  t.log(`during the prune: snapshot a exited ${ra3.code}, b ${rb3.code}; prune: ${rp.stdout.trim()}`);

  // after the prune both hosts snapshot and restore correctly with their own caches
  fs.writeFileSync(path.join(srcA, 'a/after.txt'), 'after prune a\n');
  fs.writeFileSync(path.join(srcB, 'b/after.txt'), 'after prune b\n');
  const [ra4, rb4] = await Promise.all([snap(cacheA, 'a', srcA), snap(cacheB, 'b', srcB)]);
  t.is(ra4.code, 0, ra4.stderr);
  t.is(rb4.code, 0, rb4.stderr);
  for (const [env, host, src] of [[cacheA, 'a', srcA], [cacheB, 'b', srcB]] as const) {
    const id = JSON.parse((host === 'a' ? ra4 : rb4).stdout).id as string;
    const out = path.join(tmpDir(t), 'out');
    ok(t, ['restore', id.slice(0, 12), '--target', out], { env });
    t.deepEqual(treeDiff(src, out), [], `host ${host}`);
  }
  const chk = json(t, ['check', '--read-data'], { env: { ...base, STRATA_CACHE_DIR: tmpDir(t, 'strata-cache-d-') } });
  t.true(chk.ok, JSON.stringify(chk.problems));
  t.true(json(t, ['check'], { env: cacheA }).ok);
});
