// Failures of S3 requests, sorted into what to do about them: retry with
// exponential backoff (5xx, SlowDown, resets, timeouts, refused connections),
// hand back to the caller (missing object, failed precondition, bad range), or
// stop with one StrataError naming the endpoint (bad credentials, missing
// bucket, unknown host, retries used up).
import { StrataError } from '../errors.js';
export const DEFAULT_RETRY = { attempts: 8, unreachableAttempts: 4, baseMs: 200, maxMs: 10_000 };
const NET_TRANSIENT = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET', 'EPROTO']);
const NET_UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EAI_AGAIN', 'EADDRNOTAVAIL']);
const AUTH = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'Forbidden', 'InvalidToken', 'ExpiredToken', 'TokenRefreshRequired', 'InvalidSecurity']);
const TRANSIENT_CODES = new Set(['SlowDown', 'RequestTimeout', 'InternalError', 'ServiceUnavailable', 'ConditionalRequestConflict', 'OperationAborted', 'RequestTimeTooSkewed', 'Throttling', 'ThrottlingException', 'TooManyRequests']);
function field(e, k) {
    return typeof e === 'object' && e !== null ? e[k] : undefined;
}
export function classify(e) {
    const meta = field(e, '$metadata');
    const status = meta?.httpStatusCode;
    let errno = field(e, 'code');
    const inner = field(e, 'errors'); // AggregateError of a dual-stack connect
    if (errno === undefined && Array.isArray(inner))
        errno = field(inner[0], 'code');
    const cause = field(e, 'cause');
    if (errno === undefined && cause)
        errno = field(cause, 'code');
    const name = String(field(e, 'Code') ?? field(e, 'name') ?? 'Error');
    const message = String(field(e, 'message') ?? e).split('\n')[0];
    const f = (kind, code = name) => ({ kind, code, status, message });
    if (typeof errno === 'string') {
        if (errno === 'ENOTFOUND')
            return f('dns', errno);
        if (NET_UNREACHABLE.has(errno))
            return f('unreachable', errno);
        if (errno === 'ETIMEDOUT' || errno === 'ESOCKETTIMEDOUT')
            return f('timeout', errno);
        if (NET_TRANSIENT.has(errno))
            return f('transient', errno);
    }
    if (name === 'TimeoutError' || name === 'AbortError')
        return f('timeout');
    if (name === 'NoSuchBucket')
        return f('no-bucket');
    if (name === 'NoSuchKey' || name === 'NoSuchUpload' || (status === 404 && name === 'NotFound'))
        return f('missing');
    if (name === 'PreconditionFailed' || status === 412)
        return f('precondition');
    if (name === 'InvalidRange' || status === 416)
        return f('range');
    if (AUTH.has(name) || status === 403 || status === 401)
        return f('auth');
    if (TRANSIENT_CODES.has(name) || (status !== undefined && (status >= 500 || status === 408 || status === 429)))
        return f('transient');
    if (status === undefined && typeof errno === 'string' && errno.startsWith('E'))
        return f('transient', errno); // other socket errors
    if (status === undefined && /socket|network|ECONN|terminated|aborted/i.test(message))
        return f('transient');
    return f('permanent');
}
/** The StrataError for a failure that ends the operation. */
export function toStrataError(fl0, site, attempts, cause) {
    const fl = fl0.code === 'Unknown' && fl0.status ? { ...fl0, code: `HTTP ${fl0.status}`, status: undefined } : fl0;
    const at = site.object ? `${site.location}: ${site.object}` : site.location;
    const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
    switch (fl.kind) {
        case 'auth':
            return new StrataError('E_S3_AUTH', `${at}: access denied by ${site.endpoint} (${fl.code}): check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY`, { cause });
        case 'no-bucket':
            return new StrataError('E_S3_NO_BUCKET', `${site.location}: bucket ${site.bucket} does not exist at ${site.endpoint} (strata init creates it)`, { cause });
        case 'dns':
            return new StrataError('E_S3_UNREACHABLE', `${at}: cannot resolve the host of ${site.endpoint} (${fl.code})`, { cause });
        case 'unreachable':
            return new StrataError('E_S3_UNREACHABLE', `${at}: ${site.endpoint} is unreachable (${fl.code})${tries}`, { cause });
        case 'timeout':
            return new StrataError('E_S3_UNREACHABLE', `${at}: ${site.endpoint} did not answer in time (${fl.code})${tries}`, { cause });
        case 'transient':
            return new StrataError('E_S3', `${at}: ${site.endpoint} kept failing: ${fl.code}${fl.status ? ` (HTTP ${fl.status})` : ''}${tries}`, { cause });
        default:
            return new StrataError('E_S3', `${at}: ${site.endpoint} refused the request: ${fl.code}${fl.status ? ` (HTTP ${fl.status})` : ''}: ${fl.message}`, { cause });
    }
}
/** Failures the caller handles itself: thrown unchanged (classified) by `withRetry`. */
export class S3CallerFailure extends Error {
    failure;
    constructor(failure, cause) {
        super(failure.message, { cause });
        this.failure = failure;
        this.name = 'S3CallerFailure';
    }
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * Run `op` (one request; `attempt` counts from 1) until it succeeds, retrying
 * transient failures with exponential backoff and jitter. Missing objects,
 * failed preconditions and bad ranges come back as S3CallerFailure; the rest
 * as one StrataError naming the endpoint.
 */
export async function withRetry(op, site, policy, onRetry) {
    for (let attempt = 1;; attempt++) {
        try {
            return await op(attempt);
        }
        catch (e) {
            if (e instanceof StrataError)
                throw e;
            const fl = classify(e);
            if (fl.kind === 'missing' || fl.kind === 'precondition' || fl.kind === 'range')
                throw new S3CallerFailure(fl, e);
            const limit = fl.kind === 'unreachable' ? policy.unreachableAttempts : fl.kind === 'transient' || fl.kind === 'timeout' ? policy.attempts : 1;
            if (attempt >= limit)
                throw toStrataError(fl, site, attempt, e);
            onRetry?.(fl);
            const delay = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
            await sleep(delay * (0.5 + Math.random() * 0.5));
        }
    }
}
//# sourceMappingURL=s3-retry.js.map