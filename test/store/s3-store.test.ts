// src/store/s3-store.ts against a real Ceph RADOS gateway (test/helpers/ceph.sh):
// put-if-absent (also racing), ranged reads, listing past 1000 objects and
// under prefixes, delete, request counting, creating the bucket, and errors for
// missing objects. Large objects, faults and the packer: s3-writer.test.ts and
// s3-faults.test.ts.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { StrataError } from '../../src/errors.js';
import { S3ObjectStore, type S3StoreOptions } from '../../src/store/s3-store.js';
import { pseudoRandom } from '../helpers/cli.js';
import { useCeph } from '../helpers/ceph.js';

const { it, ceph } = useCeph(test);

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const x of it) out.push(x);
  return out.sort();
}

/** A store in a fresh bucket of its own (created), closed when the test ends. */
async function newStore(t: ExecutionContext, prefix = '', opts: S3StoreOptions = {}): Promise<S3ObjectStore> {
  const bucket = `t-${randomBytes(5).toString('hex')}`;
  const s = openStore(t, `${bucket}${prefix ? `/${prefix}` : ''}`, opts);
  t.true(await s.ensureBucket(), 'the bucket is created');
  return s;
}

function openStore(t: ExecutionContext, bucketAndPrefix: string, opts: S3StoreOptions = {}): S3ObjectStore {
  const c = ceph();
  const s = new S3ObjectStore(`s3:${c.endpoint}/${bucketAndPrefix}`, { accessKeyId: c.accessKey, secretAccessKey: c.secretKey, ...opts });
  t.teardown(() => s.close());
  return s;
}

it('ensureBucket creates a missing bucket once; put is put-if-absent and the first bytes stay', async (t) => {
  const s = await newStore(t);
  t.false(await s.ensureBucket(), 'second time: exists');
  t.true(await s.put('packs/ab/abcdef', Buffer.from('first')));
  t.false(await s.put('packs/ab/abcdef', Buffer.from('second, longer')));
  t.deepEqual(await s.get('packs/ab/abcdef'), Buffer.from('first'));
  t.is(await s.size('packs/ab/abcdef'), 5);
  t.true(await s.put('config', [Buffer.from('ab'), Buffer.alloc(0), Buffer.from('cd')]));
  t.deepEqual(await s.get('config'), Buffer.from('abcd'));
  t.true(await s.put('empty', Buffer.alloc(0)));
  t.is(await s.size('empty'), 0);
  t.deepEqual(await s.get('empty'), Buffer.alloc(0));
  t.like(s.requests, { puts: 4 + 1 /* CreateBucket */, heads: 1 + 1 /* HeadBucket */ + 2, retries: 0 });
});

it('8 writers race for one name with If-None-Match: exactly one wins, and its bytes are what is read', async (t) => {
  const first = await newStore(t);
  const bucket = first.bucket;
  const writers = Array.from({ length: 8 }, () => openStore(t, bucket));
  const bodies = writers.map((_, i) => Buffer.from(`lock of writer ${i} ${randomBytes(8).toString('hex')}`));
  const results = await Promise.all(writers.map((w, i) => w.put('locks/exclusive', bodies[i]!)));
  t.is(results.filter((r) => r).length, 1, `winners: ${results}`);
  const winner = results.indexOf(true);
  t.deepEqual(await first.get('locks/exclusive'), bodies[winner]!);
});

it('ranged get returns exactly the requested bytes; past the end is E_CORRUPT; `into` is used', async (t) => {
  const s = await newStore(t, 'repo');
  const data = pseudoRandom(100_000, 3);
  await s.put('packs/00/big', data);
  t.deepEqual(await s.get('packs/00/big', 0, 10), data.subarray(0, 10));
  t.deepEqual(await s.get('packs/00/big', 99_990, 10), data.subarray(99_990));
  t.deepEqual(await s.get('packs/00/big', 12_345, 50_000), data.subarray(12_345, 62_345));
  t.deepEqual(await s.get('packs/00/big', 90_000), data.subarray(90_000)); // offset only: to the end
  t.deepEqual(await s.get('packs/00/big', 5, 0), Buffer.alloc(0));
  t.true((await s.get('packs/00/big')).equals(data));
  const into = Buffer.alloc(1000);
  const got = await s.get('packs/00/big', 1000, 500, into);
  t.is(got.buffer, into.buffer, 'read into the given buffer');
  t.deepEqual(got, data.subarray(1000, 1500));
  await t.throwsAsync(s.get('packs/00/big', 99_995, 10), { instanceOf: StrataError, code: 'E_CORRUPT', message: /short read/ });
  await t.throwsAsync(s.get('packs/00/big', 200_000, 10), { instanceOf: StrataError, code: 'E_CORRUPT', message: /packs\/00\/big/ });
});

