// Authenticated encryption of everything strata stores (docs/encryption.md §4).
// One construction, `seal`, for blobs, whole objects and wrapped master keys:
// a fresh random 16-byte salt picks a one-use subkey (HMAC-SHA256 of the salt
// under the long-term key) and a fresh random 12-byte IV, then AES-256-GCM or
// ChaCha20-Poly1305 from node:crypto. Layout: salt ‖ iv ‖ ciphertext ‖ tag.
// Associated data binds a blob to its id, type and compression, and an object
// to its kind and name, so nothing can be swapped for something else.
// BlobCrypter is the hot path for blobs: same bytes, no per-blob key object,
// AAD or output allocation (strata-native's EVP calls, else 64 KiB pieces).
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { StrataError } from '../errors.js';
export const AEADS = ['aes-256-gcm', 'chacha20-poly1305'];
export const KEY_LEN = 32;
export const SALT_LEN = 16;
export const IV_LEN = 12;
export const TAG_LEN = 16;
/** bytes a sealed message has beyond its plaintext */
export const SEAL_OVERHEAD = SALT_LEN + IV_LEN + TAG_LEN;
export const isAead = (s) => s === 'aes-256-gcm' || s === 'chacha20-poly1305';
/** The one-use key of a seal: HMAC-SHA256(key, salt). */
export function subkey(key, salt) {
    return createHmac('sha256', key).update(salt).digest();
}
function checkKey(key) {
    if (key.length !== KEY_LEN)
        throw new StrataError('E_USAGE', `encryption key must be ${KEY_LEN} bytes, got ${key.length}`);
}
/**
 * Random salt+iv bytes, fetched from the CSPRNG 256 seals at a time (one
 * randomBytes call costs ~9 µs, a third of a small seal). Every byte is
 * handed out once: the position only moves forward, and the pool is refilled
 * when it runs out. Each worker thread has its own module, hence its own pool.
 */
const POOL_SEALS = 256;
let pool = Buffer.alloc(0);
let poolPos = 0;
function takeRandom(into) {
    const n = SALT_LEN + IV_LEN;
    if (poolPos + n > pool.length) {
        pool = randomBytes(n * POOL_SEALS);
        poolPos = 0;
    }
    pool.copy(into, 0, poolPos, poolPos + n);
    poolPos += n;
}
/**
 * `seal` as three pieces, [salt ‖ iv, ciphertext, tag], for writers that
 * write them with writev or copy them into a reused buffer: it skips the copy
 * into one fresh buffer, measured 40 % faster on 1 MiB blobs.
 */
export function sealParts(aead, key, plaintext, aad) {
    checkKey(key);
    const head = Buffer.allocUnsafe(SALT_LEN + IV_LEN);
    takeRandom(head);
    const c = createCipheriv(aead, subkey(key, head.subarray(0, SALT_LEN)), head.subarray(SALT_LEN), { authTagLength: TAG_LEN });
    c.setAAD(aad, { plaintextLength: plaintext.length });
    const body = c.update(plaintext);
    const tail = c.final();
    return [head, tail.length === 0 ? body : Buffer.concat([body, tail]), c.getAuthTag()];
}
/** Encrypts and authenticates `plaintext` with `aad`: salt ‖ iv ‖ ciphertext ‖ tag. */
export function seal(aead, key, plaintext, aad) {
    checkKey(key);
    const out = Buffer.allocUnsafe(SEAL_OVERHEAD + plaintext.length);
    takeRandom(out);
    const salt = out.subarray(0, SALT_LEN);
    const iv = out.subarray(SALT_LEN, SALT_LEN + IV_LEN);
    const c = createCipheriv(aead, subkey(key, salt), iv, { authTagLength: TAG_LEN });
    c.setAAD(aad, { plaintextLength: plaintext.length });
    let o = SALT_LEN + IV_LEN;
    o += c.update(plaintext).copy(out, o);
    o += c.final().copy(out, o);
    c.getAuthTag().copy(out, o);
    return out;
}
/**
 * The plaintext of `sealed`, or E_CORRUPT naming `what` when authentication
 * fails (a flipped bit, a truncation, other associated data, another key).
 */
