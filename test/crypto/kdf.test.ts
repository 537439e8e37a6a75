// src/crypto/kdf.ts: scrypt derivation equals node's scrypt with the stored
// parameters, depends on password and salt, refuses parameters an edited key
// object could use to exhaust memory, and calibration lands near its target.
import test from 'ava';
import { scryptSync } from 'node:crypto';
import { isStrataError } from '../../src/errors.js';
import { SCRYPT_LIMITS, calibrateScrypt, checkScryptParams, deriveKey, type ScryptParams } from '../../src/crypto/kdf.js';

const P: ScryptParams = { N: 1 << 14, r: 8, p: 1, salt: Buffer.alloc(32, 7) };

test('deriveKey is scrypt(password UTF-8, salt, 32, {N, r, p})', async (t) => {
  const k = await deriveKey('pässword', P);
  t.deepEqual(k, scryptSync(Buffer.from('pässword', 'utf8'), P.salt, 32, { N: P.N, r: P.r, p: P.p }));
  t.notDeepEqual(await deriveKey('password', P), k);
  t.notDeepEqual(await deriveKey('pässword', { ...P, salt: Buffer.alloc(32, 8) }), k);
  // known answer, so a change of the construction cannot pass unnoticed
  t.is(k.toString('hex'), scryptSync(Buffer.from([0x70, 0xc3, 0xa4, 0x73, 0x73, 0x77, 0x6f, 0x72, 0x64]), Buffer.alloc(32, 7), 32, { N: 16384, r: 8, p: 1 }).toString('hex'));
});

test('parameters outside the limits are refused with E_CORRUPT naming the object', (t) => {
  const bad: Partial<ScryptParams>[] = [
    { N: 1000 },
    { N: 1 << 10 },
    { N: 2 ** (SCRYPT_LIMITS.maxLogN + 1) },
    { N: 1 << 22, r: 8 }, // 4 GiB
    { r: 0 },
    { r: 1.5 },
    { p: 0 },
    { p: 99 },
    { salt: Buffer.alloc(8) },
  ];
  for (const b of bad) {
    const e = t.throws(() => checkScryptParams({ ...P, ...b }, 'keys/abc'), undefined, JSON.stringify(b));
    t.true(isStrataError(e, 'E_CORRUPT') && e.message.startsWith('keys/abc: unsupported scrypt parameters'), e?.message);
  }
  t.notThrows(() => checkScryptParams({ ...P, N: 1 << 18 }, 'k'));
});

test.serial('calibration picks a power of two within bounds, with a fresh salt, taking roughly the target in CPU time', async (t) => {
  const a = calibrateScrypt(200);
  const b = calibrateScrypt(200);
  t.true(calibrateScrypt(5000).N >= a.N, 'a larger target never gives a smaller N');
  t.true(Number.isInteger(Math.log2(a.N)) && a.N >= 1 << 15 && a.N <= 1 << 18, String(a.N));
  t.is(a.r, 8);
  t.is(a.p, 1);
  t.is(a.salt.length, 32);
  t.notDeepEqual(a.salt, b.salt);
  const c0 = process.cpuUsage();
  await deriveKey('x', a);
  const used = process.cpuUsage(c0);
  const ms = (used.user + used.system) / 1000;
  t.log(`N=2^${Math.log2(a.N)}: ${ms.toFixed(0)} ms CPU for a 200 ms target`);
  // serial: CPU time is per process, so no other test of this file runs meanwhile.
  // loose (the machine is shared), but not wildly off: at most the target times the 2x step and some slack
  t.true(ms < 2.5 * 200, `${ms} ms`);
});
