// Network faults of the S3 store against the real gateway: bad credentials, a
// missing bucket, a refused port and an unknown host give one clear error
// naming the endpoint within seconds; the gateway paused (SIGSTOP) in the
// middle of a put or a multipart commit and resumed (SIGCONT), or stopped and
// restarted, gives a put that completes — or fails cleanly — and never a
// half-visible object. Serial: the faults hit this file's shared gateway.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { EXIT, exitCodeFor } from '../../src/cli/exit-codes.js';
import { StrataError } from '../../src/errors.js';
import { S3ObjectStore, type S3StoreOptions } from '../../src/store/s3-store.js';
import { pseudoRandom } from '../helpers/cli.js';
import { useCeph } from '../helpers/ceph.js';

const { serial, ceph } = useCeph(test);
const MIB = 1 << 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function store(t: ExecutionContext, address: string, opts: S3StoreOptions = {}): S3ObjectStore {
  const c = ceph();
  const s = new S3ObjectStore(address, { accessKeyId: c.accessKey, secretAccessKey: c.secretKey, ...opts });
  t.teardown(() => s.close());
  return s;
}

/**
 * A store on a new bucket. The bucket is made with the default timeouts: a gateway slow to answer right
 * after an earlier test restarted it (on a loaded machine) is not what the test's short timeouts are for.
 */
async function newBucket(t: ExecutionContext, opts: S3StoreOptions = {}): Promise<S3ObjectStore> {
  const address = `s3:${ceph().endpoint}/f-${randomBytes(5).toString('hex')}/repo`;
  await store(t, address).ensureBucket();
  const s = store(t, address, opts);
  await s.ensureBucket();
  return s;
}

