// zstd per blob, skipped when it does not pay. Compression is per chunk (not
// per file) so memory stays bounded and a chunk can be read back alone.
import { createRequire } from 'node:module';
import { StrataError } from './errors.js';
// zstd-napi is CommonJS: required, not imported (start-up cost, see cli/main.ts)
const require = createRequire(import.meta.url);
export const COMP_NONE = 0;
export const COMP_ZSTD = 1;
let compressor;
let compressorLevel = -1;
let dctx;
/** Compress `raw`; returns it unchanged (COMP_NONE) when zstd saves < 3%. */
export function compressBlob(raw, level) {
    if (level <= 0 || raw.length < 64)
        return { data: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), comp: COMP_NONE };
    if (!compressor || compressorLevel !== level) {
        compressor = new (require('zstd-napi').Compressor)();
        compressor.setParameters({ compressionLevel: level });
        compressorLevel = level;
    }
    const out = compressor.compress(raw);
    if (out.length >= raw.length * 0.97)
        return { data: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), comp: COMP_NONE };
    return { data: out, comp: COMP_ZSTD };
}
/**
 * The raw bytes of a stored blob. `into`: where to put them when it is large
 * enough (a view of it is returned), so a streaming reader can reuse memory.
 */
export function decompressBlob(data, comp, rawLength, into) {
    if (comp === COMP_NONE)
        return data;
    if (comp !== COMP_ZSTD)
        throw new StrataError('E_CORRUPT', `unknown compression ${comp}`);
    dctx ??= new (zstdBinding().DCtx)();
    // exactly rawLength bytes of room: a frame that claims more is damaged, not a reason to allocate
    const out = into && into.length >= rawLength ? into.subarray(0, rawLength) : Buffer.allocUnsafe(rawLength);
    let n;
    try {
        n = dctx.decompress(out, data);
    }
    catch (e) {
        throw new StrataError('E_CORRUPT', `zstd: ${e.message}`, { cause: e });
    }
    if (n !== rawLength)
        throw new StrataError('E_CORRUPT', `decompressed ${n} bytes, expected ${rawLength}`);
    return out;
}
/** zstd-napi's native binding (CommonJS; its exports are invisible to an ESM import). */
function zstdBinding() {
    return require('zstd-napi/binding');
}
//# sourceMappingURL=compress.js.map