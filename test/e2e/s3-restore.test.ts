// Restores from an s3: repository against a real Ceph RADOS gateway
// (test/helpers/ceph.sh) read by ranged GETs grouped per pack
// (src/restore/fetch-plan.ts): a full restore of 300 small files costs far
// fewer GETs than blobs (a few per pack, plus the trees), one file a handful
// of requests (its tree path and its chunks), cat of a multi-chunk file a few;
// a restore decoded on worker threads gives the same tree.
import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { json, ok, pseudoRandom, strata, tmpDir, treeDiff, writeTree } from '../helpers/cli.js';
import { useCeph } from '../helpers/ceph.js';

const { it, ceph } = useCeph(test);

function env(t: ExecutionContext, cache: string) {
  return { env: { ...ceph().env(), STRATA_CACHE_DIR: cache } };
}

it('a full restore costs a few GETs per pack, one file a handful', async (t) => {
  const repo = `s3:${ceph().endpoint}/restore-${process.pid}/repo`;
  const o = env(t, tmpDir(t, 'strata-s3cache-'));
  const src = tmpDir(t);
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 300; i++) files[`d${i % 6}/f${i}.txt`] = pseudoRandom(200 + ((i * 131) % 4000), i + 1);
  files['big.bin'] = pseudoRandom(6 << 20, 999); // several chunks
  writeTree(src, files);
  json(t, ['init', '--repo', repo], o);
  json(t, ['snapshot', src, '--repo', repo], o);

  const out = path.join(tmpDir(t), 'out');
  const full = json(t, ['restore', 'latest', '--target', out, '--repo', repo], o);
  t.is(full.files, 301);
  t.deepEqual(treeDiff(src, out), []);
  const blobs = 300 + 6;
  const trees = 7;
  t.log(`full restore: ${JSON.stringify(full.requests)} for ~${blobs} blobs, ${trees} trees`);
  // opening: config, keys, index listing, a segment, the snapshot manifest, the lock: ~10
  t.true(full.requests.gets <= trees + 10 + 12, `full restore GETs: ${full.requests.gets}`);
  t.true(full.requests.gets * 5 < blobs, 'far fewer GETs than blobs');

  const one = path.join(tmpDir(t), 'one');
  const single = json(t, ['restore', 'latest:d3/f9.txt', '--target', one, '--repo', repo], o);
  t.true(fs.readFileSync(path.join(one, 'f9.txt')).equals(files['d3/f9.txt']!));
  const total = (r: Record<string, number>) => r.gets + r.lists + r.heads + r.puts + r.deletes;
  t.log(`single-file restore: ${JSON.stringify(single.requests)}`);
  t.true(single.requests.gets <= 2 + 1 + 6, `single-file GETs: ${single.requests.gets}`); // 2 trees, 1 chunk, opening
  t.true(total(single.requests) <= 16, `single-file requests: ${total(single.requests)}`);

  // the same restore with its blobs decoded on worker threads (a large restore from S3 does this by default)
  const threaded = path.join(tmpDir(t), 'threaded');
  const full2 = json(t, ['restore', 'latest', '--target', threaded, '--repo', repo], { env: { ...o.env, STRATA_DECODE_THREADS: '1' } });
  t.is(full2.files, 301);
  t.deepEqual(treeDiff(src, threaded), []);

  const big = strata(['cat', 'latest:big.bin', '--repo', repo], o);
  t.is(big.code, 0, big.stderr);
  t.true(big.stdoutBuf.equals(files['big.bin']!));
  ok(t, ['check', '--repo', repo], o);
});
