// Password-based key derivation for key objects (docs/encryption.md §3):
// scrypt from node:crypto, its parameters stored beside the key they made.
// `calibrateScrypt` tunes N like restic does, to about half a second of CPU on
// the machine running `init`/`key add`; `checkScryptParams` bounds what a key object
// may ask for, so an edited key object cannot make a reader allocate gigabytes.
import { randomBytes, scrypt, scryptSync } from 'node:crypto';
import { StrataError } from '../errors.js';
export const DERIVED_KEY_LEN = 32;
export const SALT_LEN = 32;
/** bounds a key object's parameters must respect (writers stay well inside them) */
export const SCRYPT_LIMITS = { minLogN: 14, maxLogN: 22, maxR: 32, maxP: 16, maxMemory: 1 << 30, minSalt: 16, maxSalt: 64 };
/** what calibration may choose between: 32 MiB … 256 MiB of memory at r = 8 (a busy machine still gets 2^15) */
const PROBE_LOG_N = 14;
const CAL_MIN_LOG_N = 15;
const CAL_MAX_LOG_N = 18;
/** Bytes of memory scrypt needs for these parameters (128·N·r, plus a little). */
export const scryptMemory = (N, r, p) => 128 * N * r + 128 * r * p + 1024 * 1024;
/** Throws E_CORRUPT naming `what` unless the parameters are ones strata accepts. */
export function checkScryptParams(p, what) {
    const bad = (why) => {
        throw new StrataError('E_CORRUPT', `${what}: unsupported scrypt parameters (${why})`);
    };
    if (!Number.isSafeInteger(p.N) || p.N <= 1 || (p.N & (p.N - 1)) !== 0)
        bad(`N=${p.N} is not a power of two`);
    const logN = Math.log2(p.N);
    if (logN < SCRYPT_LIMITS.minLogN || logN > SCRYPT_LIMITS.maxLogN)
        bad(`N=2^${logN} outside 2^${SCRYPT_LIMITS.minLogN}…2^${SCRYPT_LIMITS.maxLogN}`);
    if (!Number.isSafeInteger(p.r) || p.r < 1 || p.r > SCRYPT_LIMITS.maxR)
        bad(`r=${p.r}`);
    if (!Number.isSafeInteger(p.p) || p.p < 1 || p.p > SCRYPT_LIMITS.maxP)
        bad(`p=${p.p}`);
    if (scryptMemory(p.N, p.r, p.p) > SCRYPT_LIMITS.maxMemory)
        bad(`needs more than ${SCRYPT_LIMITS.maxMemory >> 20} MiB`);
    if (p.salt.length < SCRYPT_LIMITS.minSalt || p.salt.length > SCRYPT_LIMITS.maxSalt)
        bad(`salt of ${p.salt.length} bytes`);
}
/** The 32-byte key scrypt derives from the password's UTF-8 bytes (no normalization). */
export function deriveKey(password, p) {
    checkScryptParams(p, 'scrypt');
    return new Promise((resolve, reject) => {
        scrypt(password, p.salt, DERIVED_KEY_LEN, { N: p.N, r: p.r, p: p.p, maxmem: scryptMemory(p.N, p.r, p.p) }, (err, key) => err ? reject(new StrataError('E_IO', `scrypt failed: ${err.message}`, { cause: err })) : resolve(key));
    });
}
/**
 * Parameters for a new key object: r = 8, p = 1, a fresh salt, and the largest
 * N (a power of two, 2^15…2^18) whose derivation is estimated to take at most
 * `targetMs` of CPU time here, from the CPU time of a derivation at N = 2^14.
 */
export function calibrateScrypt(targetMs = 500) {
    const r = 8;
    const probeN = 1 << PROBE_LOG_N;
    // CPU time, not wall time: on a busy machine the wall clock would pick a weak N.
    // The faster of two probes: the first of a process pays for fresh memory.
    let probeMs = Infinity;
    for (let i = 0; i < 2; i++) {
        const c0 = process.cpuUsage();
        scryptSync('calibration', Buffer.alloc(SALT_LEN), DERIVED_KEY_LEN, { N: probeN, r, p: 1, maxmem: scryptMemory(probeN, r, 1) });
        const used = process.cpuUsage(c0);
        probeMs = Math.max(0.001, Math.min(probeMs, (used.user + used.system) / 1000));
    }
    let logN = CAL_MIN_LOG_N;
    // time grows a little faster than N (memory first-touch): scale by 1.1 per doubling
    const estimate = (l) => probeMs * 2 ** (l - PROBE_LOG_N) * 1.1 ** (l - PROBE_LOG_N);
    while (logN < CAL_MAX_LOG_N && estimate(logN + 1) <= targetMs)
        logN++;
    return { N: 2 ** logN, r, p: 1, salt: randomBytes(SALT_LEN) };
}
//# sourceMappingURL=kdf.js.map