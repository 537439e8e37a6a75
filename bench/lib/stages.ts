// Times each stage of the snapshot pipeline in-process on the same files the
// CLI benchmark uses: reading (warm cache), FastCDC cutting, BLAKE3 of each
// chunk, zstd level 3 and level 1 per chunk, and zstd decompression.
import * as fs from 'node:fs';
import { Compressor, Decompressor } from 'zstd-napi';
import { Chunker, DEFAULT_CHUNKER } from '../../src/chunker.js';
import { hashBytes } from '../../src/hash.js';

export interface StageResult {
  stage: string;
  seconds: number;
  bytesIn: number;
  mbps: number;
  bytesOut?: number;
  ratio?: number;
}

/** One pass over `files` per stage, with one reused buffer as large as the largest file. */
export function timeStages(files: readonly { path: string; size: number }[]): StageResult[] {
  const max = files.reduce((a, f) => Math.max(a, f.size), 0);
  const buf = Buffer.allocUnsafe(Math.max(1, max));
  buf.fill(0); // touch the memory once, outside the timers
  const chunker = new Chunker({ ...DEFAULT_CHUNKER, seed: 'bench' });
  const z3 = new Compressor();
  z3.setParameters({ compressionLevel: 3 });
  const z1 = new Compressor();
  z1.setParameters({ compressionLevel: 1 });
  const dz = new Decompressor();
  const t = { read: 0, chunk: 0, hash: 0, zstd3: 0, zstd1: 0, unzstd3: 0 };
  let total = 0;
  let out3 = 0;
  let out1 = 0;
  const now = () => performance.now() / 1000;
  for (const f of files) {
    let t0 = now();
    const fd = fs.openSync(f.path, 'r');
    let n = 0;
    try {
      for (let r; (r = fs.readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += r;
    } finally {
      fs.closeSync(fd);
    }
    t.read += now() - t0;
    total += n;
    const data = buf.subarray(0, n);
    t0 = now();
    const lens = chunker.split(data);
    t.chunk += now() - t0;
    let pos = 0;
    for (const len of lens) {
      const c = data.subarray(pos, pos + len);
      pos += len;
      t0 = now();
      hashBytes(c);
      const t1 = now();
      const c3 = z3.compress(c);
      const t2 = now();
      out1 += z1.compress(c).length;
      const t3 = now();
      dz.decompress(c3);
      const t4 = now();
      out3 += c3.length;
      t.hash += t1 - t0;
      t.zstd3 += t2 - t1;
      t.zstd1 += t3 - t2;
      t.unzstd3 += t4 - t3;
    }
  }
  const row = (stage: string, seconds: number, bytesOut?: number): StageResult => ({
    stage,
    seconds,
    bytesIn: total,
    mbps: total / 1e6 / seconds,
    ...(bytesOut !== undefined ? { bytesOut, ratio: bytesOut / total } : {}),
  });
  return [
    row('read (warm cache)', t.read),
    row('FastCDC chunking (avg 1 MiB)', t.chunk),
    row('BLAKE3 per chunk', t.hash),
    row('zstd level 3', t.zstd3, out3),
    row('zstd level 1', t.zstd1, out1),
    row('zstd decompress (level 3 output)', t.unzstd3),
  ];
}
