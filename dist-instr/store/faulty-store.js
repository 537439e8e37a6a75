// An ObjectStore wrapper for tests that fails on purpose: the n-th put (or
// delete) of an object whose name starts with a prefix throws E_IO before
// anything is written. Tests use it to check write orders (packs → index
// segment → manifest) in-process, where a crash hook in production code
// would otherwise be needed.
import { StrataError } from '../errors.js';
export class FaultyObjectStore {
    inner;
    faults;
    seen = new Map();
    failed = [];
    constructor(inner, faults = []) {
        this.inner = inner;
        this.faults = faults;
    }
    get location() {
        return this.inner.location;
    }
    check(op, name) {
        for (const f of this.faults) {
            if (f.op !== op || !name.startsWith(f.prefix))
                continue;
            const n = (this.seen.get(f) ?? 0) + 1;
            this.seen.set(f, n);
            if (n === f.nth) {
                this.failed.push(`${op} ${name}`);
                throw new StrataError('E_IO', `injected fault: ${op} ${name}`);
            }
        }
    }
    async put(name, data) {
        this.check('put', name);
        return this.inner.put(name, data);
    }
    get(name, offset, length, into) {
        return this.inner.get(name, offset, length, into);
    }
    size(name) {
        return this.inner.size(name);
    }
    list(prefix) {
        return this.inner.list(prefix);
    }
    async delete(name) {
        this.check('delete', name);
        return this.inner.delete(name);
    }
    close() {
        return this.inner.close();
    }
    get openWriter() {
        const w = this.inner.openWriter?.bind(this.inner);
        if (!w)
            return undefined;
        return () => {
            const inner = w();
            return {
                write: (d, p) => inner.write(d, p),
                read: (p, l) => inner.read(p, l),
                commit: async (name) => {
                    try {
                        this.check('put', name);
                    }
                    catch (e) {
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
//# sourceMappingURL=faulty-store.js.map