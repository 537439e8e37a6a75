// One small error hierarchy for all of strata. Every error carries a stable
// `code` (documented in README.md) so the CLI can map it to an exit code and
// scripts can match on it; the original error travels as `cause`.

export type ErrorCode =
  | 'E_USAGE' // bad arguments
  | 'E_NO_REPO' // path is not a strata repository
  | 'E_REPO_EXISTS' // init on a non-empty repository path
  | 'E_REPO_VERSION' // repository of an unknown format version
  | 'E_REPO_CONFIG' // damaged repository config
  | 'E_NO_SNAPSHOT' // snapshot reference matches nothing
  | 'E_AMBIGUOUS' // snapshot id prefix matches several
  | 'E_NO_PATH' // path absent from a snapshot
  | 'E_NOT_DIR' // expected a directory
  | 'E_NOT_FILE' // expected a regular file
  | 'E_BLOB_MISSING' // a referenced blob is not in the index
  | 'E_OBJECT_MISSING' // a repository object (config, manifest, lock, segment) is absent from the store
  | 'E_PACK_MISSING' // the index names a pack the repository no longer has (pruned meanwhile, or lost)
  | 'E_CORRUPT' // bytes read back do not match their hash / format
  | 'E_SOURCE' // the source directory cannot be read
  | 'E_FILE_CHANGED' // a file kept changing while being read
  | 'E_ABORTED' // stopped on request (SIGINT/SIGTERM)
  | 'E_LOCKED' // repository is locked by another process
  | 'E_NO_SPACE' // the disk under the repository (or its cache) is full: nothing of the source is to blame
  | 'E_INDEX' // the repository's index segments cannot be read: run `strata repair index`
  | 'E_IO' // other I/O failure
  | 'E_WRONG_PASSWORD' // no key object of the repository opens with the password given
  | 'E_NO_PASSWORD' // no password given and no terminal to ask on (or an empty one, or a failed password command)
  | 'E_PASSWORD_MISMATCH' // the two passwords typed at a prompt differ
  | 'E_S3_AUTH' // the object store refused the credentials (or they are missing)
  | 'E_S3_NO_BUCKET' // the bucket of an s3: repository does not exist
  | 'E_S3_UNREACHABLE' // the object store endpoint cannot be resolved, reached, or did not answer in time
  | 'E_S3' // any other permanent error of the object store
  | 'E_INTERRUPTED'; // the user interrupted the command (SIGINT/SIGTERM) before it finished

export class StrataError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StrataError';
    this.code = code;
  }
}

export function isStrataError(e: unknown, code?: ErrorCode): e is StrataError {
  return e instanceof StrataError && (code === undefined || e.code === code);
}

/** The errno code of a Node system error, if any. */
export function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}
