// src/store/local-store.ts: put-if-absent, whole and ranged reads, listing (temp files hidden),
// delete, missing objects (E_OBJECT_MISSING), bad names, and private permissions (0600 / 0700).
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StrataError } from '../../src/errors.js';
import { LocalObjectStore } from '../../src/store/local-store.js';
import { pseudoRandom, tmpDir } from '../helpers/cli.js';

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const x of it) out.push(x);
  return out.sort();
}

function newStore(t: Parameters<typeof tmpDir>[0]): LocalObjectStore {
  const s = new LocalObjectStore(path.join(tmpDir(t), 'repo'));
  t.teardown(() => s.close());
  return s;
}

test('put is put-if-absent: true the first time, false after, and the first bytes stay', async (t) => {
  const s = newStore(t);
  t.true(await s.put('packs/ab/abcdef', Buffer.from('first')));
  t.false(await s.put('packs/ab/abcdef', Buffer.from('second, longer')));
  t.deepEqual(await s.get('packs/ab/abcdef'), Buffer.from('first'));
  t.is(await s.size('packs/ab/abcdef'), 5);
  // several buffers are written one after another
  t.true(await s.put('config', [Buffer.from('ab'), Buffer.alloc(0), Buffer.from('cd')]));
  t.deepEqual(fs.readFileSync(path.join(s.root, 'config')), Buffer.from('abcd'));
  // nothing temporary is left behind
  t.deepEqual(fs.readdirSync(path.join(s.root, 'packs/ab')), ['abcdef']);
});

test('ranged get returns exactly the requested bytes; reading past the end is E_CORRUPT', async (t) => {
  const s = newStore(t);
  const data = pseudoRandom(100_000, 3);
  await s.put('packs/00/big', data);
  t.deepEqual(await s.get('packs/00/big', 0, 10), data.subarray(0, 10));
  t.deepEqual(await s.get('packs/00/big', 99_990, 10), data.subarray(99_990));
  t.deepEqual(await s.get('packs/00/big', 12_345, 50_000), data.subarray(12_345, 62_345));
  t.deepEqual(await s.get('packs/00/big', 90_000), data.subarray(90_000)); // offset only: to the end
  t.deepEqual(await s.get('packs/00/big', 5, 0), Buffer.alloc(0));
  await t.throwsAsync(s.get('packs/00/big', 99_995, 10), { instanceOf: StrataError, code: 'E_CORRUPT', message: /short read/ });
});

test('missing objects: get → E_OBJECT_MISSING, size → undefined, delete is a no-op', async (t) => {
  const s = newStore(t);
  await t.throwsAsync(s.get('snapshots/nope'), { instanceOf: StrataError, code: 'E_OBJECT_MISSING', message: /snapshots\/nope/ });
  t.is(await s.size('snapshots/nope'), undefined);
  await t.notThrowsAsync(s.delete('snapshots/nope'));
});

test('delete removes the object, also when a read handle to it is cached', async (t) => {
  const s = newStore(t);
  await s.put('snapshots/a', Buffer.from('A'));
  t.deepEqual(await s.get('snapshots/a'), Buffer.from('A')); // opens and caches a handle
  await s.delete('snapshots/a');
  t.false(fs.existsSync(path.join(s.root, 'snapshots/a')));
  await t.throwsAsync(s.get('snapshots/a'), { code: 'E_OBJECT_MISSING' });
  t.is(await s.size('snapshots/a'), undefined);
  // and the name can be written again
  t.true(await s.put('snapshots/a', Buffer.from('B')));
  t.deepEqual(await s.get('snapshots/a'), Buffer.from('B'));
});

test('list walks sub-folders under a prefix and skips temporary files', async (t) => {
  const s = newStore(t);
  await s.put('packs/ab/ab01', Buffer.from('1'));
  await s.put('packs/cd/cd02', Buffer.from('2'));
  await s.put('snapshots/s1', Buffer.from('3'));
  fs.writeFileSync(path.join(s.root, 'packs/ab/.tmp-123456abcdef'), 'half-written');
  fs.writeFileSync(path.join(s.root, 'packs/.tmp-000000000000'), 'half-written');
  t.deepEqual(await collect(s.list('packs/')), ['packs/ab/ab01', 'packs/cd/cd02']);
  t.deepEqual(await collect(s.list('packs')), ['packs/ab/ab01', 'packs/cd/cd02']);
  t.deepEqual(await collect(s.list('snapshots/')), ['snapshots/s1']);
  t.deepEqual(await collect(s.list('locks/')), []); // absent folder: empty, no error
});

// serial: the umask is process-wide and put() awaits
test.serial('objects are 0600 and the folders created for them 0700, whatever the umask', async (t) => {
  const s = newStore(t);
  const old = process.umask(0o000);
  try {
    await s.put('packs/ef/ef03', Buffer.from('x'));
  } finally {
    process.umask(old);
  }
  const mode = (p: string) => fs.statSync(path.join(s.root, p)).mode & 0o777;
  t.is(mode('packs/ef/ef03'), 0o600);
  t.is(mode('packs/ef'), 0o700);
  t.is(mode('packs'), 0o700);
  t.is(mode('.'), 0o700);
});

test('names that could leave the store are refused (E_USAGE)', async (t) => {
  const s = newStore(t);
  for (const bad of ['../escape', 'packs/../../x', '/etc/passwd']) {
    await t.throwsAsync(s.put(bad, Buffer.from('x')), { instanceOf: StrataError, code: 'E_USAGE' }, bad);
    await t.throwsAsync(s.get(bad), { instanceOf: StrataError, code: 'E_USAGE' }, bad);
  }
});

test('more objects than cached handles are all readable (handle LRU)', async (t) => {
  const s = newStore(t);
  const n = 100;
  for (let i = 0; i < n; i++) await s.put(`packs/00/p${i}`, Buffer.from(`object ${i}`));
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < n; i++) t.is((await s.get(`packs/00/p${i}`, 7)).toString(), String(i));
  }
  const fds = fs.readdirSync('/proc/self/fd').length;
  t.true(fds < 64 + 40, `${fds} open descriptors`);
});
