// Deterministic synthetic file contents for benchmarks: text-like (words and
// lines, compresses ~3x), semi-compressible (text and random segments) and
// random bytes. AES-CTR is the PRNG: seedable, unique per seed, and fast.
import { createCipheriv, createHash } from 'node:crypto';

export type ContentKind = 'text' | 'semi' | 'random';

const ZEROS = Buffer.alloc(1 << 20);

/** A seeded pseudo-random byte stream. */
export class Rng {
  private readonly cipher;
  private pool = Buffer.alloc(0);
  private pos = 0;

  constructor(seed: string) {
    const k = createHash('sha256').update(seed).digest();
    this.cipher = createCipheriv('aes-128-ctr', k.subarray(0, 16), k.subarray(16, 32));
  }

  /** Fill `out` with random bytes. */
  fill(out: Buffer, start = 0, end = out.length): void {
    while (start < end) {
      const n = Math.min(end - start, ZEROS.length);
      const r = this.cipher.update(ZEROS.subarray(0, n));
      r.copy(out, start);
      start += n;
    }
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (this.pos + 4 > this.pool.length) {
      this.pool = this.cipher.update(ZEROS.subarray(0, 4096));
      this.pos = 0;
    }
    const v = this.pool.readUInt32LE(this.pos);
    this.pos += 4;
    return v % n;
  }

  /** Log-uniform integer in [lo, hi]. */
  logUniform(lo: number, hi: number): number {
    const u = this.int(1 << 30) / (1 << 30);
    return Math.round(Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo))));
  }
}

// A fixed vocabulary (same for every seed, like a language): 4096 words of 1-12 letters.
const VOCAB: Buffer[] = (() => {
  const r = new Rng('strata-bench-vocabulary');
  const words: Buffer[] = [];
  const letters = 'etaoinshrdlucmfwypvbgkjqxz';
  for (let i = 0; i < 4096; i++) {
    const len = 1 + Math.min(r.int(8), r.int(12)) + (i < 64 ? 0 : 1);
    const w = Buffer.allocUnsafe(len);
    // skewed letter frequencies, like natural text
    for (let j = 0; j < len; j++) w[j] = letters.charCodeAt(Math.min(r.int(26), r.int(26)));
    words.push(w);
  }
  return words;
})();
const PUNCT = Buffer.from(' , . ; : ( ) = { } -> // # "');

/** Text-like bytes: lines of words with indentation and punctuation. */
export function fillText(rng: Rng, out: Buffer, start = 0, end = out.length): void {
  const rnd = Buffer.allocUnsafe(Math.ceil((end - start) / 2) + 64);
  rng.fill(rnd);
  let ri = 0;
  let o = start;
  let col = 0;
  while (o < end) {
    const v = rnd.readUInt16LE(ri);
    ri += 2;
    if (ri + 2 > rnd.length) ri = 0; // only on tiny tails
    // Zipf-ish: small indices far more likely
    const idx = (v & 0xfff) >> ((v >> 12) & 0x7);
    const w = VOCAB[idx]!;
    for (let j = 0; j < w.length && o < end; j++) out[o++] = w[j]!;
    col += w.length;
    if (o >= end) break;
    if (col > 60 + (v & 15)) {
      out[o++] = 0x0a;
      col = 0;
      const indent = (v >> 4) & 3;
      for (let j = 0; j < indent * 2 && o < end; j++) out[o++] = 0x20;
    } else if ((v & 0x1f) === 3) {
      out[o++] = PUNCT[(v >> 5) % PUNCT.length]!;
      col++;
    } else {
      out[o++] = 0x20;
      col++;
    }
  }
}

/** Semi-compressible: alternating text and random segments of 4-64 KiB (about half each). */
export function fillSemi(rng: Rng, out: Buffer, start = 0, end = out.length): void {
  let o = start;
  while (o < end) {
    const n = Math.min(end - o, 4096 * (1 + rng.int(16)));
    if (rng.int(2) === 0) fillText(rng, out, o, o + n);
    else rng.fill(out, o, o + n);
    o += n;
  }
}

export function fillContent(kind: ContentKind, rng: Rng, out: Buffer, start = 0, end = out.length): void {
  if (kind === 'text') fillText(rng, out, start, end);
  else if (kind === 'semi') fillSemi(rng, out, start, end);
  else rng.fill(out, start, end);
}