export function open(aead, key, sealed, aad, what) {
    checkKey(key);
    if (sealed.length < SEAL_OVERHEAD)
        throw new StrataError('E_CORRUPT', `${what}: sealed data too short (${sealed.length} bytes)`);
    const salt = sealed.subarray(0, SALT_LEN);
    const iv = sealed.subarray(SALT_LEN, SALT_LEN + IV_LEN);
    const body = sealed.subarray(SALT_LEN + IV_LEN, sealed.length - TAG_LEN);
    const tag = sealed.subarray(sealed.length - TAG_LEN);
    try {
        const d = createDecipheriv(aead, subkey(key, salt), iv, { authTagLength: TAG_LEN });
        d.setAAD(aad, { plaintextLength: body.length });
        d.setAuthTag(tag);
        const head = d.update(body);
        const tail = d.final(); // throws when the tag does not verify
        return tail.length === 0 ? head : Buffer.concat([head, tail]);
    }
    catch (e) {
        throw new StrataError('E_CORRUPT', `${what}: authentication failed (damaged, tampered with, or not of this repository)`, { cause: e });
    }
}
const BLOB_TAG = Buffer.from('strata-blob\0', 'latin1');
const OBJECT_TAG = Buffer.from('strata-object\0', 'latin1');
/** Associated data of a blob: "strata-blob\0" ‖ type u8 ‖ comp u8 ‖ id (32 bytes). */
export function blobAad(id, type, comp) {
    if (id.length !== 32)
        throw new StrataError('E_USAGE', `blob id must be 32 bytes, got ${id.length}`);
    const aad = Buffer.allocUnsafe(BLOB_TAG.length + 2 + 32);
    BLOB_TAG.copy(aad, 0);
    aad[BLOB_TAG.length] = type;
    aad[BLOB_TAG.length + 1] = comp;
    aad.set(id, BLOB_TAG.length + 2);
    return aad;
}
/** Associated data of a whole object: "strata-object\0" ‖ kind ‖ "\0" ‖ name (ASCII). */
export function objectAad(kind, name) {
    if (!/^[\x21-\x7e]*$/.test(name))
        throw new StrataError('E_USAGE', `object name must be printable ASCII: ${JSON.stringify(name)}`);
    return Buffer.concat([OBJECT_TAG, Buffer.from(`${kind}\0${name}`, 'latin1')]);
}
const hex = (id) => Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex');
/** Seals a blob's stored (compressed or raw) bytes. */
export function sealBlob(aead, key, id, type, comp, stored) {
    return seal(aead, key, stored, blobAad(id, type, comp));
}
/** `sealBlob` as [salt ‖ iv, ciphertext, tag] (see `sealParts`). */
export function sealBlobParts(aead, key, id, type, comp, stored) {
    return sealParts(aead, key, stored, blobAad(id, type, comp));
}
/** Opens a sealed blob; E_CORRUPT names the blob. `where` (e.g. the pack) is added to the message. */
export function openBlob(aead, key, id, type, comp, sealed, where = '') {
    return open(aead, key, sealed, blobAad(id, type, comp), `blob ${hex(id)}${where ? ` in ${where}` : ''}`);
}
/** Seals a whole object (config secret, pack table, index segment, manifest) under its kind and name. */
export function sealObject(aead, key, kind, name, plaintext) {
    return seal(aead, key, plaintext, objectAad(kind, name));
}
/** Opens a sealed object; E_CORRUPT names it as `kind name`. */
export function openObject(aead, key, kind, name, sealed) {
    return open(aead, key, sealed, objectAad(kind, name), `${kind} ${name}`);
}
/**
 * strata-native's `aeadOpen` and `aeadSeal` (native/src/aead.c: OpenSSL's EVP,
 * straight into a given buffer), when the addon has them and they agree with
 * node:crypto on a sample both ways; else undefined and blobs go through
 * node:crypto in pieces. STRATA_NO_NATIVE turns it off like the rest of the addon.
 */
