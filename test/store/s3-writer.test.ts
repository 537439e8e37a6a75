// src/store/s3-writer.ts against the real gateway: a 64 MiB object written in
// pieces under bounded memory (multipart from the spool), readable while being
// written and after commit; put-if-absent on commit; abort leaves nothing;
// stale multipart uploads are swept; the packer streams whole packs through
// it; and the SDK is loaded only when a request is made.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { COMP_NONE } from '../../src/compress.js';
import { hashBytes } from '../../src/hash.js';
import { BLOB_DATA, readPackEntries } from '../../src/store/pack.js';
import { Packer } from '../../src/store/packer.js';
import { S3ObjectStore, type S3StoreOptions } from '../../src/store/s3-store.js';
import { ROOT, pseudoRandom } from '../helpers/cli.js';
import { useCeph } from '../helpers/ceph.js';

const { it, serial, ceph } = useCeph(test);
const MIB = 1 << 20;

async function newStore(t: ExecutionContext, opts: S3StoreOptions = {}): Promise<S3ObjectStore> {
  const c = ceph();
  const s = new S3ObjectStore(`s3:${c.endpoint}/w-${randomBytes(5).toString('hex')}/repo`, { accessKeyId: c.accessKey, secretAccessKey: c.secretKey, ...opts });
  t.teardown(() => s.close());
  await s.ensureBucket();
  return s;
}

/** Piece k of a large test object: one reused buffer, stamped with k (so pieces differ). */
function piece(base: Buffer, k: number): Buffer {
  base.writeUInt32LE(k, 0);
  base.writeUInt32LE((k * 2654435761) >>> 0, base.length - 4);
  return base;
}

// serial: the memory measured is the whole process's
serial('a 64 MiB object goes up in parts under bounded memory, readable while written and after; commit is put-if-absent', async (t) => {
  const s = await newStore(t);
  const PIECE = 2 * MIB;
  const base = pseudoRandom(PIECE, 11);
  const expected = (k: number) => Buffer.from(piece(base, k)); // a copy of piece k
  const before = process.memoryUsage().arrayBuffers;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 10);
  t.teardown(() => clearInterval(sampler));

  const t0 = Date.now();
  const w = s.openWriter();
  for (let k = 0; k < 32; k++) {
    await w.write(piece(base, k), k * PIECE);
    if (k === 20) {
      // bytes written earlier read back while writing goes on
      t.deepEqual(w.read(3 * PIECE + 100, 1000), expected(3).subarray(100, 1100));
      t.deepEqual(w.read(20 * PIECE - 10, 20), Buffer.concat([expected(19).subarray(PIECE - 10), expected(20).subarray(0, 10)]));
    }
  }
  const puts = s.requests.puts;
  const t1 = Date.now();
  t.true(await w.commit('packs/ff/big'));
  clearInterval(sampler);
  t.log(`spooled in ${t1 - t0} ms, uploaded in ${Date.now() - t1} ms`);
  const grew = (peak - before) / MIB;
  t.log(`64 MiB object: buffers grew by ${grew.toFixed(1)} MiB at most; ${s.requests.puts - puts} put requests`);
  t.true(grew < 40, `memory grew by ${grew.toFixed(1)} MiB`);
  t.is(s.requests.puts - puts, 1 + 8 + 1, 'create + 8 parts of 8 MiB + complete');
  t.deepEqual(w.read(31 * PIECE, 64), expected(31).subarray(0, 64), 'readable after commit (until indexed)');

  t.is(await s.size('packs/ff/big'), 64 * MIB);
  for (const k of [0, 7, 8, 31]) t.true((await s.get('packs/ff/big', k * PIECE, PIECE)).equals(expected(k)), `piece ${k}`);
  t.deepEqual(await s.get('packs/ff/big', 4 * PIECE - 5, 10), Buffer.concat([expected(3).subarray(PIECE - 5), expected(4).subarray(0, 5)]));

  // a second writer of the same name: refused without uploading, nothing left behind
  const w2 = s.openWriter();
  await w2.write(pseudoRandom(12 * MIB, 5), 0);
  const puts2 = s.requests.puts;
  t.false(await w2.commit('packs/ff/big'));
  t.is(s.requests.puts, puts2, 'no upload for a name that exists');
  t.true((await s.get('packs/ff/big', 0, PIECE)).equals(expected(0)), 'the first bytes stay');
  t.deepEqual(await s.sweepTemporaries(0), { files: 0, bytes: 0 }, 'no multipart upload left open');
});

it('commits running at once share the store part buffers: never more than partsInFlight', async (t) => {
  const s = await newStore(t, { partSize: 5 * MIB, partsInFlight: 2 });
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, s.buffers.inUse)), 2);
  t.teardown(() => clearInterval(sampler));
  const objects = [0, 1, 2].map((i) => pseudoRandom(16 * MIB + i, 40 + i));
  const writers = objects.map(() => s.openWriter());
  await Promise.all(writers.map((w, i) => w.write(objects[i]!, 0)));
  t.deepEqual(await Promise.all(writers.map((w, i) => w.commit(`packs/0${i}/multi`))), [true, true, true]);
  clearInterval(sampler);
  t.true(peak >= 1 && peak <= 2, `${peak} part buffers in use at most`);
  t.is(s.buffers.inUse, 0);
  for (const [i, o] of objects.entries()) t.true((await s.get(`packs/0${i}/multi`)).equals(o), `object ${i}`);
});

