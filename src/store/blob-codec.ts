// The one path from a blob's stored bytes to its verified raw bytes
// (docs/format.md §4): decompress according to its code, check the length and
// the BLAKE3 name. Reads, check, prune's repack and repair all go through it
// (decryption will go here too).
import { decompressBlob } from '../compress.js';
import { StrataError } from '../errors.js';
import { hashBytes } from '../hash.js';

export interface StoredForm {
  hash: Buffer;
  comp: number;
  rawLength: number;
}

/** The raw bytes of a stored blob, verified; `into`: where to put them when large enough. Throws E_CORRUPT naming `where`. */
export function decodeStoredBlob(stored: Buffer, e: StoredForm, where: string, into?: Buffer): Buffer {
  let raw: Buffer;
  try {
    raw = decompressBlob(stored, e.comp, e.rawLength, into);
  } catch (err) {
    throw new StrataError('E_CORRUPT', `blob ${e.hash.toString('hex')} in ${where} is corrupted: ${(err as Error).message}`, { cause: err });
  }
  if (!hashBytes(raw).equals(e.hash)) throw new StrataError('E_CORRUPT', `blob ${e.hash.toString('hex')} in ${where} is corrupted: hash mismatch`);
  return raw;
}

/** Whether a stored blob decodes to its name. */
export function isIntactBlob(stored: Buffer, e: StoredForm): boolean {
  try {
    decodeStoredBlob(stored, e, '');
    return true;
  } catch {
    return false;
  }
}
