// The one path from a blob's stored bytes to its verified raw bytes
// (docs/format.md §4): decompress according to its code, check the length and
// the blob's id (BLAKE3, keyed in an encrypted repository). Reads, check, prune's repack and repair all go through it
// In an encrypted repository the stored bytes are first opened (authenticated
// with the blob's id, type and compression code, format.md §3.1).
import { decompressBlob } from '../compress.js';
import { plainCipher, type RepoCipher } from '../crypto/repo-cipher.js';
import { StrataError } from '../errors.js';

export interface StoredForm {
  hash: Buffer;
  type: number;
  comp: number;
  rawLength: number;
}

const PLAIN = plainCipher();

/** The raw bytes of a stored blob, verified; `into`: where to put them when large enough. Throws E_CORRUPT naming `where`. */
export function decodeStoredBlob(stored: Buffer, e: StoredForm, where: string, into?: Buffer, cipher: RepoCipher = PLAIN): Buffer {
  let raw: Buffer;
  let inner = stored;
  if (cipher.encryption !== 'none') {
    try {
      inner = cipher.openBlob(e.hash, e.type, e.comp, stored);
    } catch (err) {
      throw new StrataError('E_CORRUPT', `blob ${e.hash.toString('hex')} in ${where} is corrupted: authentication failed (damaged or tampered)`, { cause: err });
    }
  }
  try {
    raw = decompressBlob(inner, e.comp, e.rawLength, into);
  } catch (err) {
    throw new StrataError('E_CORRUPT', `blob ${e.hash.toString('hex')} in ${where} is corrupted: ${(err as Error).message}`, { cause: err });
  }
  // the id: plain BLAKE3 of the raw bytes, keyed BLAKE3 in an encrypted repository (format.md §11.5.1)
  if (!cipher.blobId(raw).equals(e.hash)) throw new StrataError('E_CORRUPT', `blob ${e.hash.toString('hex')} in ${where} is corrupted: hash mismatch`);
  return raw;
}

/** Whether a stored blob decodes to its name. */
export function isIntactBlob(stored: Buffer, e: StoredForm, cipher: RepoCipher = PLAIN): boolean {
  try {
    decodeStoredBlob(stored, e, '', undefined, cipher);
    return true;
  } catch {
    return false;
  }
}