it('small objects are one PutObject; writes must be in order; abort leaves nothing and closes the spool', async (t) => {
  const s = await newStore(t);
  const spools = s.spools.count;
  const w = s.openWriter();
  t.is(s.spools.count, spools + 1);
  const a = pseudoRandom(3 * MIB, 1);
  await w.write(a, 0);
  await t.throwsAsync(w.write(a, 5), { code: 'E_IO', message: /sequential/ });
  const puts = s.requests.puts;
  t.true(await w.commit('packs/00/small'));
  t.is(s.requests.puts - puts, 1);
  t.true((await s.get('packs/00/small')).equals(a));

  const w2 = s.openWriter();
  await w2.write(pseudoRandom(20 * MIB, 2), 0);
  await w2.abort();
  t.is(s.spools.count, spools + 1, 'the aborted spool is closed (the committed one stays until collected)');
  t.deepEqual(await collectAll(s), ['packs/00/small']);
  await s.close();
  t.is(s.spools.count, 0, 'close releases every spool');
});

async function collectAll(s: S3ObjectStore): Promise<string[]> {
  const out: string[] = [];
  for await (const n of s.list('')) out.push(n);
  return out.sort();
}

it('sweepTemporaries aborts stale multipart uploads (a killed writer) and keeps recent ones', async (t) => {
  const s = await newStore(t);
  const start = async (name: string) => {
    const Key = s.key(name);
    const up = await s.call('puts', name, (c, sdk) => c.send(new sdk.CreateMultipartUploadCommand({ Bucket: s.bucket, Key })));
    await s.call('puts', name, (c, sdk) =>
      c.send(new sdk.UploadPartCommand({ Bucket: s.bucket, Key, UploadId: up.UploadId, PartNumber: 1, Body: Buffer.alloc(5 * MIB, 1), ContentLength: 5 * MIB })),
    );
  };
  await start('packs/aa/killed1');
  await start('packs/bb/killed2');
  t.deepEqual(await s.sweepTemporaries(3_600_000), { files: 0, bytes: 0 }, 'recent uploads stay');
  t.deepEqual(await s.sweepTemporaries(0), { files: 2, bytes: 10 * MIB });
  t.deepEqual(await s.sweepTemporaries(0), { files: 0, bytes: 0 });
  t.deepEqual(await collectAll(s), [], 'never visible');
});

it('the packer streams packs through the S3 writer: blobs readable before and after flush, packs named by content', async (t) => {
  const s = await newStore(t, { partSize: 5 * MIB, partsInFlight: 2 });
  const flushed: { id: Buffer; size: number }[] = [];
  const packer = new Packer(s, 12 * MIB, async (p) => void flushed.push(p));
  const blobs = Array.from({ length: 40 }, (_, i) => pseudoRandom(700_000 + i * 1000, i + 1));
  const hashes = blobs.map((b) => hashBytes(b));
  for (const [i, b] of blobs.entries()) {
    await packer.add(hashes[i]!, BLOB_DATA, COMP_NONE, b, b.length);
    for (const j of [0, i >> 1, i]) {
      const pending = packer.pendingBytes(hashes[j]!.toString('hex'));
      if (pending) t.true(pending.data.equals(blobs[j]!), `blob ${j} while pending`);
    }
  }
  await packer.flush();
  t.true(flushed.length >= 2, `${flushed.length} packs`);
  const seen = new Map<string, Buffer>();
  for await (const name of s.list('packs/')) {
    const bytes = await s.get(name);
    t.is(path.basename(name), hashBytes(bytes).toString('hex'), `${name} is named by its content`);
    for (const e of await readPackEntries(name, bytes.length, async (o, l) => bytes.subarray(o, o + l))) {
      seen.set(e.hash.toString('hex'), bytes.subarray(e.offset, e.offset + e.length));
    }
  }
  for (const [i, h] of hashes.entries()) t.true(seen.get(h.toString('hex'))?.equals(blobs[i]!), `blob ${i} in a pack`);
  t.deepEqual(await s.sweepTemporaries(0), { files: 0, bytes: 0 });
});

it('the SDK is loaded on the first request only', (t) => {
  const c = ceph();
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const loaded = () => Object.keys(require.cache).some((k) => k.includes('@aws-sdk'));
    const { S3ObjectStore } = await import(${JSON.stringify(path.join(ROOT, 'dist/store/s3-store.js'))});
    const s = new S3ObjectStore(${JSON.stringify(`s3:${c.endpoint}/lazy-load`)}, { accessKeyId: 'x', secretAccessKey: 'y', retry: { attempts: 1 } });
    const before = loaded();
    await s.size('config').catch(() => {});
    console.log(JSON.stringify({ before, after: loaded() }));
    await s.close();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  t.is(r.status, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout), { before: false, after: true });
  t.notRegex(r.stderr, /NodeVersionSupportWarning/);
});
