// One object the store can use for both kinds of repository (docs/encryption.md
// §5–6): `encryptedCipher(master, aead)` names blobs by keyed BLAKE3 and seals
// them, `plainCipher()` ("encryption": "none", and format 1) names them by
// BLAKE3 and stores them as they are. Named objects (manifests, index
// segments) are checked against their name after opening, in both cases.
import { StrataError } from '../errors.js';
import { hashBytes, newHasher, toHex, type Hasher } from '../hash.js';
import { BlobCrypter, SEAL_OVERHEAD, openObject, sealObject, type AeadName, type ObjectKind } from './aead.js';
import { gearBytes, keyedHash, newKeyedHasher } from './keyed-hash.js';
import type { MasterKey } from './keys.js';

export interface RepoCipher {
  /** "none" or the AEAD, as the config's `encryption` field says */
  readonly encryption: 'none' | AeadName;
  /** bytes a stored blob has beyond its (compressed) content: 44 sealed, 0 plain */
  readonly blobOverhead: number;
  /** the id of a blob with these raw bytes */
  blobId(raw: Uint8Array): Buffer;
  /** incremental form of `blobId` */
  newBlobHasher(): Hasher;
  /** the 1024 gear bytes, or undefined when the config's seed gives them (plain) */
  gearBytes(): Buffer | undefined;
  sealBlob(id: Uint8Array, type: number, comp: number, stored: Uint8Array): Buffer;
  /** `sealBlob` handed to `emit` in pieces it must copy before returning (salt ‖ iv, ciphertext, tag); returns the total length */
  sealBlobTo(id: Uint8Array, type: number, comp: number, stored: Uint8Array, emit: (bytes: Uint8Array) => void): number;
  openBlob(id: Uint8Array, type: number, comp: number, sealed: Uint8Array, where?: string): Buffer;
  /**
   * `openBlob` with the plaintext written into `into` when it is large enough
   * (it may be `sealed` itself: decrypting in place); see BlobCrypter.openBlobInto.
   * Plain: a view of `sealed`, whatever `into`.
   */
  openBlobInto(id: Uint8Array, type: number, comp: number, sealed: Uint8Array, into?: Buffer, where?: string): Buffer;
  /** an object sealed under a given name (a pack table, the config secret); plain: as it is */
  sealObject(kind: ObjectKind, name: string, plaintext: Uint8Array): Buffer;
  /** the plaintext of `sealObject`'s output (E_CORRUPT when it fails authentication) */
  openObject(kind: ObjectKind, name: string, bytes: Uint8Array): Buffer;
  /** a content-named object (manifest, index segment): its name and the bytes to store */
  sealNamed(kind: ObjectKind, plaintext: Uint8Array): { name: string; bytes: Buffer };
  /** the plaintext of a content-named object, checked against its name (E_CORRUPT otherwise) */
  openNamed(kind: ObjectKind, name: string, bytes: Uint8Array): Buffer;
  /** what a worker thread of this process needs to build the same cipher (cipherFromSpec); never written anywhere */
  spec(): CipherSpec;
}

/** The keys of a RepoCipher, handed to this process's own worker threads (store/decode-pool.ts). */
export type CipherSpec = { encryption: 'none' } | { encryption: AeadName; master: MasterKey };

export function cipherFromSpec(spec: CipherSpec): RepoCipher {
  if (spec.encryption === 'none') return plainCipher();
  const m = spec.master;
  // structured clone hands Uint8Arrays over: make them Buffers again
  return encryptedCipher({ encrypt: Buffer.from(m.encrypt), blobId: Buffer.from(m.blobId), chunker: Buffer.from(m.chunker) }, spec.encryption);
}

export function encryptedCipher(master: MasterKey, aead: AeadName = 'aes-256-gcm'): RepoCipher {
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
      if (toHex(keyedHash(blobId, plain)) !== name) throw new StrataError('E_CORRUPT', `${kind} ${name}: content does not match its name`);
      return plain;
    },
    spec: () => ({ encryption: aead, master }),
  };
}

export function plainCipher(): RepoCipher {
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
      if (toHex(hashBytes(bytes)) !== name) throw new StrataError('E_CORRUPT', `${kind} ${name}: content does not match its name`);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    spec: () => ({ encryption: 'none' }),
  };
}
