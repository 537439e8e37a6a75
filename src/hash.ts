// BLAKE3 names every blob. This module is the only place that touches the
// `blake3` package, so the rest of the code deals in 32-byte Buffers and hex.
import { hash as b3hash, createHash } from 'blake3';

export const HASH_LEN = 32;

export function hashBytes(data: Uint8Array): Buffer {
  return b3hash(data) as Buffer;
}

export interface Hasher {
  update(data: Uint8Array): void;
  digest(): Buffer;
}

/** Incremental hasher for whole-file content hashes. */
export function newHasher(): Hasher {
  const h = createHash();
  return {
    update: (d) => void h.update(d),
    digest: () => h.digest() as Buffer,
  };
}

export const toHex = (h: Uint8Array): string => Buffer.from(h.buffer, h.byteOffset, h.byteLength).toString('hex');
export const fromHex = (s: string): Buffer => Buffer.from(s, 'hex');
