// zstd per blob, skipped when it does not pay. Compression is per chunk (not
// per file) so memory stays bounded and a chunk can be read back alone.
import { Compressor, Decompressor } from 'zstd-napi';
import { StrataError } from './errors.js';

export const COMP_NONE = 0;
export const COMP_ZSTD = 1;
export type Compression = typeof COMP_NONE | typeof COMP_ZSTD;

let compressor: Compressor | undefined;
let compressorLevel = -1;
let decompressor: Decompressor | undefined;

/** Compress `raw`; returns it unchanged (COMP_NONE) when zstd saves < 3%. */
export function compressBlob(raw: Uint8Array, level: number): { data: Buffer; comp: Compression } {
  if (level <= 0 || raw.length < 64) return { data: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), comp: COMP_NONE };
  if (!compressor || compressorLevel !== level) {
    compressor = new Compressor();
    compressor.setParameters({ compressionLevel: level });
    compressorLevel = level;
  }
  const out = compressor.compress(raw);
  if (out.length >= raw.length * 0.97) return { data: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), comp: COMP_NONE };
  return { data: out, comp: COMP_ZSTD };
}

export function decompressBlob(data: Buffer, comp: number, rawLength: number): Buffer {
  if (comp === COMP_NONE) return data;
  if (comp !== COMP_ZSTD) throw new StrataError('E_CORRUPT', `unknown compression ${comp}`);
  decompressor ??= new Decompressor();
  let out: Buffer;
  try {
    out = decompressor.decompress(data);
  } catch (e) {
    throw new StrataError('E_CORRUPT', `zstd: ${(e as Error).message}`, { cause: e });
  }
  if (out.length !== rawLength) throw new StrataError('E_CORRUPT', `decompressed ${out.length} bytes, expected ${rawLength}`);
  return out;
}
