// Crypto cost benchmark (issue #12): scrypt key derivation at the calibrated and
// fixed parameters; AEAD seal/open throughput of 1 MiB and 4 KiB messages with
// AES-256-GCM and ChaCha20-Poly1305 (the sealing construction of
// docs/encryption.md §4, subkey included); keyed against plain BLAKE3 on 1 MiB
// and 4 KiB inputs. One core, medians of several rounds; small and quick (~30 s).
// Rates and times are per CPU second (process.cpuUsage), so that a machine
// shared with other work still gives comparable figures; wall-clock figures
// are printed beside them.
// Run: node --import=tsx bench/crypto.ts   (prints a Markdown table; --json for JSON)
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { AEADS, open, seal, sealParts } from '../src/crypto/aead.js';
import { calibrateScrypt, deriveKey } from '../src/crypto/kdf.js';
import { keyedHash, nativeCreateKeyed } from '../src/crypto/keyed-hash.js';
import { hashBytes } from '../src/hash.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const now = (): number => Number(process.hrtime.bigint()) / 1e6;
/** CPU time of this process (all threads), ms */
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const rows: { what: string; value: string }[] = [];
const out: Record<string, number> = {};

/** MB/s (10^6 bytes) of `f` over `bytes` per call, per CPU second, median of `rounds` rounds of at least `minMs` CPU ms each. */
function throughput(bytes: number, f: () => void, rounds = 5, minMs = 300): number {
  for (let i = 0; i < 3; i++) f(); // warm up
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const c0 = cpu();
    let dc = 0;
    do {
      f();
      n++;
      dc = cpu() - c0;
    } while (dc < minMs);
    rates.push((n * bytes) / (dc / 1000) / 1e6);
  }
  return median(rates);
}

/** CPU ms and wall ms of one run of `f` */
async function timed(f: () => Promise<unknown>): Promise<{ cpuMs: number; wallMs: number }> {
  const c0 = cpu();
  const w0 = now();
  await f();
  return { cpuMs: cpu() - c0, wallMs: now() - w0 };
}

async function main(): Promise<void> {
  // KDF
  const t0 = now();
  const cal = calibrateScrypt(500);
  const calMs = now() - t0;
  const kdf = async (N: number): Promise<{ cpuMs: number; wallMs: number }> => {
    const runs: { cpuMs: number; wallMs: number }[] = [];
    for (let i = 0; i < 3; i++) runs.push(await timed(() => deriveKey('benchmark password', { ...cal, N })));
    return { cpuMs: median(runs.map((r) => r.cpuMs)), wallMs: median(runs.map((r) => r.wallMs)) };
  };
  rows.push({ what: `scrypt calibration (two probes at N=2^14; wall clock)`, value: `${calMs.toFixed(0)} ms → N=2^${Math.log2(cal.N)}, r=${cal.r}, p=${cal.p}` });
  out.kdfCalibratedLogN = Math.log2(cal.N);
  for (const logN of [14, 15, 16, 17, 18]) {
    const k = await kdf(2 ** logN);
    rows.push({ what: `scrypt N=2^${logN}, r=8, p=1 (${(128 * 2 ** logN * 8) >> 20} MiB), median of 3`, value: `${k.cpuMs.toFixed(0)} ms CPU (${k.wallMs.toFixed(0)} ms wall)` });
    out[`kdfCpuMs_N2^${logN}`] = k.cpuMs;
    out[`kdfWallMs_N2^${logN}`] = k.wallMs;
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
      const sp = throughput(size, () => sealParts(aead, key, p, aad));
      rows.push({ what: `${aead} seal / sealParts / open, ${label} messages`, value: `${s.toFixed(0)} / ${sp.toFixed(0)} / ${o.toFixed(0)} MB/s per CPU s` });
      out[`${aead}_seal_${label}`] = s;
      out[`${aead}_sealParts_${label}`] = sp;
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
    rows.push({ what: `BLAKE3 keyed / plain, ${label} inputs`, value: `${k.toFixed(0)} / ${u.toFixed(0)} MB/s per CPU s` });
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
