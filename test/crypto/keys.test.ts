// src/crypto/keys.ts: key objects wrap a master key under a password; several
// keys open the same master key; wrong passwords, edited and renamed key
// objects, keys of another repository and unreadable ones are told apart.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { isStrataError, type ErrorCode } from '../../src/errors.js';
import { hashBytes, toHex } from '../../src/hash.js';
import {
  checkKeyRemoval,
  createKeyObject,
  listKeys,
  decodeMasterKey,
  encodeMasterKey,
  newMasterKey,
  openAnyKey,
  openKeyObject,
  readKeyObject,
  type MasterKey,
} from '../../src/crypto/keys.js';
import type { ScryptParams } from '../../src/crypto/kdf.js';

const REPO = '3f0c1d2e-0000-4000-8000-000000000001';
/** cheap parameters so the suite stays fast; real keys are calibrated to ~0.5 s */
const kdf = (): ScryptParams => ({ N: 1 << 14, r: 8, p: 1, salt: randomBytes(32) });
const opts = () => ({ repository: REPO, kdf: kdf(), host: 'host-a', username: 'alice' });

async function expectCode(t: import('ava').ExecutionContext, p: Promise<unknown>, code: ErrorCode, contains?: string): Promise<void> {
  const e = await t.throwsAsync(p);
  t.true(isStrataError(e, code), `${code} expected, got ${String(e)}`);
  if (contains) t.true(e!.message.includes(contains), e!.message);
}

const sameMaster = (t: import('ava').ExecutionContext, a: MasterKey, b: MasterKey): void => t.deepEqual(encodeMasterKey(a), encodeMasterKey(b));

test('master key: 97 bytes, three independent random keys, round trip, bad encodings refused', (t) => {
  const m = newMasterKey();
  const b = encodeMasterKey(m);
  t.is(b.length, 97);
  t.is(b[0], 1);
  t.notDeepEqual(m.encrypt, m.blobId);
  t.notDeepEqual(m.blobId, m.chunker);
  sameMaster(t, decodeMasterKey(b, 'x'), m);
  t.throws(() => decodeMasterKey(b.subarray(0, 96), 'x'));
  t.throws(() => decodeMasterKey(Buffer.concat([Buffer.of(2), b.subarray(1)]), 'x'));
});

test('a key object opens with its password, is named by its BLAKE3, and shows no key material', async (t) => {
  const m = newMasterKey();
  const { id, bytes } = await createKeyObject(m, 'correct horse', opts());
  t.is(id, toHex(hashBytes(bytes)));
  const text = bytes.toString('utf8');
  for (const k of [m.encrypt, m.blobId, m.chunker]) {
    t.false(text.includes(k.toString('base64')));
    t.false(text.includes(k.toString('hex')));
    t.false(bytes.includes(k));
  }
  t.false(text.includes('correct horse'));
  const info = readKeyObject(id, bytes);
  t.like(info, { repository: REPO, host: 'host-a', username: 'alice', aead: 'aes-256-gcm' });
  t.is(info.kdf.N, 1 << 14);
  sameMaster(t, await openKeyObject(id, bytes, 'correct horse', REPO), m);
});

test('wrong password: E_WRONG_PASSWORD; empty password refused at creation', async (t) => {
  const { id, bytes } = await createKeyObject(newMasterKey(), 'pw-1', opts());
  await expectCode(t, openKeyObject(id, bytes, 'pw-2', REPO), 'E_WRONG_PASSWORD', `keys/${id}`);
  await expectCode(t, openKeyObject(id, bytes, 'pw-1 ', REPO), 'E_WRONG_PASSWORD');
  await expectCode(t, createKeyObject(newMasterKey(), '', opts()), 'E_NO_PASSWORD');
});

test('several keys open the same master key; changing a password is a new key object', async (t) => {
  const m = newMasterKey();
  const a = await createKeyObject(m, 'alice-pw', opts());
  const b = await createKeyObject(m, 'bob-pw', { ...opts(), username: 'bob' });
  const a2 = await createKeyObject(m, 'alice-new', opts()); // "key passwd": a new object, then the old one is removed
  t.not(a.id, b.id);
  t.not(a.id, a2.id);
  const keys = [a, b, a2];
  for (const [pw, want] of [['alice-pw', a.id], ['bob-pw', b.id], ['alice-new', a2.id]] as const) {
    const r = await openAnyKey(keys, pw, REPO);
    t.is(r.id, want);
    sameMaster(t, r.master, m);
  }
  await expectCode(t, openAnyKey(keys, 'eve', REPO), 'E_WRONG_PASSWORD', 'none of the 3 key(s)');
  await expectCode(t, openAnyKey([b, a2], 'alice-pw', REPO), 'E_WRONG_PASSWORD'); // removed key: its password is gone
  await expectCode(t, openAnyKey([], 'x', REPO), 'E_CORRUPT', 'no key objects');
});

