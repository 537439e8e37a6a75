// BLAKE3 names every blob. This module is the only place that touches the
// `blake3` package, so the rest of the code deals in 32-byte Buffers and hex.
//
// The package's `hash`/`createHash` wrap every native hasher in a
// stream.Transform (~14 µs per call whatever the size); here the native
// binding's hasher is used directly when it is there, the package otherwise
// (its WebAssembly fallback).
import { createRequire } from 'node:module';
// The package itself is loaded only when the native binding cannot be used:
// importing it (an ESM import of CommonJS) costs ~80 ms of start-up.
const require = createRequire(import.meta.url);
let pkg;
const blake3Pkg = () => (pkg ??= require('blake3'));
/** requires modules as the `blake3` package sees them (its native and WebAssembly builds) */
const besideBlake3 = (id) => createRequire(require.resolve('blake3'))(id);
export const HASH_LEN = 32;
/** The native binding's `createHash` (no stream wrapper), or undefined when only WebAssembly is there. */
export const nativeCreateHash = (() => {
    try {
        const native = besideBlake3('@c4312/blake3-native/build/Release/blake3.node');
        if (typeof native.createHash !== 'function')
            return undefined;
        const probe = native.createHash();
        probe.update(new Uint8Array(1));
        // BLAKE3 of the single byte 0
        return probe.digest().toString('hex') === '2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213' ? native.createHash : undefined;
    }
    catch {
        return undefined;
    }
})();
/**
 * The WebAssembly build hashes small inputs faster than the native binding
 * (measured: 2 µs for 512 bytes, 7.6 µs for 4 KiB against a fixed ~20 µs per
 * native hasher; native wins from ~16 KiB). It is loaded (~25 ms) only once a
 * process has hashed enough small inputs, so short CLI commands never pay.
 */
const SMALL = 16 << 10;
const WASM_AFTER = 256;
let wasmHash;
let smallCount = 0;
function loadWasm() {
    try {
        const mod = besideBlake3('blake3-wasm');
        mod.load().then(() => {
            const probe = mod.hash(new Uint8Array(1));
            if (probe.toString('hex') === '2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213')
                wasmHash = mod.hash;
        }, () => undefined);
    }
    catch {
        // no WebAssembly build: the native binding does everything
    }
}
const PIECE = 256 << 10;
let piece;
/**
 * `h.update(data)`, except that a view of shared memory is fed through a
 * private copy in pieces: the native binding cannot read a SharedArrayBuffer
 * (it crashes the process: SIGSEGV in blake3_hash_many_avx512, seen with the
 * decode workers' buffers, store/decode-pool.ts).
 */
export function feedNative(h, data) {
    if (!(data.buffer instanceof SharedArrayBuffer)) {
        h.update(data);
        return;
    }
    piece ??= Buffer.allocUnsafeSlow(PIECE);
    for (let o = 0; o < data.length; o += PIECE) {
        const n = Math.min(PIECE, data.length - o);
        piece.set(data.subarray(o, o + n));
        h.update(piece.subarray(0, n));
    }
}
/** BLAKE3 of `data` (a view of shared memory too). */
export const hashBytes = nativeCreateHash
    ? (data) => {
        if (data.length < SMALL && !(data.buffer instanceof SharedArrayBuffer)) {
            if (wasmHash)
                return wasmHash(data);
            if (++smallCount === WASM_AFTER)
                loadWasm();
        }
        const h = nativeCreateHash();
        feedNative(h, data);
        return h.digest();
    }
    : (data) => blake3Pkg().hash(data);
/** Incremental hasher for whole-file content hashes. */
export function newHasher() {
    if (nativeCreateHash) {
        const h = nativeCreateHash();
        return {
            update: (d) => feedNative(h, d),
            digest: () => h.digest(),
        };
    }
    const h = blake3Pkg().createHash();
    return {
        update: (d) => void h.update(d),
        digest: () => h.digest(),
    };
}
export const toHex = (h) => Buffer.from(h.buffer, h.byteOffset, h.byteLength).toString('hex');
export const fromHex = (s) => Buffer.from(s, 'hex');
/** BLAKE3 in extendable-output mode: `length` bytes of output. */
export function hashXof(data, length) {
    if (nativeCreateHash) {
        const h = nativeCreateHash();
        feedNative(h, data);
        return h.digest(length);
    }
    return blake3Pkg().hash(data, { length });
}
//# sourceMappingURL=hash.js.map