async function timed<T>(p: Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const t0 = Date.now();
  try {
    const value = await p;
    return { ms: Date.now() - t0, value };
  } catch (error) {
    return { ms: Date.now() - t0, error };
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The object is either absent or complete with exactly `data`: never half-visible. */
async function wholeOrAbsent(t: ExecutionContext, s: S3ObjectStore, name: string, data: Buffer): Promise<'whole' | 'absent'> {
  const size = await s.size(name);
  if (size === undefined) return 'absent';
  t.is(size, data.length, `${name} has its full size`);
  t.true((await s.get(name)).equals(data), `${name} has exactly the bytes written`);
  return 'whole';
}

serial('wrong credentials → E_S3_AUTH naming the endpoint, at once, exit code 15', async (t) => {
  const good = await newBucket(t);
  for (const creds of [{ accessKeyId: 'NOSUCHKEY' }, { secretAccessKey: 'wrong-secret' }]) {
    const s = store(t, good.location, creds);
    for (const op of [() => s.get('config'), () => s.put('config', Buffer.from('x')), () => s.size('config')]) {
      const r = await timed(op());
      t.true(r.error instanceof StrataError, String(r.error));
      const e = r.error as StrataError;
      t.is(e.code, 'E_S3_AUTH');
      t.true(e.message.includes(ceph().endpoint), e.message);
      t.notRegex(e.message, /\n/);
      t.true(r.ms < 3000, `${r.ms} ms`);
      t.is(exitCodeFor(e), EXIT.REMOTE_AUTH);
    }
    t.is(s.requests.retries, 0, 'not retried');
  }
  const none = store(t, good.location, { accessKeyId: '', env: {} });
  await t.throwsAsync(none.get('config'), { code: 'E_S3_AUTH', message: /AWS_ACCESS_KEY_ID/ });
});

serial('a missing bucket → E_S3_NO_BUCKET for get, put, list and size, exit code 10 (no repository)', async (t) => {
  const s = store(t, `s3:${ceph().endpoint}/no-such-bucket-${randomBytes(4).toString('hex')}/repo`);
  const ops: [string, () => Promise<unknown>][] = [
    ['get', () => s.get('config')],
    ['put', () => s.put('config', Buffer.from('x'))],
    ['size', () => s.size('config')],
    ['list', async () => {
      for await (const _ of s.list('snapshots/'));
    }],
  ];
  for (const [what, op] of ops) {
    const r = await timed(op());
    const e = r.error as StrataError;
    t.is(e?.code, 'E_S3_NO_BUCKET', `${what}: ${String(r.error)}`);
    t.regex(e.message, new RegExp(`bucket no-such-bucket-\\w+ does not exist at ${ceph().endpoint}`));
    t.true(r.ms < 3000, `${what}: ${r.ms} ms`);
    t.is(exitCodeFor(e), EXIT.NO_REPO);
  }
  await t.throwsAsync(s.get('config'), { code: 'E_S3_NO_BUCKET' }, 'the failed put created nothing');
});

serial('an unreachable endpoint (refused port, unknown host) → E_S3_UNREACHABLE within a few seconds, exit code 16', async (t) => {
  const port = await freePort();
  for (const address of [`s3:http://127.0.0.1:${port}/bucket/repo`, 's3:http://strata-no-such-host.invalid:7480/bucket']) {
    const s = store(t, address);
    const r = await timed(s.get('config'));
    const e = r.error as StrataError;
    t.is(e?.code, 'E_S3_UNREACHABLE', String(r.error));
    t.true(e.message.startsWith(`${address.replace(/\/$/, '')}: config: `), e.message);
    t.regex(e.message, /unreachable \(ECONNREFUSED\) \(after 4 attempts\)|cannot resolve the host .* \(ENOTFOUND|EAI_AGAIN\)/);
    t.true(r.ms < 8000, `${r.ms} ms`);
    t.is(exitCodeFor(e), EXIT.REMOTE_UNREACHABLE);
  }
});

serial('gateway paused (SIGSTOP) during a put, resumed after 2.5 s: the put completes or fails cleanly, never half-visible', async (t) => {
  const s = await newBucket(t, { idleTimeoutMs: 1000, retry: { baseMs: 100, maxMs: 1000 } });
  const data = pseudoRandom(6 * MIB, 21);
  const put = timed(s.put('packs/aa/paused', data));
  await sleep(20);
  ceph().pauseRgw();
  try {
    await sleep(2500);
  } finally {
    ceph().resumeRgw();
  }
  const r = await put;
  t.log(`put ${r.error ? `failed: ${String(r.error)}` : `returned ${r.value}`} after ${r.ms} ms, ${s.requests.retries} retries`);
  if (r.error) t.true(r.error instanceof StrataError, String(r.error));
  else t.true(r.value, 'put-if-absent reports its own write as written, also when an earlier attempt landed');
  t.true(s.requests.retries >= 1, 'the silent gateway was noticed and the request retried');
  const state = await wholeOrAbsent(t, s, 'packs/aa/paused', data);
  t.is(state, r.error ? state : 'whole');
  // and the gateway serves normally again
  t.true(await s.put('packs/aa/after', Buffer.from('after')));
});

serial('gateway paused during a multipart commit: completes or fails cleanly, no upload left open, never half-visible', async (t) => {
  const s = await newBucket(t, { idleTimeoutMs: 1000, retry: { baseMs: 100, maxMs: 1000 }, partSize: 5 * MIB, partsInFlight: 2 });
  const data = pseudoRandom(24 * MIB, 22);
  const w = s.openWriter();
  for (let off = 0; off < data.length; off += 2 * MIB) await w.write(data.subarray(off, off + 2 * MIB), off);
  const commit = timed(w.commit('packs/bb/multipart'));
  await sleep(50);
  ceph().pauseRgw();
  try {
    await sleep(2500);
  } finally {
    ceph().resumeRgw();
  }
  const r = await commit;
  t.log(`commit ${r.error ? `failed: ${String(r.error)}` : `returned ${r.value}`} after ${r.ms} ms, ${s.requests.retries} retries`);
  if (r.error) t.true(r.error instanceof StrataError, String(r.error));
  else t.true(r.value);
  t.true(s.requests.retries >= 1);
  const state = await wholeOrAbsent(t, s, 'packs/bb/multipart', data);
  if (!r.error) t.is(state, 'whole');
  t.deepEqual(await s.sweepTemporaries(0), { files: 0, bytes: 0 }, 'no multipart upload left open');
});

serial('gateway paused for longer than the retries last: the put fails with one E_S3_UNREACHABLE line, nothing half-visible', async (t) => {
  const s = await newBucket(t, { idleTimeoutMs: 500, retry: { attempts: 2, baseMs: 100, maxMs: 100 } });
  const data = pseudoRandom(6 * MIB, 25);
  const put = timed(s.put('snapshots/given-up', data));
  await sleep(20);
  ceph().pauseRgw();
  let r: Awaited<typeof put>;
  try {
    r = await put;
  } finally {
    ceph().resumeRgw();
  }
  const e = r.error as StrataError;
  t.is(e?.code, 'E_S3_UNREACHABLE', String(r.error));
  t.is(e.message, `${s.location}: snapshots/given-up: ${ceph().endpoint} did not answer in time (TimeoutError) (after 2 attempts)`);
  t.true(r.ms < 3000, `${r.ms} ms`);
  t.is(exitCodeFor(e), EXIT.REMOTE_UNREACHABLE);
  // whatever the resumed gateway makes of the requests it had queued: the whole object or none
  await sleep(500);
  t.log(`after the resume: ${await wholeOrAbsent(t, s, 'snapshots/given-up', data)}`);
});

serial('gateway stopped during a put and restarted: the put rides the retries through the restart', async (t) => {
  const s = await newBucket(t, { idleTimeoutMs: 2000, retry: { unreachableAttempts: 12, baseMs: 200, maxMs: 1000 } });
  const data = pseudoRandom(3 * MIB, 23);
  ceph().stopRgw();
  let restarted: Promise<void> | undefined;
  try {
    const put = timed(s.put('snapshots/restart', data));
    await sleep(1000);
    restarted = ceph().startRgw();
    await restarted;
    const r = await put;
    t.log(`put after the restart: ${r.error ? String(r.error) : r.value} in ${r.ms} ms, ${s.requests.retries} retries`);
    t.is(r.value, true, String(r.error));
    t.true(s.requests.retries >= 2, `${s.requests.retries} retries`);
    t.is(await wholeOrAbsent(t, s, 'snapshots/restart', data), 'whole');
  } finally {
    if (!restarted) await ceph().startRgw();
  }
});

serial('a ranged get with the gateway paused mid-way is retried and returns the right bytes', async (t) => {
  const s = await newBucket(t, { idleTimeoutMs: 1000, retry: { baseMs: 100, maxMs: 1000 } });
  const data = pseudoRandom(16 * MIB, 24);
  const w = s.openWriter();
  await w.write(data, 0);
  t.true(await w.commit('packs/cc/read'));
  const get = timed(s.get('packs/cc/read', MIB + 7, 12 * MIB));
  await sleep(10);
  ceph().pauseRgw();
  try {
    await sleep(2000);
  } finally {
    ceph().resumeRgw();
  }
  const r = await get;
  t.falsy(r.error, String(r.error));
  t.true((r.value as Buffer).equals(data.subarray(MIB + 7, 13 * MIB + 7)));
});
