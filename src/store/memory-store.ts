// ObjectStore in memory, for unit tests of everything above the store.
import { StrataError } from '../errors.js';
import type { ObjectStore } from './object-store.js';

export class MemoryObjectStore implements ObjectStore {
  readonly location = 'memory:';
  readonly objects = new Map<string, Buffer>();

  async put(name: string, data: Buffer | readonly Buffer[]): Promise<boolean> {
    if (this.objects.has(name)) return false;
    this.objects.set(name, Buffer.concat(Buffer.isBuffer(data) ? [data] : [...data]));
    return true;
  }

  async get(name: string, offset = 0, length?: number): Promise<Buffer> {
    const b = this.objects.get(name);
    if (!b) throw new StrataError('E_OBJECT_MISSING', `missing repository file ${name}`);
    const end = length === undefined ? b.length : offset + length;
    if (end > b.length) throw new StrataError('E_CORRUPT', `${name}: short read at ${b.length}`);
    return Buffer.from(b.subarray(offset, end));
  }

  async size(name: string): Promise<number | undefined> {
    return this.objects.get(name)?.length;
  }

  async *list(prefix: string): AsyncIterable<string> {
    for (const k of this.objects.keys()) if (k.startsWith(prefix)) yield k;
  }

  async delete(name: string): Promise<void> {
    this.objects.delete(name);
  }

  async close(): Promise<void> {}
}
