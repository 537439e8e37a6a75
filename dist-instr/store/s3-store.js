// ObjectStore on an S3-compatible object store (AWS S3, Ceph RGW, MinIO, …),
// through the AWS SDK v3 client, which is loaded on first use only so local
// commands keep their start-up time. Objects are written once: put sends
// If-None-Match: * (a 412 means the name exists); large objects go through
// S3Writer (multipart from a local spool, bounded memory). Every request runs
// under withRetry (timeouts, backoff, one clear error naming the endpoint) and
// is counted in `requests`. See docs/s3.md.
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import { StrataError } from '../errors.js';
import { parseS3Address } from './s3-address.js';
import { DEFAULT_RETRY, S3CallerFailure, toStrataError, withRetry } from './s3-retry.js';
import { BufferPool, S3Writer, SpoolFiles } from './s3-writer.js';
/** STRATA_TRACE_S3=1: one line per request attempt on stderr (start and end in ms since the process began, kind, object, duration), for diagnosing request counts and waits */
const TRACE = process.env.STRATA_TRACE_S3 === '1';
export { parseS3Address, isS3Address } from './s3-address.js';
const MIB = 1 << 20;
export class S3ObjectStore {
    opts;
    location;
    address;
    bucket;
    region;
    requests = { gets: 0, puts: 0, lists: 0, deletes: 0, heads: 0, retries: 0 };
    /** ranged GETs a restore keeps in flight (latency hides behind the others) */
    readsInFlight = 6;
    partSize;
    partsInFlight;
    buffers;
    spools;
    retry;
    sdk;
    closed = false;
    /** a request on an object succeeded, so the bucket exists */
    bucketSeen = false;
    constructor(address, opts = {}) {
        this.opts = opts;
        this.address = typeof address === 'string' ? parseS3Address(address) : address;
        this.location = this.address.text;
        this.bucket = this.address.bucket;
        const env = opts.env ?? process.env;
        this.region = opts.region ?? env.AWS_DEFAULT_REGION ?? env.AWS_REGION ?? this.address.hostRegion ?? 'us-east-1';
        this.retry = { ...DEFAULT_RETRY, ...opts.retry };
        this.partSize = opts.partSize ?? 8 * MIB;
        if (!(this.partSize >= 5 * MIB))
            throw new StrataError('E_USAGE', `S3 part size ${this.partSize} is below the 5 MiB minimum of S3`);
        this.partsInFlight = Math.max(1, opts.partsInFlight ?? 3);
        this.buffers = new BufferPool(this.partSize, this.partsInFlight);
        this.spools = new SpoolFiles(opts.spoolDir ?? os.tmpdir());
    }
    /** The SDK and a client, loaded and made on first use. */
    client() {
        this.sdk ??= (async () => {
            const env = this.opts.env ?? process.env;
            const accessKeyId = this.opts.accessKeyId ?? env.AWS_ACCESS_KEY_ID;
            const secretAccessKey = this.opts.secretAccessKey ?? env.AWS_SECRET_ACCESS_KEY;
            const sessionToken = this.opts.sessionToken ?? env.AWS_SESSION_TOKEN;
            if (!accessKeyId || !secretAccessKey) {
                throw new StrataError('E_S3_AUTH', `${this.location}: no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`);
            }
            // the pinned SDK warns on every start that its releases after January 2027 need Node 22
            process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
            const s3 = await import('@aws-sdk/client-s3');
            const client = new s3.S3Client({
                endpoint: this.address.endpoint,
                forcePathStyle: this.address.pathStyle,
                region: this.region,
                credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
                maxAttempts: 1, // withRetry retries, and counts
                requestChecksumCalculation: 'WHEN_REQUIRED', // else stream bodies fail with 411 on RGW
                responseChecksumValidation: 'WHEN_REQUIRED',
                requestHandler: { connectionTimeout: this.opts.connectTimeoutMs ?? 5000, socketTimeout: this.opts.idleTimeoutMs ?? 30_000 },
            });
            return { s3, client };
        })();
        return this.sdk;
    }
    /** Object key of a repository object name (checked). */
    key(name) {
        if (!name || name.startsWith('/') || name.split('/').some((p) => p === '..' || p === '.' || p === '')) {
            throw new StrataError('E_USAGE', `bad object name ${name}`);
        }
        return this.address.prefix + name;
    }
    /** One request with retries; each attempt counted under `kind`. */
    async call(kind, object, fn) {
        if (this.closed)
            throw new StrataError('E_IO', `${this.location}: store is closed`);
        const { s3, client } = await this.client();
        const site = this.site(object);
        const res = await withRetry(() => {
            this.requests[kind]++;
            if (!TRACE)
                return fn(client, s3);
            const t0 = performance.now();
            return fn(client, s3).finally(() => process.stderr.write(`s3 @${t0.toFixed(0)}-${performance.now().toFixed(0)} ${kind} ${object ?? ''} ${(performance.now() - t0).toFixed(1)} ms\n`));
        }, site, this.retry, () => this.requests.retries++);
        this.bucketSeen = true;
        return res;
    }
    async put(name, data) {
        const Key = this.key(name);
        const body = Buffer.isBuffer(data) ? data : Buffer.concat(data);
        const ContentMD5 = createHash('md5').update(body).digest('base64');
        let attempts = 0;
        try {
            await this.call('puts', name, (c, s3) => {
                attempts++;
                return c.send(new s3.PutObjectCommand({ Bucket: this.bucket, Key, Body: body, ContentLength: body.length, ContentMD5, IfNoneMatch: '*' }));
            });
            return true;
        }
        catch (e) {
            if (!(e instanceof S3CallerFailure) || e.failure.kind !== 'precondition')
                throw this.unexpected(e, name);
            // a retried put may have landed on an earlier attempt whose answer was lost: then the bytes are ours
            if (attempts > 1 && (await this.sameBytes(name, body)))
                return true;
            return false;
        }
    }
    async sameBytes(name, body) {
        if ((await this.size(name)) !== body.length)
            return false;
        return (await this.get(name)).equals(body);
    }
    async get(name, offset = 0, length, into) {
        const Key = this.key(name);
        if (length === 0)
            return Buffer.alloc(0);
        const ranged = offset > 0 || length !== undefined;
        const Range = ranged ? `bytes=${offset}-${length !== undefined ? offset + length - 1 : ''}` : undefined;
        try {
            return await this.call('gets', name, async (c, s3) => {
                const res = await c.send(new s3.GetObjectCommand({ Bucket: this.bucket, Key, Range }));
                const n = length ?? res.ContentLength;
                if (n === undefined)
                    throw new StrataError('E_S3', `${this.location}: ${name}: the response has no length`);
                if (ranged && !res.ContentRange?.startsWith(`bytes ${offset}-`)) {
                    // a server that ignores Range sends the whole object: taking its first bytes would be wrong bytes
                    throw new StrataError('E_S3', `${this.location}: ${name}: ${this.address.endpoint} did not honour the range ${Range} (Content-Range: ${res.ContentRange ?? 'none'})`);
                }
                const buf = into && into.length >= n ? into.subarray(0, n) : Buffer.allocUnsafe(n);
                let got = 0;
                for await (const chunk of res.Body) {
                    if (got + chunk.length > n)
                        throw new StrataError('E_CORRUPT', `${this.location}: ${name}: more bytes than asked for at ${offset}`);
                    chunk.copy(buf, got);
                    got += chunk.length;
                }
                if (got < n) {
                    // a shorter answer is a range past the end (as a local file's short read); a cut stream is retried
                    if (ranged && res.ContentLength !== undefined && got === res.ContentLength) {
                        throw new StrataError('E_CORRUPT', `${this.location}: ${name}: short read at ${offset + got} (object truncated?)`);
                    }
                    throw Object.assign(new Error(`response body ended after ${got} of ${n} bytes`), { code: 'ECONNRESET' });
                }
                return buf;
            });
        }
        catch (e) {
            if (e instanceof S3CallerFailure && e.failure.kind === 'missing')
                throw new StrataError('E_OBJECT_MISSING', `missing repository object ${name} in ${this.location}`);
            if (e instanceof S3CallerFailure && e.failure.kind === 'range') {
                throw new StrataError('E_CORRUPT', `${this.location}: ${name}: short read at ${offset} (the range is past the end of the object)`);
            }
            throw this.unexpected(e, name);
        }
    }
    async size(name) {
        const Key = this.key(name);
        try {
            const res = await this.call('heads', name, (c, s3) => c.send(new s3.HeadObjectCommand({ Bucket: this.bucket, Key })));
            return res.ContentLength ?? 0;
        }
        catch (e) {
            if (!(e instanceof S3CallerFailure && e.failure.kind === 'missing'))
                throw this.unexpected(e, name);
        }
        // a HEAD answer has no body: a 404 may also mean that the bucket is missing (asked once)
        if (!this.bucketSeen)
            await this.headBucket();
        return undefined;
    }
    /** True when the bucket exists; E_S3_NO_BUCKET when it does not (and `orThrow`). */
    async headBucket(orThrow = true) {
        try {
            await this.call('heads', undefined, (c, s3) => c.send(new s3.HeadBucketCommand({ Bucket: this.bucket })));
            return true;
        }
        catch (e) {
            if (!(e instanceof S3CallerFailure && e.failure.kind === 'missing'))
                throw this.unexpected(e, undefined);
            if (!orThrow)
                return false;
            throw toStrataError({ kind: 'no-bucket', code: 'NoSuchBucket', status: 404, message: '' }, this.site(undefined), 1, e);
        }
    }
    site(object) {
        return { location: this.location, endpoint: this.address.endpoint, bucket: this.bucket, object };
    }
    async *list(prefix) {
        const p = prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix;
        const Prefix = this.address.prefix + p;
        let ContinuationToken;
        do {
            const page = await this.call('lists', p || '/', (c, s3) => c.send(new s3.ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken, MaxKeys: 1000 }))).catch((e) => {
                throw this.unexpected(e, p);
            });
            for (const o of page.Contents ?? [])
                if (o.Key?.startsWith(Prefix))
                    yield o.Key.slice(this.address.prefix.length);
            ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (ContinuationToken);
    }
    async delete(name) {
        const Key = this.key(name);
        try {
            await this.call('deletes', name, (c, s3) => c.send(new s3.DeleteObjectCommand({ Bucket: this.bucket, Key })));
        }
        catch (e) {
            if (e instanceof S3CallerFailure && e.failure.kind === 'missing')
                return;
            throw this.unexpected(e, name);
        }
    }
    openWriter() {
        return new S3Writer(this);
    }
    /** Abort multipart uploads under the repository's prefix started more than `olderThanMs` ago (`dryRun`: only count them). */
    async sweepTemporaries(olderThanMs, dryRun = false) {
        const swept = { files: 0, bytes: 0 };
        const before = Date.now() - olderThanMs;
        let KeyMarker;
        let UploadIdMarker;
        do {
            const page = await this.call('lists', 'uploads', (c, s3) => c.send(new s3.ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: this.address.prefix || undefined, KeyMarker, UploadIdMarker }))).catch((e) => {
                throw this.unexpected(e, 'uploads');
            });
            for (const u of page.Uploads ?? []) {
                if (!u.Key || !u.UploadId || (u.Initiated && u.Initiated.getTime() > before))
                    continue;
                const { Key, UploadId } = u;
                const name = Key.slice(this.address.prefix.length);
                try {
                    let PartNumberMarker;
                    do {
                        const parts = await this.call('lists', name, (c, s3) => c.send(new s3.ListPartsCommand({ Bucket: this.bucket, Key, UploadId, PartNumberMarker })));
                        for (const part of parts.Parts ?? [])
                            swept.bytes += part.Size ?? 0;
                        PartNumberMarker = parts.IsTruncated ? parts.NextPartNumberMarker : undefined;
                    } while (PartNumberMarker);
                    if (!dryRun)
                        await this.call('deletes', name, (c, s3) => c.send(new s3.AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId })));
                    swept.files++;
                }
                catch (e) {
                    if (!(e instanceof S3CallerFailure && e.failure.kind === 'missing'))
                        throw this.unexpected(e, name); // gone meanwhile: fine
                }
            }
            KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
            UploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
        } while (KeyMarker);
        return swept;
    }
    /** Create the bucket when it does not exist (strata init). True when it was created. */
    async ensureBucket() {
        if (await this.headBucket(false))
            return false;
        const constraint = !this.address.pathStyle && this.region !== 'us-east-1';
        try {
            await this.call('puts', undefined, (c, s3) => c.send(new s3.CreateBucketCommand({
                Bucket: this.bucket,
                ...(constraint ? { CreateBucketConfiguration: { LocationConstraint: this.region } } : {}),
            })));
            return true;
        }
        catch (e) {
            if (e.cause?.name === 'BucketAlreadyOwnedByYou')
                return false;
            throw e;
        }
    }
    /** Failures that reached the caller although it does not handle them: E_S3 naming the object. */
    unexpected(e, name) {
        if (!(e instanceof S3CallerFailure))
            return e;
        const f = e.failure;
        return new StrataError('E_S3', `${this.location}${name ? `: ${name}` : ''}: unexpected answer from ${this.address.endpoint}: ${f.code}${f.status ? ` (HTTP ${f.status})` : ''}`, { cause: e });
    }
    async close() {
        if (this.closed)
            return;
        this.closed = true;
        this.spools.closeAll();
        if (this.sdk)
            (await this.sdk.catch(() => undefined))?.client.destroy();
    }
}
//# sourceMappingURL=s3-store.js.map