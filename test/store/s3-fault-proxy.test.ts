// Transient failures injected between the store and the real gateway by a
// small HTTP proxy: 503 SlowDown and 500 answers, connections reset before an
// answer, a GET body cut half-way, an upload cut half-way. The store must
// retry with backoff, return exactly the stored bytes, never leave a partial
// object, and give up with one E_S3 line when the failures do not stop.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { StrataError } from '../../src/errors.js';
import { S3ObjectStore } from '../../src/store/s3-store.js';
import { pseudoRandom } from '../helpers/cli.js';
import { useCeph } from '../helpers/ceph.js';

const { it, ceph } = useCeph(test);
const MIB = 1 << 20;

type Fault = 'pass' | 'slowdown' | 'internal' | 'reset' | 'cut-response' | 'cut-request' | 'no-content-range';

/** A proxy to the gateway; `decide` picks each request's fate. Closed when the test ends. */
async function proxy(t: ExecutionContext, decide: (req: http.IncomingMessage) => Fault): Promise<{ endpoint: string; seen: Fault[] }> {
  const upstream = new URL(ceph().endpoint);
  const seen: Fault[] = [];
  const server = http.createServer((req, res) => {
    const fault = decide(req);
    seen.push(fault);
    if (fault === 'reset') return req.socket.destroy();
    if (fault === 'slowdown' || fault === 'internal') {
      req.resume();
      req.on('end', () => {
        const [status, code] = fault === 'slowdown' ? [503, 'SlowDown'] : [500, 'InternalError'];
        res.writeHead(status, { 'content-type': 'application/xml' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected</Message></Error>`);
      });
      return;
    }
    const up = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (ures) => {
      if (fault === 'no-content-range') {
        // a server that ignores Range answers 200 without Content-Range
        delete ures.headers['content-range'];
        res.writeHead(200, ures.headers);
        return void ures.pipe(res);
      }
      res.writeHead(ures.statusCode ?? 502, ures.headers);
      if (fault !== 'cut-response') return void ures.pipe(res);
      let sent = 0;
      const half = Number(ures.headers['content-length'] ?? 0) / 2;
      ures.on('data', (chunk: Buffer) => {
        if (sent >= half) return;
        res.write(chunk);
        sent += chunk.length;
        if (sent >= half) {
          ures.destroy();
          res.socket?.destroy(); // the client sees the body end early
        }
      });
      ures.on('end', () => res.end());
    });
    up.on('error', () => res.socket?.destroy());
    if (fault !== 'cut-request') return void req.pipe(up);
    // forward half of the body, then drop both connections: the gateway gets a short upload
    let got = 0;
    const half = Number(req.headers['content-length'] ?? 0) / 2;
    req.on('data', (chunk: Buffer) => {
      if (got >= half) return;
      up.write(chunk);
      got += chunk.length;
      if (got >= half) {
        up.destroy();
        req.socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())).then(() => undefined));
  t.teardown(() => server.closeAllConnections());
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** A bucket made directly on the gateway, and a store reaching it through the proxy. */
async function throughProxy(t: ExecutionContext, decide: (req: http.IncomingMessage) => Fault, opts: { attempts?: number; partSize?: number } = {}) {
  const c = ceph();
  const bucket = `p-${randomBytes(5).toString('hex')}`;
  const direct = new S3ObjectStore(`s3:${c.endpoint}/${bucket}/repo`, { accessKeyId: c.accessKey, secretAccessKey: c.secretKey });
  t.teardown(() => direct.close());
  await direct.ensureBucket();
  const p = await proxy(t, decide);
  const s = new S3ObjectStore(`s3:${p.endpoint}/${bucket}/repo`, {
    accessKeyId: c.accessKey,
    secretAccessKey: c.secretKey,
    idleTimeoutMs: 2000,
    retry: { attempts: opts.attempts ?? 8, baseMs: 50, maxMs: 400 },
    partSize: opts.partSize,
  });
  t.teardown(() => s.close());
  return { s, direct, seen: p.seen };
}

/** Fail the first `n` requests matching `match` with `fault`, pass the rest. */
function firstN(n: number, fault: Fault, match: (req: http.IncomingMessage) => boolean = () => true) {
  let left = n;
  return (req: http.IncomingMessage): Fault => (match(req) && left-- > 0 ? fault : 'pass');
}

it('503 SlowDown twice, then the put goes through: retried with backoff, written once', async (t) => {
  const { s, direct, seen } = await throughProxy(t, firstN(2, 'slowdown'));
  const data = pseudoRandom(2 * MIB, 31);
  t.true(await s.put('packs/aa/slow', data));
  t.deepEqual(seen, ['slowdown', 'slowdown', 'pass']);
  t.is(s.requests.retries, 2);
  t.is(s.requests.puts, 3);
  t.true((await direct.get('packs/aa/slow')).equals(data));
});

it('a gateway that keeps answering 500 → one E_S3 line after the attempts, nothing written', async (t) => {
  const { s, direct } = await throughProxy(t, () => 'internal', { attempts: 3 });
  const e = await t.throwsAsync(s.put('snapshots/never', Buffer.from('x')), { instanceOf: StrataError, code: 'E_S3' });
  t.is(e!.message, `${s.location}: snapshots/never: ${s.address.endpoint} kept failing: InternalError (HTTP 500) (after 3 attempts)`);
  t.is(await direct.size('snapshots/never'), undefined);
});

it('connections reset before the answer: get, put and list are retried and right', async (t) => {
  const { s, direct, seen } = await throughProxy(t, (() => {
    let n = 0;
    return () => (n++ % 2 === 0 ? 'reset' : 'pass'); // every other request
  })());
  const data = pseudoRandom(MIB, 32);
  t.true(await s.put('packs/bb/reset', data)); // may have landed before the reset: put-if-absent must still say true
  t.true((await s.get('packs/bb/reset', 1000, 5000)).equals(data.subarray(1000, 6000)));
  const names: string[] = [];
  for await (const n of s.list('packs/')) names.push(n);
  t.deepEqual(names, ['packs/bb/reset']);
  t.true((await direct.get('packs/bb/reset')).equals(data));
  t.true(seen.includes('reset'));
  t.true(s.requests.retries >= 3, `${s.requests.retries} retries`);
});

it('a GET body cut half-way is fetched again: exactly the stored bytes come back', async (t) => {
  const { s, direct, seen } = await throughProxy(t, firstN(2, 'cut-response', (req) => req.method === 'GET'));
  const data = pseudoRandom(4 * MIB, 33);
  t.true(await direct.put('packs/cc/cut', data));
  t.true((await s.get('packs/cc/cut')).equals(data), 'whole object');
  t.true((await s.get('packs/cc/cut', 123, 2 * MIB)).equals(data.subarray(123, 123 + 2 * MIB)), 'range');
  t.deepEqual(seen, ['cut-response', 'cut-response', 'pass', 'pass'], 'the first get was cut twice');
  t.is(s.requests.gets, 4);
});

it('an upload cut half-way leaves no object; the retry writes it whole (single put and multipart part)', async (t) => {
  const isPut = (req: http.IncomingMessage) => req.method === 'PUT' && Number(req.headers['content-length'] ?? 0) > 0;
  const { s, direct, seen } = await throughProxy(t, firstN(2, 'cut-request', isPut), { partSize: 5 * MIB });
  const small = pseudoRandom(3 * MIB, 34);
  t.true(await s.put('packs/dd/small', small));
  t.true((await direct.get('packs/dd/small')).equals(small));
  const big = pseudoRandom(12 * MIB, 35);
  const w = s.openWriter();
  await w.write(big, 0);
  t.true(await w.commit('packs/dd/big')); // its first part is cut
  t.true((await direct.get('packs/dd/big')).equals(big));
  t.is(seen.filter((f) => f === 'cut-request').length, 2);
  t.deepEqual(await direct.sweepTemporaries(0), { files: 0, bytes: 0 });
});

it('a part that keeps failing: the commit throws one E_S3 line, the upload is aborted, nothing is visible', async (t) => {
  const isPart = (req: http.IncomingMessage) => req.method === 'PUT' && /[?&]partNumber=3(&|$)/.test(req.url ?? '');
  const { s, direct, seen } = await throughProxy(t, (req) => (isPart(req) ? 'internal' : 'pass'), { attempts: 2, partSize: 5 * MIB });
  const spools = s.spools.count;
  const w = s.openWriter();
  await w.write(pseudoRandom(22 * MIB, 36), 0);
  const e = await t.throwsAsync(w.commit('packs/ee/failed'), { instanceOf: StrataError, code: 'E_S3' });
  t.regex(e!.message, /packs\/ee\/failed: .* kept failing: InternalError \(HTTP 500\) \(after 2 attempts\)$/);
  t.is(seen.filter((f) => f === 'internal').length, 2);
  t.is(await direct.size('packs/ee/failed'), undefined, 'not visible');
  t.deepEqual(await direct.sweepTemporaries(0), { files: 0, bytes: 0 }, 'the upload was aborted');
  t.is(s.spools.count, spools, 'the spool is released');
  t.is(s.buffers.inUse, 0);
});

it('a server that ignores Range (200, no Content-Range) is an error, never the wrong bytes', async (t) => {
  const { s, direct } = await throughProxy(t, (req) => (req.method === 'GET' ? 'no-content-range' : 'pass'));
  const data = pseudoRandom(100_000, 37);
  t.true(await direct.put('packs/ff/range', data));
  await t.throwsAsync(s.get('packs/ff/range', 1000, 10), { instanceOf: StrataError, code: 'E_S3', message: /did not honour the range bytes=1000-1009/ });
  t.true((await s.get('packs/ff/range')).equals(data), 'a whole-object read needs no range');
});