it('missing objects: get → E_OBJECT_MISSING naming it, size → undefined, delete is a no-op; delete then write again', async (t) => {
  const s = await newStore(t);
  await t.throwsAsync(s.get('snapshots/nope'), { instanceOf: StrataError, code: 'E_OBJECT_MISSING', message: /snapshots\/nope/ });
  await t.throwsAsync(s.get('snapshots/nope', 10, 5), { instanceOf: StrataError, code: 'E_OBJECT_MISSING' });
  t.is(await s.size('snapshots/nope'), undefined);
  await t.notThrowsAsync(s.delete('snapshots/nope'));
  await s.put('snapshots/a', Buffer.from('A'));
  await s.delete('snapshots/a');
  t.is(await s.size('snapshots/a'), undefined);
  await t.throwsAsync(s.get('snapshots/a'), { code: 'E_OBJECT_MISSING' });
  t.true(await s.put('snapshots/a', Buffer.from('B')));
  t.deepEqual(await s.get('snapshots/a'), Buffer.from('B'));
});

it('names that could leave the repository prefix are refused (E_USAGE)', async (t) => {
  const s = openStore(t, 'never-created/repo');
  for (const bad of ['../escape', 'packs/../../x', '/etc/passwd', 'a//b', '']) {
    await t.throwsAsync(s.put(bad, Buffer.from('x')), { instanceOf: StrataError, code: 'E_USAGE' }, bad);
    await t.throwsAsync(s.get(bad), { instanceOf: StrataError, code: 'E_USAGE' }, bad);
  }
  t.is(s.requests.puts + s.requests.gets, 0, 'refused before any request');
});

it('list pages past 1000 objects, keeps to its prefix, and repositories sharing a bucket do not see each other', async (t) => {
  const s = await newStore(t, 'hosts/laptop');
  const other = openStore(t, `${s.bucket}/hosts/laptop2`); // a prefix that starts with the first one's
  const names = Array.from({ length: 1100 }, (_, i) => `packs/${(i % 256).toString(16).padStart(2, '0')}/p${i}`);
  for (let i = 0; i < names.length; i += 50) await Promise.all(names.slice(i, i + 50).map((n) => s.put(n, Buffer.from(n))));
  await s.put('snapshots/s1', Buffer.from('3'));
  await other.put('packs/00/theirs', Buffer.from('x'));
  await other.put('snapshots/s2', Buffer.from('y'));
  const lists = s.requests.lists;
  t.deepEqual(await collect(s.list('packs/')), [...names].sort());
  t.true(s.requests.lists - lists >= 2, `${s.requests.lists - lists} list requests for 1100 objects`);
  t.deepEqual(await collect(s.list('packs')), [...names].sort());
  t.deepEqual(await collect(s.list('snapshots/')), ['snapshots/s1']);
  t.deepEqual(await collect(s.list('locks/')), []);
  t.deepEqual(await collect(other.list('packs/')), ['packs/00/theirs']);
  t.deepEqual(await collect(other.list('snapshots')), ['snapshots/s2']);
  t.true((await collect(s.list(''))).length === 1101);
  t.like(s.requests, { retries: 0 });
  t.is(s.requests.puts, 1 + 1101);
});

it('addresses without a prefix and with one map names to keys under the prefix only', async (t) => {
  const s = await newStore(t, 'a/b');
  await s.put('config', Buffer.from('c'));
  const root = openStore(t, s.bucket);
  t.deepEqual(await collect(root.list('')), ['a/b/config']);
  t.deepEqual(await root.get('a/b/config'), Buffer.from('c'));
  t.is(s.location, `s3:${ceph().endpoint}/${s.bucket}/a/b`);
});
