// Pack files: immutable containers of blobs with a self-describing trailer, so
// the index can always be rebuilt from the packs alone. Layout (docs/format.md):
//   "STRPACK\x01" | blob bytes ... | entries (48 B each) | count u32 | BLAKE3(entries) | "STRTRL\x00\x01"
// A pack is named by the BLAKE3 hash of its whole content.
import { StrataError } from '../errors.js';
import { HASH_LEN, hashBytes } from '../hash.js';

export const PACK_MAGIC = Buffer.from('STRPACK\x01', 'latin1');
export const TRAILER_MAGIC = Buffer.from('STRTRL\x00\x01', 'latin1');
export const ENTRY_LEN = 48;
export const FOOTER_LEN = 4 + HASH_LEN + 8;

export const BLOB_DATA = 0;
export const BLOB_TREE = 1;
export const BLOB_CHUNKLIST = 2;
export type BlobType = typeof BLOB_DATA | typeof BLOB_TREE | typeof BLOB_CHUNKLIST;

export interface PackEntry {
  hash: Buffer;
  type: BlobType;
  comp: number;
  offset: number;
  length: number;
  rawLength: number;
}

export function encodeEntries(entries: readonly PackEntry[]): Buffer {
  const out = Buffer.alloc(entries.length * ENTRY_LEN);
  entries.forEach((e, i) => {
    const o = i * ENTRY_LEN;
    e.hash.copy(out, o);
    out[o + 32] = e.type;
    out[o + 33] = e.comp;
    out.writeUInt32LE(e.offset, o + 36);
    out.writeUInt32LE(e.length, o + 40);
    out.writeUInt32LE(e.rawLength, o + 44);
  });
  return out;
}

export function encodeTrailer(entries: readonly PackEntry[]): Buffer {
  const body = encodeEntries(entries);
  const footer = Buffer.alloc(FOOTER_LEN);
  footer.writeUInt32LE(entries.length, 0);
  hashBytes(body).copy(footer, 4);
  TRAILER_MAGIC.copy(footer, 4 + HASH_LEN);
  return Buffer.concat([body, footer]);
}

/** Parse the footer: number of entries, and the expected hash of the entry table. */
export function parseFooter(footer: Buffer, packName: string): { count: number; entriesHash: Buffer } {
  if (footer.length !== FOOTER_LEN || !footer.subarray(4 + HASH_LEN).equals(TRAILER_MAGIC)) {
    throw new StrataError('E_CORRUPT', `pack ${packName}: bad trailer magic (truncated or not a pack)`);
  }
  return { count: footer.readUInt32LE(0), entriesHash: footer.subarray(4, 4 + HASH_LEN) };
}

export function parseEntries(body: Buffer, expectedHash: Buffer, packName: string, packSize: number): PackEntry[] {
  if (!hashBytes(body).equals(expectedHash)) throw new StrataError('E_CORRUPT', `pack ${packName}: trailer checksum mismatch`);
  const out: PackEntry[] = [];
  const dataEnd = packSize - body.length - FOOTER_LEN;
  for (let o = 0; o < body.length; o += ENTRY_LEN) {
    const e: PackEntry = {
      hash: Buffer.from(body.subarray(o, o + 32)),
      type: body[o + 32] as BlobType,
      comp: body[o + 33]!,
      offset: body.readUInt32LE(o + 36),
      length: body.readUInt32LE(o + 40),
      rawLength: body.readUInt32LE(o + 44),
    };
    if (e.offset < PACK_MAGIC.length || e.offset + e.length > dataEnd) {
      throw new StrataError('E_CORRUPT', `pack ${packName}: entry points outside the pack`);
    }
    out.push(e);
  }
  return out;
}

export function packObjectName(id: Buffer | string): string {
  const hex = typeof id === 'string' ? id : id.toString('hex');
  return `packs/${hex.slice(0, 2)}/${hex}`;
}

/** Reads the entry table of a pack through any ranged reader. */
export async function readPackEntries(
  name: string,
  size: number,
  read: (offset: number, length: number) => Promise<Buffer>,
): Promise<PackEntry[]> {
  if (size < PACK_MAGIC.length + FOOTER_LEN) throw new StrataError('E_CORRUPT', `pack ${name}: too short (${size} bytes)`);
  const { count, entriesHash } = parseFooter(await read(size - FOOTER_LEN, FOOTER_LEN), name);
  const bodyLen = count * ENTRY_LEN;
  if (bodyLen + FOOTER_LEN + PACK_MAGIC.length > size) throw new StrataError('E_CORRUPT', `pack ${name}: entry count ${count} exceeds the file`);
  return parseEntries(await read(size - FOOTER_LEN - bodyLen, bodyLen), entriesHash, name, size);
}
