// Failures of S3 requests, sorted into what to do about them: retry with
// exponential backoff (5xx, SlowDown, resets, timeouts, refused connections),
// hand back to the caller (missing object, failed precondition, bad range), or
// stop with one StrataError naming the endpoint (bad credentials, missing
// bucket, unknown host, retries used up).
import { StrataError } from '../errors.js';

export interface RetryPolicy {
  /** attempts for transient failures (5xx, SlowDown, resets, timeouts) */
  attempts: number;
  /** attempts while the endpoint refuses connections or its name does not resolve for now */
  unreachableAttempts: number;
  /** first backoff delay; doubles per attempt, with jitter, up to maxMs */
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, unreachableAttempts: 4, baseMs: 200, maxMs: 10_000 };

export type FailureKind =
  | 'transient' // retry
  | 'unreachable' // retry a few times, then E_S3_UNREACHABLE
  | 'timeout' // retry, then E_S3_UNREACHABLE
  | 'auth' // E_S3_AUTH at once
  | 'no-bucket' // E_S3_NO_BUCKET at once
  | 'dns' // E_S3_UNREACHABLE at once
  | 'missing' // the caller's business: object absent
  | 'precondition' // the caller's business: If-None-Match failed (412)
  | 'range' // the caller's business: 416
  | 'permanent'; // E_S3 at once

export interface Failure {
  kind: FailureKind;
  /** S3 error code or errno code or error name */
  code: string;
  status: number | undefined;
  message: string;
}

const NET_TRANSIENT = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET', 'EPROTO']);
const NET_UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EAI_AGAIN', 'EADDRNOTAVAIL']);
const AUTH = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'Forbidden', 'InvalidToken', 'ExpiredToken', 'TokenRefreshRequired', 'InvalidSecurity']);
const TRANSIENT_CODES = new Set(['SlowDown', 'RequestTimeout', 'InternalError', 'ServiceUnavailable', 'ConditionalRequestConflict', 'OperationAborted', 'RequestTimeTooSkewed', 'Throttling', 'ThrottlingException', 'TooManyRequests']);

function field(e: unknown, k: string): unknown {
  return typeof e === 'object' && e !== null ? (e as Record<string, unknown>)[k] : undefined;
}

export function classify(e: unknown): Failure {
  const meta = field(e, '$metadata') as { httpStatusCode?: number } | undefined;
  const status = meta?.httpStatusCode;
  let errno = field(e, 'code');
  const inner = field(e, 'errors'); // AggregateError of a dual-stack connect
  if (errno === undefined && Array.isArray(inner)) errno = field(inner[0], 'code');
  const cause = field(e, 'cause');
  if (errno === undefined && cause) errno = field(cause, 'code');
  const name = String(field(e, 'Code') ?? field(e, 'name') ?? 'Error');
  const message = String(field(e, 'message') ?? e).split('\n')[0]!;
  const f = (kind: FailureKind, code = name): Failure => ({ kind, code, status, message });
  if (typeof errno === 'string') {
    if (errno === 'ENOTFOUND') return f('dns', errno);
    if (NET_UNREACHABLE.has(errno)) return f('unreachable', errno);
    if (errno === 'ETIMEDOUT' || errno === 'ESOCKETTIMEDOUT') return f('timeout', errno);
    if (NET_TRANSIENT.has(errno)) return f('transient', errno);
  }
  if (name === 'TimeoutError' || name === 'AbortError') return f('timeout');
  if (name === 'NoSuchBucket') return f('no-bucket');
  if (name === 'NoSuchKey' || name === 'NoSuchUpload' || (status === 404 && name === 'NotFound')) return f('missing');
  if (name === 'PreconditionFailed' || status === 412) return f('precondition');
  if (name === 'InvalidRange' || status === 416) return f('range');
  if (AUTH.has(name) || status === 403 || status === 401) return f('auth');
  if (TRANSIENT_CODES.has(name) || (status !== undefined && (status >= 500 || status === 408 || status === 429))) return f('transient');
  if (status === undefined && typeof errno === 'string' && errno.startsWith('E')) return f('transient', errno); // other socket errors
  if (status === undefined && /socket|network|ECONN|terminated|aborted/i.test(message)) return f('transient');
  return f('permanent');
}

/** Where a request went, for messages: "s3:http://host:port/bucket/prefix" and the object. */
export interface RequestSite {
  location: string;
  endpoint: string;
  bucket: string;
  object?: string;
}

/** The StrataError for a failure that ends the operation. */
export function toStrataError(fl0: Failure, site: RequestSite, attempts: number, cause: unknown): StrataError {
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
  constructor(
    readonly failure: Failure,
    cause: unknown,
  ) {
    super(failure.message, { cause });
    this.name = 'S3CallerFailure';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Run `op` (one request; `attempt` counts from 1) until it succeeds, retrying
 * transient failures with exponential backoff and jitter. Missing objects,
 * failed preconditions and bad ranges come back as S3CallerFailure; the rest
 * as one StrataError naming the endpoint.
 */
export async function withRetry<T>(op: (attempt: number) => Promise<T>, site: RequestSite, policy: RetryPolicy, onRetry?: (f: Failure) => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op(attempt);
    } catch (e) {
      if (e instanceof StrataError) throw e;
      const fl = classify(e);
      if (fl.kind === 'missing' || fl.kind === 'precondition' || fl.kind === 'range') throw new S3CallerFailure(fl, e);
      const limit = fl.kind === 'unreachable' ? policy.unreachableAttempts : fl.kind === 'transient' || fl.kind === 'timeout' ? policy.attempts : 1;
      if (attempt >= limit) throw toStrataError(fl, site, attempt, e);
      onRetry?.(fl);
      const delay = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
      await sleep(delay * (0.5 + Math.random() * 0.5));
    }
  }
}
