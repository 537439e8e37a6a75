// Keyed BLAKE3 (docs/encryption.md §5): the blob ids of an encrypted repository
// and its gear table. The native binding the repo already builds exposes keyed
// mode (`createKeyed` of @c4312/blake3-native); without it the `blake3`
// package's incremental `createKeyed` is used, fed at most 64 KiB per update:
// blake3-wasm 3.0.0 returns wrong digests when one call (its one-shot
// `keyedHash`, or one `update`) gets more than 1 MiB (measured against b3sum;
// test/crypto/keyed-hash.test.ts).
import { createRequire } from 'node:module';
import { StrataError } from '../errors.js';
import { feedNative } from '../hash.js';
const require = createRequire(import.meta.url);
const besideBlake3 = (id) => createRequire(require.resolve('blake3'))(id);
export const KEYED_KEY_LEN = 32;
/** keyed BLAKE3 of the empty input under the key "whats the Elvish word for friend" (official test vector) */
const PROBE_KEY = Buffer.from('whats the Elvish word for friend', 'latin1');
const PROBE_HEX = '92b2b75604ed3c761f9d6f62392c8a9227ad0ea3f09573e783f1498a4ed60d26';
/** The native binding's `createKeyed`, or undefined when it is not there or gives wrong answers. */
export const nativeCreateKeyed = (() => {
    try {
        const native = besideBlake3('@c4312/blake3-native/build/Release/blake3.node');
        if (typeof native.createKeyed !== 'function')
            return undefined;
        return native.createKeyed(PROBE_KEY).digest().toString('hex') === PROBE_HEX ? native.createKeyed : undefined;
    }
    catch {
        return undefined;
    }
})();
let pkg;
const blake3Pkg = () => (pkg ??= require('blake3'));
const PIECE = 64 << 10;
function feed(h, data) {
    for (let o = 0; o < data.length; o += PIECE)
        h.update(data.subarray(o, o + PIECE));
}
function checkKey(key) {
    if (key.length !== KEYED_KEY_LEN)
        throw new StrataError('E_USAGE', `keyed BLAKE3 needs a ${KEYED_KEY_LEN}-byte key, got ${key.length}`);
}
/** Keyed BLAKE3 of `data`: 32 bytes, or `length` bytes of extendable output. */
export function keyedHash(key, data, length = 32) {
    checkKey(key);
    if (nativeCreateKeyed) {
        const h = nativeCreateKeyed(key);
        feedNative(h, data);
        return h.digest(length);
    }
    const h = blake3Pkg().createKeyed(Buffer.from(key));
    feed(h, data);
    return h.digest({ length });
}
/** Incremental keyed hasher (for content streamed in pieces). */
export function newKeyedHasher(key) {
    checkKey(key);
    if (nativeCreateKeyed) {
        const h = nativeCreateKeyed(key);
        return { update: (d) => feedNative(h, d), digest: () => h.digest() };
    }
    const h = blake3Pkg().createKeyed(Buffer.from(key));
    return { update: (d) => feed(h, d), digest: () => h.digest() };
}
/** The 1024 bytes the gear table of an encrypted repository is read from: keyed BLAKE3 XOF of "strata-gear". */
export function gearBytes(chunkerKey) {
    return keyedHash(chunkerKey, Buffer.from('strata-gear', 'latin1'), 1024);
}
//# sourceMappingURL=keyed-hash.js.map