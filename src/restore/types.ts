// What a restore is asked to do and what it reports (restorer.ts does it).
import type { Kind, TreeEntry } from '../tree/codec.js';

export interface RestoreProgress {
  files: number;
  bytes: number;
  totalBytes: number;
  totalFiles: number;
  path: string;
}

export interface RestoreNotice {
  path: string;
  code: string;
  message: string;
}

/** One change to the target: reported in dry runs (and as it happens otherwise). */
export interface RestoreAction {
  op: 'create' | 'update' | 'delete' | 'meta' | 'fail' | 'skip';
  path: string; // relative to the target
  kind: Kind | 'other';
  reason?: string; // fail / skip
}

export interface RestoreRequest {
  /** what to restore: a directory's contents go into target; anything else becomes target/NAME */
  entry: TreeEntry;
  target: string;
  /** skip files whose existing content already matches (hash compare) */
  skipIdentical?: boolean;
  /** remove entries of restored directories that the snapshot does not have */
  delete?: boolean;
  /** change nothing, create nothing: only report actions (data is still read and verified) */
  dryRun?: boolean;
  /** restore extended attributes and ACLs (default true) */
  xattrs?: boolean;
  onAction?: (a: RestoreAction) => void;
  onProgress?: (p: RestoreProgress) => void;
  /** an entry not restored (counted in errors) */
  onNotice?: (n: RestoreNotice) => void;
  /** worth knowing, restored anyway or skipped on purpose (sockets, unsupported xattrs) */
  onWarning?: (n: RestoreNotice) => void;
  /** stop soon (E_ABORTED): the file being written is removed, finished ones stay */
  signal?: AbortSignal;
  /** tests: smaller content windows (content-batch.ts defaultWindow) */
  windowLimits?: { files: number; chunks: number; bytes: number };
  /** tests: a smaller pool of decoded bytes waiting for their writes (DEFAULT_WRITE_BYTES) */
  writeBytes?: number;
}

export interface RestoreStats {
  files: number;
  dirs: number;
  symlinks: number;
  others: number;
  links: number; // hard links made to an earlier name
  bytes: number;
  filesSkipped: number; // already identical
  deleted: number; // entries removed (--delete)
  errors: number;
  integrityErrors: number; // files left out because their data is missing or damaged
  warnings: number;
  tempsSwept: number; // leftovers of an interrupted restore removed
  durationMs: number;
}
