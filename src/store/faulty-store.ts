// An ObjectStore wrapper for tests that fails on purpose: the n-th put (or
// delete) of an object whose name starts with a prefix throws E_IO before
// anything is written. Tests use it to check write orders (packs → index
// segment → manifest) in-process, where a crash hook in production code
// would otherwise be needed.
import { StrataError } from '../errors.js';
import type { ObjectStore, ObjectWriter } from './object-store.js';

export interface Fault {
  op: 'put' | 'delete';
  prefix: string;
  /** fail the n-th matching call (1-based); later calls succeed */
  nth: number;
}

export class FaultyObjectStore implements ObjectStore {
  private readonly seen = new Map<Fault, number>();
  readonly failed: string[] = [];

  constructor(
    readonly inner: ObjectStore,
    readonly faults: Fault[] = [],
  ) {}

  get location(): string {
    return this.inner.location;
  }

  private check(op: Fault['op'], name: string): void {
    for (const f of this.faults) {
      if (f.op !== op || !name.startsWith(f.prefix)) continue;
      const n = (this.seen.get(f) ?? 0) + 1;
      this.seen.set(f, n);
      if (n === f.nth) {
        this.failed.push(`${op} ${name}`);
        throw new StrataError('E_IO', `injected fault: ${op} ${name}`);
      }
    }
  }

  async put(name: string, data: Buffer | readonly Buffer[]): Promise<boolean> {
    this.check('put', name);
    return this.inner.put(name, data);
  }

  get(name: string, offset?: number, length?: number, into?: Buffer): Promise<Buffer> {
    return this.inner.get(name, offset, length, into);
  }

  size(name: string): Promise<number | undefined> {
    return this.inner.size(name);
  }

  list(prefix: string): AsyncIterable<string> {
    return this.inner.list(prefix);
  }

  async delete(name: string): Promise<void> {
    this.check('delete', name);
    return this.inner.delete(name);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  get openWriter(): (() => ObjectWriter) | undefined {
    const w = this.inner.openWriter?.bind(this.inner);
    if (!w) return undefined;
    return () => {
      const inner = w();
      return {
        write: (d, p) => inner.write(d, p),
        read: (p, l) => inner.read(p, l),
        commit: async (name) => {
          try {
            this.check('put', name);
          } catch (e) {
            await inner.abort();
            throw e;
          }
          return inner.commit(name);
        },
        abort: () => inner.abort(),
      };
    };
  }
}