const native = (() => {
    try {
        if (process.env.STRATA_NO_NATIVE)
            return undefined;
        const a = createRequire(import.meta.url)('strata-native');
        if (typeof a.aeadOpen !== 'function' || typeof a.aeadSeal !== 'function' || !a.aeadAvailable?.())
            return undefined;
        for (const [alg, name] of [[0, 'aes-256-gcm'], [1, 'chacha20-poly1305']]) {
            const key = randomBytes(KEY_LEN);
            const plain = randomBytes(1000);
            const sealed = seal(name, key, plain, BLOB_TAG);
            const iv = sealed.subarray(SALT_LEN, SALT_LEN + IV_LEN);
            const body = sealed.subarray(SALT_LEN + IV_LEN, sealed.length - TAG_LEN);
            const tag = sealed.subarray(sealed.length - TAG_LEN);
            const k = subkey(key, sealed.subarray(0, SALT_LEN));
            const out = Buffer.alloc(plain.length);
            if (!a.aeadOpen(alg, k, iv, BLOB_TAG, body, tag, out) || !out.equals(plain))
                return undefined;
            const ct = Buffer.alloc(plain.length);
            const t2 = Buffer.alloc(TAG_LEN);
            a.aeadSeal(alg, k, iv, BLOB_TAG, plain, ct, t2);
            if (!ct.equals(body) || !t2.equals(tag))
                return undefined;
            tag[0] ^= 1;
            if (a.aeadOpen(alg, k, iv, BLOB_TAG, body, tag, out))
                return undefined;
        }
        return { open: a.aeadOpen, seal: a.aeadSeal };
    }
    catch {
        return undefined;
    }
})();
let useNative = native !== undefined;
/** Whether blobs are sealed and opened by strata-native; `on` (tests, benchmarks) switches to node:crypto pieces and back. */
export function nativeBlobCrypto(on) {
    if (on !== undefined)
        useNative = on && native !== undefined;
    return useNative;
}
/**
 * Bytes given to one `update` call. node:crypto has no "decrypt into this
 * buffer": every update returns a fresh buffer (for GCM allocated twice and
 * copied once inside node). Pieces of 64 KiB stay below malloc's mmap
 * threshold, so that memory is reused hot instead of faulted in fresh per
 * blob; they are copied where the caller wants the bytes.
 */
export const PIECE = 64 << 10;
/**
 * Sealing and opening blobs under one key, for the hot paths (packer, reads):
 * the HMAC key object is made once, the 46-byte associated data buffer is
 * reused, and the bytes go straight where they belong (`sealBlobTo` hands
 * them to a writer, `openBlobInto` writes them into a buffer the caller
 * owns): through strata-native when it is there (no allocation per blob),
 * else through node:crypto in 64 KiB pieces. Same bytes as `sealBlob` / `openBlob`.
 * Not re-entrant across an await: every method is synchronous.
 */
