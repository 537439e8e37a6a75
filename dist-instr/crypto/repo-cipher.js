// One object the store can use for both kinds of repository (docs/encryption.md
// §5–6): `encryptedCipher(master, aead)` names blobs by keyed BLAKE3 and seals
// them, `plainCipher()` ("encryption": "none", and format 1) names them by
// BLAKE3 and stores them as they are. Named objects (manifests, index
// segments) are checked against their name after opening, in both cases.
import { StrataError } from '../errors.js';
import { hashBytes, newHasher, toHex } from '../hash.js';
import { BlobCrypter, SEAL_OVERHEAD, openObject, sealObject } from './aead.js';
import { gearBytes, keyedHash, newKeyedHasher } from './keyed-hash.js';
export function cipherFromSpec(spec) {
    if (spec.encryption === 'none')
        return plainCipher();
    const m = spec.master;
    // structured clone hands Uint8Arrays over: make them Buffers again
    return encryptedCipher({ encrypt: Buffer.from(m.encrypt), blobId: Buffer.from(m.blobId), chunker: Buffer.from(m.chunker) }, spec.encryption);
}
export function encryptedCipher(master, aead = 'aes-256-gcm') {
    const { encrypt, blobId, chunker } = master;
    const blobs = new BlobCrypter(aead, encrypt); // one key object and AAD buffer for every blob
    return {
        encryption: aead,
        blobOverhead: SEAL_OVERHEAD,
        blobId: (raw) => keyedHash(blobId, raw),
        newBlobHasher: () => newKeyedHasher(blobId),
        gearBytes: () => gearBytes(chunker),
        sealBlob: (id, type, comp, stored) => blobs.sealBlob(id, type, comp, stored),
        sealBlobTo: (id, type, comp, stored, emit) => blobs.sealBlobTo(id, type, comp, stored, emit),
        openBlob: (id, type, comp, sealed, where) => blobs.openBlobInto(id, type, comp, sealed, undefined, where),
        openBlobInto: (id, type, comp, sealed, into, where) => blobs.openBlobInto(id, type, comp, sealed, into, where),
        sealObject: (kind, name, plaintext) => sealObject(aead, encrypt, kind, name, plaintext),
        openObject: (kind, name, bytes) => openObject(aead, encrypt, kind, name, bytes),
        sealNamed: (kind, plaintext) => {
            const name = toHex(keyedHash(blobId, plaintext));
            return { name, bytes: sealObject(aead, encrypt, kind, name, plaintext) };
        },
        openNamed: (kind, name, bytes) => {
            const plain = openObject(aead, encrypt, kind, name, bytes);
            if (toHex(keyedHash(blobId, plain)) !== name)
                throw new StrataError('E_CORRUPT', `${kind} ${name}: content does not match its name`);
            return plain;
        },
        spec: () => ({ encryption: aead, master }),
    };
}
export function plainCipher() {
    return {
        encryption: 'none',
        blobOverhead: 0,
        blobId: (raw) => hashBytes(raw),
        newBlobHasher: () => newHasher(),
        gearBytes: () => undefined,
        sealBlob: (_id, _type, _comp, stored) => Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength),
        sealBlobTo: (_id, _type, _comp, stored, emit) => {
            emit(stored);
            return stored.length;
        },
        openBlob: (_id, _type, _comp, sealed) => Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength),
        openBlobInto: (_id, _type, _comp, sealed) => Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength),
        sealObject: (_kind, _name, plaintext) => Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength),
        openObject: (_kind, _name, bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        sealNamed: (_kind, plaintext) => {
            const bytes = Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
            return { name: toHex(hashBytes(bytes)), bytes };
        },
        openNamed: (kind, name, bytes) => {
            if (toHex(hashBytes(bytes)) !== name)
                throw new StrataError('E_CORRUPT', `${kind} ${name}: content does not match its name`);
            return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        },
        spec: () => ({ encryption: 'none' }),
    };
}
//# sourceMappingURL=repo-cipher.js.map