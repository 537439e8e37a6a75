// ObjectStore in memory, for unit tests of everything above the store.
import { StrataError } from '../errors.js';
export class MemoryObjectStore {
    location = 'memory:';
    objects = new Map();
    async put(name, data) {
        if (this.objects.has(name))
            return false;
        this.objects.set(name, Buffer.concat(Buffer.isBuffer(data) ? [data] : [...data]));
        return true;
    }
    async get(name, offset = 0, length) {
        const b = this.objects.get(name);
        if (!b)
            throw new StrataError('E_OBJECT_MISSING', `missing repository file ${name}`);
        const end = length === undefined ? b.length : offset + length;
        if (end > b.length)
            throw new StrataError('E_CORRUPT', `${name}: short read at ${b.length}`);
        return Buffer.from(b.subarray(offset, end));
    }
    async size(name) {
        return this.objects.get(name)?.length;
    }
    async *list(prefix) {
        for (const k of this.objects.keys())
            if (k.startsWith(prefix))
                yield k;
    }
    async delete(name) {
        this.objects.delete(name);
    }
    async close() { }
}
//# sourceMappingURL=memory-store.js.map