test('an edited key object is detected: in place by its name, renamed by authentication', async (t) => {
  const m = newMasterKey();
  const { id, bytes } = await createKeyObject(m, 'pw', opts());
  const json = JSON.parse(bytes.toString('utf8'));
  const edits: [string, (j: any) => void][] = [
    ['host', (j) => (j.host = 'evil')],
    ['created', (j) => (j.created = '2000-01-01T00:00:00.000Z')],
    ['kdf.N lowered', (j) => (j.kdf.N = 1 << 15)],
    ['kdf.r', (j) => (j.kdf.r = 9)],
    ['salt', (j) => (j.kdf.salt = randomBytes(32).toString('base64'))],
    ['aead', (j) => (j.aead = 'chacha20-poly1305')],
    ['flipped bit in master', (j) => {
      const s = Buffer.from(j.master, 'base64');
      s[50]! ^= 4;
      j.master = s.toString('base64');
    }],
    ['truncated master', (j) => (j.master = Buffer.from(j.master, 'base64').subarray(0, 100).toString('base64'))],
  ];
  for (const [what, edit] of edits) {
    const j = structuredClone(json);
    edit(j);
    const edited = Buffer.from(JSON.stringify(j, null, 2) + '\n');
    await expectCode(t, openKeyObject(id, edited, 'pw', REPO), 'E_CORRUPT', 'content does not match its name');
    const renamed = toHex(hashBytes(edited));
    // renamed to match: authentication fails, which is all a password holder can tell
    await expectCode(t, openKeyObject(renamed, edited, 'pw', REPO), 'E_WRONG_PASSWORD');
    t.log(`${what}: detected`);
  }
  // the untouched object still opens
  sameMaster(t, await openKeyObject(id, bytes, 'pw', REPO), m);
});

test('hostile or malformed key objects: E_CORRUPT naming keys/ID, and huge scrypt parameters are not run', async (t) => {
  const { bytes } = await createKeyObject(newMasterKey(), 'pw', opts());
  const json = JSON.parse(bytes.toString('utf8'));
  const cases: [string, unknown, string][] = [
    ['not json', 'garbage{', 'not JSON'],
    ['array', [], 'not a strata key object'],
    ['other format', { ...json, format: 'restic' }, 'not a strata key object'],
    ['version 2', { ...json, version: 2 }, 'version 2'],
    ['N = 2^30', { ...json, kdf: { ...json.kdf, N: 2 ** 30 } }, 'unsupported scrypt parameters'],
    ['N = 2^22, r = 8 (4 GiB)', { ...json, kdf: { ...json.kdf, N: 2 ** 22 } }, 'unsupported scrypt parameters'],
    ['argon2', { ...json, kdf: { ...json.kdf, name: 'argon2id' } }, 'kdf must be'],
    ['unknown aead', { ...json, aead: 'rot13' }, 'unknown aead'],
    ['missing host', { ...json, host: undefined }, 'field host'],
    ['unpadded salt', { ...json, kdf: { ...json.kdf, salt: json.kdf.salt.replace(/=+$/, '') } }, 'kdf must be'],
    ['master not base64', { ...json, master: '!!' + json.master }, 'master is not canonical base64'],
  ];
  for (const [what, j, msg] of cases) {
    const b = Buffer.from(typeof j === 'string' ? j : JSON.stringify(j));
    const id = toHex(hashBytes(b));
    const t0 = Date.now();
    await expectCode(t, openKeyObject(id, b, 'pw', REPO), 'E_CORRUPT', msg);
    t.true(Date.now() - t0 < 2000, `${what} took ${Date.now() - t0} ms`);
  }
  // a damaged key among good ones: the good one still opens; with none good the damage is named
  const m = newMasterKey();
  const good = await createKeyObject(m, 'pw', opts());
  const bad = Buffer.from('{}');
  const badId = toHex(hashBytes(bad));
  sameMaster(t, (await openAnyKey([{ id: badId, bytes: bad }, good], 'pw', REPO)).master, m);
  await expectCode(t, openAnyKey([{ id: badId, bytes: bad }, good], 'nope', REPO), 'E_WRONG_PASSWORD', `unreadable: keys/${badId}`);
});

test('a key object of another repository does not open this one', async (t) => {
  const { id, bytes } = await createKeyObject(newMasterKey(), 'pw', opts());
  await expectCode(t, openKeyObject(id, bytes, 'pw', 'another-repo-id'), 'E_CORRUPT', 'belongs to repository');
});

test('key list rows and removal rules: never the key in use, never the last, never a missing one', async (t) => {
  const m = newMasterKey();
  const a = await createKeyObject(m, 'a', { ...opts(), created: new Date('2026-01-01T00:00:00Z') });
  const b = await createKeyObject(m, 'b', { ...opts(), username: 'bob', created: new Date('2026-02-01T00:00:00Z') });
  const junk = Buffer.from('junk');
  const junkId = toHex(hashBytes(junk));
  const rows = listKeys([b, { id: junkId, bytes: junk }, a], a.id);
  t.deepEqual(
    rows.map((r) => [r.id, r.current, r.username, r.kdf, r.error === undefined]),
    [
      [junkId, false, '', '', false],
      [a.id, true, 'alice', 'scrypt N=2^14 r=8 p=1', true],
      [b.id, false, 'bob', 'scrypt N=2^14 r=8 p=1', true],
    ],
  );
  t.notThrows(() => checkKeyRemoval(b.id, a.id, [a.id, b.id]));
  for (const [id, cur, ids, msg] of [
    [a.id, a.id, [a.id, b.id], 'the key in use'],
    [b.id, a.id, [b.id], 'the last key'],
    ['ffff', a.id, [a.id, b.id], 'no key keys/ffff'],
  ] as const) {
    const e = t.throws(() => checkKeyRemoval(id, cur, ids));
    t.true(isStrataError(e, 'E_USAGE') && e.message.includes(msg), e?.message);
  }
});
