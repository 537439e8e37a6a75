// The narrow interface through which every repository file (config, packs,
// snapshot manifests) is written and read. It is what a local directory and,
// later, an S3-compatible object store have in common: immutable named
// objects, put-if-absent, ranged reads, listing and deletion. Nothing else of
// the repository may depend on local-filesystem behaviour.

export interface ObjectStore {
  /** A human-readable location, for messages. */
  readonly location: string;
  /**
   * Store `data` under `name` unless it exists. Durable when the promise
   * resolves (written, fsynced, renamed into place). Returns false when the
   * name already existed (the data is then not written).
   */
  put(name: string, data: Buffer | readonly Buffer[]): Promise<boolean>;
  /**
   * Whole object, or `length` bytes from `offset`. Throws E_OBJECT_MISSING when
   * absent. `into`: a buffer the store may read into (and return a view of)
   * instead of allocating, when it is large enough.
   */
  get(name: string, offset?: number, length?: number, into?: Buffer): Promise<Buffer>;
  /** Size in bytes, or undefined when absent. */
  size(name: string): Promise<number | undefined>;
  /** Names under a prefix ("packs/", "snapshots/"), in no particular order. */
  list(prefix: string): AsyncIterable<string>;
  /** Remove an object; absent objects are not an error. */
  delete(name: string): Promise<void>;
  /** Release open handles. */
  close(): Promise<void>;
  /** Optional: ranged reads worth keeping in flight at once (restore); default 2. */
  readonly readsInFlight?: number;
  /**
   * Optional: atomically replace an object with bytes that carry the same
   * name (repair: a damaged pack rebuilt byte for byte from its verified blobs).
   */
  replace?(name: string, data: Buffer): Promise<void>;
  /**
   * Optional: write one large object (a pack) in pieces at a temporary name,
   * so it need not be held in memory. Nothing is visible until `commit`,
   * which gives the guarantees of `put`.
   */
  openWriter?(): ObjectWriter;
  /**
   * Optional: remove temporary objects (of writers that were killed) last
   * modified more than `olderThanMs` ago. Only safe while no writer can be
   * running: the caller holds the exclusive lock.
   */
  sweepTemporaries?(olderThanMs: number, dryRun?: boolean): Promise<{ files: number; bytes: number }>;
}

/** An object being written in pieces (ObjectStore.openWriter). */
export interface ObjectWriter {
  /** Write `data` at `position`; its memory must stay untouched until this resolves. */
  write(data: Uint8Array, position: number): Promise<void>;
  /** Bytes already written (their write resolved). */
  read(position: number, length: number): Buffer;
  /** Make the object durable under `name`; false when the name already existed (the pieces are dropped). */
  commit(name: string): Promise<boolean>;
  /** Drop the temporary object. */
  abort(): Promise<void>;
}