export class BlobCrypter {
    aead;
    hmacKey;
    aad = Buffer.allocUnsafe(BLOB_TAG.length + 2 + 32);
    head = Buffer.allocUnsafe(SALT_LEN + IV_LEN);
    tag = Buffer.allocUnsafe(TAG_LEN);
    /** ciphertext of the blob being sealed natively (reused; grows to the largest blob) */
    sealed = Buffer.allocUnsafe(0);
    alg;
    constructor(aead, key) {
        this.aead = aead;
        checkKey(key);
        this.alg = aead === 'aes-256-gcm' ? 0 : 1;
        this.hmacKey = createSecretKey(key);
        BLOB_TAG.copy(this.aad, 0);
    }
    /** `blobAad` written into the reused buffer (valid until the next call). */
    blobAad(id, type, comp) {
        if (id.length !== 32)
            throw new StrataError('E_USAGE', `blob id must be 32 bytes, got ${id.length}`);
        this.aad[BLOB_TAG.length] = type;
        this.aad[BLOB_TAG.length + 1] = comp;
        this.aad.set(id, BLOB_TAG.length + 2);
        return this.aad;
    }
    /**
     * Seals a blob's stored bytes, handing salt ‖ iv, the ciphertext (in
     * pieces) and the tag to `emit`, which must copy them before it returns
     * (they may be reused). Returns the sealed length (stored + 44).
     */
    sealBlobTo(id, type, comp, stored, emit) {
        const head = this.head;
        takeRandom(head);
        if (useNative) {
            const n = stored.length;
            if (this.sealed.length < n)
                this.sealed = Buffer.allocUnsafe(Math.max(n, 1 << 20));
            const out = this.sealed.subarray(0, n);
            native.seal(this.alg, subkey(this.hmacKey, head.subarray(0, SALT_LEN)), head.subarray(SALT_LEN), this.blobAad(id, type, comp), stored, out, this.tag);
            emit(head);
            if (n > 0)
                emit(out);
            emit(this.tag);
            return n + SEAL_OVERHEAD;
        }
        const c = createCipheriv(this.aead, subkey(this.hmacKey, head.subarray(0, SALT_LEN)), head.subarray(SALT_LEN), { authTagLength: TAG_LEN });
        c.setAAD(this.blobAad(id, type, comp), { plaintextLength: stored.length });
        emit(head);
        for (let o = 0; o < stored.length; o += PIECE)
            emit(c.update(stored.subarray(o, Math.min(o + PIECE, stored.length))));
        const tail = c.final();
        if (tail.length > 0)
            emit(tail);
        emit(c.getAuthTag());
        return stored.length + SEAL_OVERHEAD;
    }
    /** `sealBlobTo` into one new buffer. */
    sealBlob(id, type, comp, stored) {
        const out = Buffer.allocUnsafe(stored.length + SEAL_OVERHEAD);
        let o = 0;
        this.sealBlobTo(id, type, comp, stored, (b) => {
            out.set(b, o);
            o += b.length;
        });
        return out;
    }
    /**
     * Opens a sealed blob. The plaintext goes into `into` when it is large
     * enough (a view of it is returned), else into a new buffer. `into` may be
     * `sealed` itself or start before it in the same memory (decrypting in
     * place: each piece is read before its plaintext is written, 28 bytes
     * lower); it must not start after `sealed`'s first byte when they overlap.
     * When authentication fails, E_CORRUPT is thrown and `into` holds
     * unauthenticated bytes the caller must not use.
     */
    openBlobInto(id, type, comp, sealed, into, where = '') {
        const what = () => `blob ${hex(id)}${where ? ` in ${where}` : ''}`;
        if (sealed.length < SEAL_OVERHEAD)
            throw new StrataError('E_CORRUPT', `${what()}: sealed data too short (${sealed.length} bytes)`);
        const n = sealed.length - SEAL_OVERHEAD;
        if (into && into.length >= n && overlapsAfter(into, sealed))
            throw new StrataError('E_USAGE', 'openBlobInto: output would overwrite ciphertext not yet read');
        const out = into && into.length >= n ? into.subarray(0, n) : Buffer.allocUnsafe(n);
        const iv = sealed.subarray(SALT_LEN, SALT_LEN + IV_LEN);
        const tag = sealed.subarray(sealed.length - TAG_LEN);
        const body = sealed.subarray(SALT_LEN + IV_LEN, sealed.length - TAG_LEN);
        if (useNative && !sharesMemory(out, body)) {
            const k = subkey(this.hmacKey, sealed.subarray(0, SALT_LEN));
            if (!native.open(this.alg, k, iv, this.blobAad(id, type, comp), body, tag, out)) {
                throw new StrataError('E_CORRUPT', `${what()}: authentication failed (damaged, tampered with, or not of this repository)`);
            }
            return out;
        }
        try {
            const d = createDecipheriv(this.aead, subkey(this.hmacKey, sealed.subarray(0, SALT_LEN)), iv, { authTagLength: TAG_LEN });
            d.setAAD(this.blobAad(id, type, comp), { plaintextLength: n });
            d.setAuthTag(tag); // copied by node now; decrypting in place never reaches it anyway (it is after the ciphertext)
            let w = 0;
            for (let o = 0; o < n; o += PIECE) {
                const piece = d.update(body.subarray(o, Math.min(o + PIECE, n)));
                out.set(piece, w);
                w += piece.length;
            }
            const tail = d.final(); // throws when the tag does not verify
            if (tail.length > 0)
                out.set(tail, w);
            return out;
        }
        catch (e) {
            throw new StrataError('E_CORRUPT', `${what()}: authentication failed (damaged, tampered with, or not of this repository)`, { cause: e });
        }
    }
}
/** Whether two views share any byte. */
function sharesMemory(a, b) {
    return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}
/** Whether `out` shares memory with `input` and starts after input's first byte (writing it would overwrite unread input). */
function overlapsAfter(out, input) {
    if (out.buffer !== input.buffer)
        return false;
    const o = out.byteOffset;
    const i = input.byteOffset;
    return o > i && o < i + input.byteLength;
}
//# sourceMappingURL=aead.js.map