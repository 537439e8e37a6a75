// The encryption side of a repository's config and its key objects
// (docs/format.md §2, §2.1): writing the config of a new repository (sealed
// secret part and a first key object, or "encryption": "none"), unlocking an
// encrypted config with a password, and adding or removing key objects. A
// password only unwraps the master key, so key changes rewrite no data.
import * as os from 'node:os';
import { isAead, type AeadName } from '../crypto/aead.js';
import type { ScryptParams } from '../crypto/kdf.js';
import { calibrateScrypt } from '../crypto/kdf.js';
import { createKeyObject, newMasterKey, openAnyKey, type MasterKey } from '../crypto/keys.js';
import { encryptedCipher, plainCipher, type RepoCipher } from '../crypto/repo-cipher.js';
import { StrataError, isStrataError } from '../errors.js';
import { configCheck } from './config.js';
import type { ObjectStore } from './object-store.js';

/** What `init` needs to encrypt: the AEAD ("none": a plaintext repository), the first password, KDF parameters. */
export interface EncryptionOptions {
  /** default: aes-256-gcm when `password` is given, else "none" (the CLI always says which) */
  encryption?: 'none' | AeadName;
  /** the first password (asked for only when encrypting) */
  password?: () => Promise<string>;
  /** scrypt parameters for new keys; default: calibrated to ~0.5 s here */
  kdf?: () => ScryptParams;
}

/** How an encrypted repository gets its password when opened (asked only when needed). */
export interface PasswordOptions {
  password?: () => Promise<string>;
  /** scrypt parameters for keys added while open; default: calibrated */
  kdf?: () => ScryptParams;
}

/** The unlocked key: the master key, the id of the key object that opened it, and the repository's AEAD. */
export interface UnlockedKey {
  id: string;
  master: MasterKey;
  aead: AeadName;
}

/** The fields of the config that an encrypted repository keeps in its sealed secret. */
const SECRET_FIELDS = ['created', 'chunker', 'compression', 'packSize'] as const;

export const keyObjectName = (id: string): string => `keys/${id}`;

function who(): { host: string; username: string } {
  let username = 'unknown';
  try {
    username = os.userInfo().username;
  } catch {}
  return { host: os.hostname(), username };
}

/**
 * The bytes of the config file of a new repository, and (encrypted) its first
 * key object and cipher. `config` holds every field in the clear; encrypted,
 * only format, version, id and encryption stay readable.
 */
export async function newConfigObjects(config: Record<string, unknown> & { id: string }, o: EncryptionOptions): Promise<{ configBytes: Buffer; key?: { name: string; bytes: Buffer }; cipher: RepoCipher; unlocked?: UnlockedKey }> {
  if (o.encryption === 'none' || (o.encryption === undefined && !o.password)) {
    const plain: Record<string, unknown> = { ...config, encryption: 'none' };
    plain.check = configCheck(plain);
    return { configBytes: Buffer.from(JSON.stringify(plain, null, 2) + '\n'), cipher: plainCipher() };
  }
  const aead = o.encryption ?? 'aes-256-gcm';
  if (!o.password) throw new StrataError('E_NO_PASSWORD', 'an encrypted repository needs a password (or use --no-encryption)');
  const password = await o.password();
  const master = newMasterKey();
  const cipher = encryptedCipher(master, aead);
  const secret: Record<string, unknown> = {};
  for (const f of SECRET_FIELDS) secret[f] = config[f];
  const sealed = cipher.sealObject('config', config.id, Buffer.from(JSON.stringify(secret), 'utf8'));
  const { format, version, id } = config;
  const configBytes = Buffer.from(JSON.stringify({ format, version, id, encryption: aead, secret: sealed.toString('base64') }, null, 2) + '\n');
  const key = await createKeyObject(master, password, { repository: id, kdf: (o.kdf ?? (() => calibrateScrypt()))(), aead, ...who() });
  return { configBytes, key: { name: keyObjectName(key.id), bytes: key.bytes }, cipher, unlocked: { id: key.id, master, aead } };
}

/** Every key object of the repository (name and bytes). */
export async function readKeyObjects(store: ObjectStore): Promise<{ id: string; bytes: Buffer }[]> {
  const out: { id: string; bytes: Buffer }[] = [];
  for await (const name of store.list('keys/')) {
    const id = name.slice('keys/'.length);
    if (!/^[0-9a-f]{64}$/.test(id)) continue;
    try {
      out.push({ id, bytes: await store.get(name) });
    } catch (e) {
      if (!isStrataError(e, 'E_OBJECT_MISSING')) throw e; // removed meanwhile by `key remove`
    }
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/**
 * Unlock an encrypted config (parsed JSON `raw`): find the key object the
 * password opens, then open the sealed secret. Returns the full config fields
 * and the cipher. E_WRONG_PASSWORD when no key opens; nothing is written.
 */
export async function unlockConfig(store: ObjectStore, raw: Record<string, unknown>, where: string, o: PasswordOptions): Promise<{ fields: Record<string, unknown>; cipher: RepoCipher; unlocked: UnlockedKey }> {
  const aead = raw.encryption;
  if (!isAead(aead)) throw new StrataError('E_REPO_CONFIG', `${where}: unknown encryption ${JSON.stringify(aead)} in the config`);
  if (typeof raw.secret !== 'string' || typeof raw.id !== 'string') throw new StrataError('E_REPO_CONFIG', `${where}: encrypted config without its secret part`);
  const keys = await readKeyObjects(store);
  if (keys.length === 0) throw new StrataError('E_CORRUPT', `${where}: the repository is encrypted but has no key objects (keys/ is empty)`);
  if (!o.password) throw new StrataError('E_NO_PASSWORD', `repository ${where} is encrypted: a password is needed`);
  const password = await o.password();
  const { id, master } = await openAnyKey(keys, password, raw.id);
  const cipher = encryptedCipher(master, aead);
  let secret: Record<string, unknown>;
  try {
    secret = JSON.parse(cipher.openObject('config', raw.id, Buffer.from(raw.secret, 'base64')).toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new StrataError('E_REPO_CONFIG', `${where}: the config's secret part is damaged or tampered with (${(e as Error).message})`, { cause: e });
  }
  const fields: Record<string, unknown> = { format: raw.format, version: raw.version, id: raw.id, encryption: aead };
  for (const f of SECRET_FIELDS) fields[f] = secret[f];
  return { fields, cipher, unlocked: { id, master, aead } };
}

/** Write a new key object wrapping the unlocked master key under `password`; returns its id. */
export async function addKeyObject(store: ObjectStore, repository: string, k: UnlockedKey, password: string, kdf?: () => ScryptParams): Promise<string> {
  const key = await createKeyObject(k.master, password, { repository, kdf: (kdf ?? (() => calibrateScrypt()))(), aead: k.aead, ...who() });
  await store.put(keyObjectName(key.id), key.bytes);
  return key.id;
}
