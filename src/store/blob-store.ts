// The narrow interface through which every repository file (config, packs,
// snapshot manifests) is written and read. It is what a local directory and,
// later, an S3-compatible object store have in common: immutable named
// objects, put-if-absent, ranged reads, listing and deletion. Nothing else of
// the repository may depend on local-filesystem behaviour.

export interface BlobStore {
  /** A human-readable location, for messages. */
  readonly location: string;
  /**
   * Store `data` under `name` unless it exists. Durable when the promise
   * resolves (written, fsynced, renamed into place). Returns false when the
   * name already existed (the data is then not written).
   */
  put(name: string, data: Buffer | readonly Buffer[]): Promise<boolean>;
  /** Whole object, or `length` bytes from `offset`. Throws E_BLOB_MISSING when absent. */
  get(name: string, offset?: number, length?: number): Promise<Buffer>;
  /** Size in bytes, or undefined when absent. */
  size(name: string): Promise<number | undefined>;
  /** Names under a prefix ("packs/", "snapshots/"), in no particular order. */
  list(prefix: string): AsyncIterable<string>;
  /** Remove an object; absent objects are not an error. */
  delete(name: string): Promise<void>;
  /** Release open handles. */
  close(): Promise<void>;
}
