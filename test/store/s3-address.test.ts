// src/store/s3-address.ts and s3-retry.ts, without a server: restic's s3:
// address syntax (path style for custom endpoints, virtual-host style and the
// region for AWS), bad addresses (one E_USAGE line naming them), region and
// credentials from the environment, and how failures are sorted into retry,
// caller's business and permanent errors.
import test from 'ava';
import { StrataError } from '../../src/errors.js';
import { parseS3Address } from '../../src/store/s3-address.js';
import { classify, withRetry, DEFAULT_RETRY } from '../../src/store/s3-retry.js';
import { S3ObjectStore } from '../../src/store/s3-store.js';

test('s3:http(s)://host[:port]/bucket[/prefix] parses; custom endpoints are path style', (t) => {
  t.like(parseS3Address('s3:http://127.0.0.1:7480/backups/laptop'), {
    endpoint: 'http://127.0.0.1:7480',
    bucket: 'backups',
    prefix: 'laptop/',
    pathStyle: true,
    hostRegion: undefined,
    text: 's3:http://127.0.0.1:7480/backups/laptop',
  });
  t.like(parseS3Address('s3:https://s3.example.net/backups'), { endpoint: 'https://s3.example.net', bucket: 'backups', prefix: '', pathStyle: true });
  t.like(parseS3Address('s3:https://nas.local:9000/b-1/hosts/a/b/'), { endpoint: 'https://nas.local:9000', bucket: 'b-1', prefix: 'hosts/a/b/', text: 's3:https://nas.local:9000/b-1/hosts/a/b' });
  t.like(parseS3Address('s3:minio.lan:9000/bucket/x'), { endpoint: 'https://minio.lan:9000', bucket: 'bucket', prefix: 'x/' }, 'no scheme: https');
  t.like(parseS3Address('s3:http://[::1]:7480/bucket'), { endpoint: 'http://[::1]:7480', bucket: 'bucket' });
});

test('AWS hosts are virtual-host style and name their region', (t) => {
  t.like(parseS3Address('s3:https://s3.amazonaws.com/my-bucket/laptop'), { pathStyle: false, hostRegion: undefined, bucket: 'my-bucket', prefix: 'laptop/' });
  t.like(parseS3Address('s3:s3.eu-west-1.amazonaws.com/my-bucket'), { pathStyle: false, hostRegion: 'eu-west-1', endpoint: 'https://s3.eu-west-1.amazonaws.com' });
  t.like(parseS3Address('s3:https://s3-us-west-2.amazonaws.com/my-bucket'), { pathStyle: false, hostRegion: 'us-west-2' });
});

test('bad addresses: one E_USAGE line naming the address', (t) => {
  for (const bad of ['s3:', 's3:http://host', 's3:http://host/', 's3:ftp://host/bucket', 's3:http://host/Bucket_Upper', 's3:http://host/ab', 's3:http://u:p@host/bucket', 's3:http://host/bucket?x=1', 's3:http://host/bucket/../x', 'http://host/bucket']) {
    const e = t.throws(() => parseS3Address(bad), { instanceOf: StrataError }, bad);
    t.is(e?.code, 'E_USAGE', bad);
    t.true(e!.message.includes(JSON.stringify(bad)), e!.message);
    t.notRegex(e!.message, /\n/);
  }
});

test('region: option, AWS_DEFAULT_REGION, AWS_REGION, the host name, us-east-1', (t) => {
  const addr = 's3:https://s3.eu-west-1.amazonaws.com/bucket';
  t.is(new S3ObjectStore(addr, { region: 'x-1', env: { AWS_DEFAULT_REGION: 'y-1' } }).region, 'x-1');
  t.is(new S3ObjectStore(addr, { env: { AWS_DEFAULT_REGION: 'y-1', AWS_REGION: 'z-1' } }).region, 'y-1');
  t.is(new S3ObjectStore(addr, { env: { AWS_REGION: 'z-1' } }).region, 'z-1');
  t.is(new S3ObjectStore(addr, { env: {} }).region, 'eu-west-1');
  t.is(new S3ObjectStore('s3:http://127.0.0.1:1/bucket', { env: {} }).region, 'us-east-1');
  t.throws(() => new S3ObjectStore('s3:http://127.0.0.1:1/bucket', { partSize: 1 << 20 }), { code: 'E_USAGE', message: /5 MiB/ });
});

const sdkError = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

