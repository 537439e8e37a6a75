// Crypto cost benchmark (issue #12): scrypt key derivation at the calibrated and
// fixed parameters; AEAD seal/open throughput of 1 MiB and 4 KiB messages with
// AES-256-GCM and ChaCha20-Poly1305 (the sealing construction of
// docs/encryption.md §4, subkey included); keyed against plain BLAKE3 on 1 MiB
// and 4 KiB inputs. One core, medians of several rounds; small and quick (~15 s).
// Run: node --import=tsx bench/crypto.ts   (prints a Markdown table; --json for JSON)
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { AEADS, open, seal } from '../src/crypto/aead.js';
import { calibrateScrypt, deriveKey } from '../src/crypto/kdf.js';
import { keyedHash, nativeCreateKeyed } from '../src/crypto/keyed-hash.js';
import { hashBytes } from '../src/hash.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const rows: { what: string; value: string }[] = [];
const out: Record<string, number> = {};

/** MB/s (10^6 bytes) of `f` over `bytes` per call, median of `rounds` rounds of at least `minMs` each. */
function throughput(bytes: number, f: () => void, rounds = 5, minMs = 300): number {
  for (let i = 0; i < 3; i++) f(); // warm up
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const t0 = now();
    let dt = 0;
    do {
      f();
      n++;
      dt = now() - t0;
    } while (dt < minMs);
    rates.push((n * bytes) / (dt / 1000) / 1e6);
  }
  return median(rates);
}

async function main(): Promise<void> {
  // KDF
  const t0 = now();
  const cal = calibrateScrypt(500);
  const calMs = now() - t0;
  const kdfTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const s = now();
    await deriveKey('benchmark password', cal);
    kdfTimes.push(now() - s);
  }
  rows.push({ what: `scrypt calibration (probe at N=2^14)`, value: `${calMs.toFixed(0)} ms → N=2^${Math.log2(cal.N)}, r=${cal.r}, p=${cal.p}` });
  rows.push({ what: `scrypt derivation at the calibrated N=2^${Math.log2(cal.N)} (median of 3)`, value: `${median(kdfTimes).toFixed(0)} ms` });
  out.kdfCalibratedLogN = Math.log2(cal.N);
  out.kdfCalibratedMs = median(kdfTimes);
  for (const logN of [15, 16, 17]) {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = now();
      await deriveKey('benchmark password', { ...cal, N: 2 ** logN });
      times.push(now() - s);
    }
    rows.push({ what: `scrypt N=2^${logN}, r=8, p=1 (${(128 * 2 ** logN * 8) >> 20} MiB)`, value: `${median(times).toFixed(0)} ms` });
    out[`kdfMs_N2^${logN}`] = median(times);
  }

  // AEAD
  const key = randomBytes(32);
  const aad = randomBytes(46);
  for (const size of [1 << 20, 4 << 10]) {
    const p = randomBytes(size);
    for (const aead of AEADS) {
      const sealed = seal(aead, key, p, aad);
      const s = throughput(size, () => seal(aead, key, p, aad));
      const o = throughput(size, () => open(aead, key, sealed, aad, 'bench'));
      const label = size === 1 << 20 ? '1 MiB' : '4 KiB';
      rows.push({ what: `${aead} seal / open, ${label} messages`, value: `${s.toFixed(0)} / ${o.toFixed(0)} MB/s` });
      out[`${aead}_seal_${label}`] = s;
      out[`${aead}_open_${label}`] = o;
    }
  }

  // keyed BLAKE3
  rows.push({ what: 'keyed BLAKE3 implementation', value: nativeCreateKeyed ? 'native (@c4312/blake3-native createKeyed)' : 'WebAssembly fallback' });
  for (const size of [1 << 20, 4 << 10]) {
    const d = randomBytes(size);
    const k = throughput(size, () => keyedHash(key, d));
    const u = throughput(size, () => hashBytes(d));
    const label = size === 1 << 20 ? '1 MiB' : '4 KiB';
    rows.push({ what: `BLAKE3 keyed / plain, ${label} inputs`, value: `${k.toFixed(0)} / ${u.toFixed(0)} MB/s` });
    out[`blake3_keyed_${label}`] = k;
    out[`blake3_plain_${label}`] = u;
  }

  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify({ ...out, loadavg1: os.loadavg()[0] }, null, 2) + '\n');
  else {
    const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
    process.stdout.write(`| measure (one core, ${new Date().toISOString().slice(0, 16)}Z, ${os.cpus().length} CPUs, load ${load}) | result |\n|---|---|\n`);
    for (const r of rows) process.stdout.write(`| ${r.what} | ${r.value} |\n`);
  }
}

await main();
