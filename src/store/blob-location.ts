// The 46-byte value the caches store per blob: pack id, type, compression,
// offset, stored and raw length (the fields of a pack entry, §3 of docs/format.md).
import type { PackEntry } from './pack.js';
import type { BlobLocation } from './ports.js';

export const LOC_LEN = 32 + 1 + 1 + 4 + 4 + 4;

export function encodeLoc(pack: Buffer, e: PackEntry): Buffer {
  const b = Buffer.allocUnsafe(LOC_LEN);
  pack.copy(b, 0);
  b[32] = e.type;
  b[33] = e.comp;
  b.writeUInt32LE(e.offset, 34);
  b.writeUInt32LE(e.length, 38);
  b.writeUInt32LE(e.rawLength, 42);
  return b;
}

export function decodeLoc(b: Buffer): BlobLocation {
  return {
    pack: Buffer.from(b.subarray(0, 32)),
    type: b[32] as BlobLocation['type'],
    comp: b[33]!,
    offset: b.readUInt32LE(34),
    length: b.readUInt32LE(38),
    rawLength: b.readUInt32LE(42),
  };
}