test('failures are sorted: transient, unreachable, timeout, auth, missing bucket, caller business, permanent', (t) => {
  const kinds: [unknown, string][] = [
    [sdkError('SlowDown', 503), 'transient'],
    [sdkError('InternalError', 500), 'transient'],
    [sdkError('Unknown', 502), 'transient'],
    [sdkError('RequestTimeout', 400), 'transient'],
    [sdkError('ConditionalRequestConflict', 409), 'transient'],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'transient'],
    [Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), 'unreachable'],
    [Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]), {}), 'unreachable'],
    [Object.assign(new Error('dns'), { code: 'ENOTFOUND' }), 'dns'],
    [Object.assign(new Error('idle'), { name: 'TimeoutError' }), 'timeout'],
    [sdkError('InvalidAccessKeyId', 403), 'auth'],
    [sdkError('SignatureDoesNotMatch', 403), 'auth'],
    [sdkError('Unknown', 403), 'auth'],
    [sdkError('NoSuchBucket', 404), 'no-bucket'],
    [sdkError('NoSuchKey', 404), 'missing'],
    [sdkError('NotFound', 404), 'missing'],
    [sdkError('PreconditionFailed', 412), 'precondition'],
    [sdkError('InvalidRange', 416), 'range'],
    [sdkError('InvalidArgument', 400), 'permanent'],
  ];
  for (const [e, kind] of kinds) t.is(classify(e).kind, kind, String(e));
});

test('withRetry backs off on transient failures and stops with one error naming the endpoint', async (t) => {
  const site = { location: 's3:http://h:1/b', endpoint: 'http://h:1', bucket: 'b', object: 'config' };
  let calls = 0;
  const retries: string[] = [];
  const v = await withRetry(
    async () => {
      if (++calls < 3) throw sdkError('SlowDown', 503);
      return 'ok';
    },
    site,
    { ...DEFAULT_RETRY, baseMs: 5 },
    (f) => retries.push(f.code),
  );
  t.is(v, 'ok');
  t.deepEqual(retries, ['SlowDown', 'SlowDown']);
  calls = 0;
  const e = await t.throwsAsync(
    withRetry(async () => {
      calls++;
      throw sdkError('InternalError', 500);
    }, site, { ...DEFAULT_RETRY, attempts: 4, baseMs: 1 }),
    { instanceOf: StrataError, code: 'E_S3' },
  );
  t.is(calls, 4);
  t.is(e!.message, 's3:http://h:1/b: config: http://h:1 kept failing: InternalError (HTTP 500) (after 4 attempts)');
  calls = 0;
  await t.throwsAsync(
    withRetry(async () => {
      calls++;
      throw sdkError('AccessDenied', 403);
    }, site, DEFAULT_RETRY),
    { code: 'E_S3_AUTH', message: /^s3:http:\/\/h:1\/b: config: access denied by http:\/\/h:1 \(AccessDenied\)/ },
  );
  t.is(calls, 1, 'permanent failures are not retried');
});

/** The host and path the SDK would send a GET of `name` to (captured before it leaves). */
async function requestTarget(address: string, name: string): Promise<{ hostname: string; path: string; port?: number }> {
  const s = new S3ObjectStore(address, { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', env: {}, retry: { attempts: 1 } });
  let seen: { hostname: string; path: string; port?: number } | undefined;
  await s
    .call('gets', name, (c, sdk) => {
      c.middlewareStack.add(
        () => async (args) => {
          const r = args.request as { hostname: string; path: string; port?: number };
          seen = { hostname: r.hostname, path: r.path, port: r.port };
          throw new Error('captured');
        },
        { step: 'finalizeRequest', priority: 'low' },
      );
      return c.send(new sdk.GetObjectCommand({ Bucket: s.bucket, Key: s.key(name) }));
    })
    .catch(() => undefined);
  await s.close();
  return seen!;
}

test('requests go path style to custom endpoints and virtual-host style to AWS', async (t) => {
  t.like(await requestTarget('s3:http://127.0.0.1:7480/backups/laptop', 'config'), { hostname: '127.0.0.1', path: '/backups/laptop/config', port: 7480 });
  t.like(await requestTarget('s3:https://s3.eu-west-1.amazonaws.com/my-bucket/laptop', 'packs/ab/abcd'), {
    hostname: 'my-bucket.s3.eu-west-1.amazonaws.com',
    path: '/laptop/packs/ab/abcd',
  });
});
