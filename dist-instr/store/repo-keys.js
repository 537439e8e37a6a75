// The encryption side of a repository's config and its key objects
// (docs/format.md §2, §2.1): writing the config of a new repository (sealed
// secret part and a first key object, or "encryption": "none"), unlocking an
// encrypted config with a password, and adding or removing key objects. A
// password only unwraps the master key, so key changes rewrite no data.
import * as os from 'node:os';
import { isAead } from '../crypto/aead.js';
import { calibrateScrypt } from '../crypto/kdf.js';
import { createKeyObject, newMasterKey, openAnyKey } from '../crypto/keys.js';
import { encryptedCipher, plainCipher } from '../crypto/repo-cipher.js';
import { StrataError, isStrataError } from '../errors.js';
import { configCheck } from './config.js';
/** The fields of the config that an encrypted repository keeps in its sealed secret. */
const SECRET_FIELDS = ['created', 'chunker', 'compression', 'packSize'];
export const keyObjectName = (id) => `keys/${id}`;
function who() {
    let username = 'unknown';
    try {
        username = os.userInfo().username;
    }
    catch { }
    return { host: os.hostname(), username };
}
/**
 * The bytes of the config file of a new repository, and (encrypted) its first
 * key object and cipher. `config` holds every field in the clear; encrypted,
 * only format, version, id and encryption stay readable.
 */
export async function newConfigObjects(config, o) {
    if (o.encryption === 'none' || (o.encryption === undefined && !o.password)) {
        const plain = { ...config, encryption: 'none' };
        plain.check = configCheck(plain);
        return { configBytes: Buffer.from(JSON.stringify(plain, null, 2) + '\n'), cipher: plainCipher() };
    }
    const aead = o.encryption ?? 'aes-256-gcm';
    if (!o.password)
        throw new StrataError('E_NO_PASSWORD', 'an encrypted repository needs a password (or use --no-encryption)');
    const password = await o.password();
    const master = newMasterKey();
    const cipher = encryptedCipher(master, aead);
    const secret = {};
    for (const f of SECRET_FIELDS)
        secret[f] = config[f];
    const sealed = cipher.sealObject('config', config.id, Buffer.from(JSON.stringify(secret), 'utf8'));
    const { format, version, id } = config;
    const configBytes = Buffer.from(JSON.stringify({ format, version, id, encryption: aead, secret: sealed.toString('base64') }, null, 2) + '\n');
    const key = await createKeyObject(master, password, { repository: id, kdf: (o.kdf ?? (() => calibrateScrypt()))(), aead, ...who() });
    return { configBytes, key: { name: keyObjectName(key.id), bytes: key.bytes }, cipher, unlocked: { id: key.id, master, aead } };
}
/** Every key object of the repository (name and bytes). */
export async function readKeyObjects(store) {
    const out = [];
    for await (const name of store.list('keys/')) {
        const id = name.slice('keys/'.length);
        if (!/^[0-9a-f]{64}$/.test(id))
            continue;
        try {
            out.push({ id, bytes: await store.get(name) });
        }
        catch (e) {
            if (!isStrataError(e, 'E_OBJECT_MISSING'))
                throw e; // removed meanwhile by `key remove`
        }
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}
/**
 * Unlock an encrypted config (parsed JSON `raw`): find the key object the
 * password opens, then open the sealed secret. Returns the full config fields
 * and the cipher. E_WRONG_PASSWORD when no key opens; nothing is written.
 */
export async function unlockConfig(store, raw, where, o) {
    const aead = raw.encryption;
    if (!isAead(aead))
        throw new StrataError('E_REPO_CONFIG', `${where}: unknown encryption ${JSON.stringify(aead)} in the config`);
    if (typeof raw.secret !== 'string' || typeof raw.id !== 'string')
        throw new StrataError('E_REPO_CONFIG', `${where}: encrypted config without its secret part`);
    const keys = await readKeyObjects(store);
    if (keys.length === 0)
        throw new StrataError('E_CORRUPT', `${where}: the repository is encrypted but has no key objects (keys/ is empty)`);
    if (!o.password)
        throw new StrataError('E_NO_PASSWORD', `repository ${where} is encrypted: a password is needed`);
    const password = await o.password();
    const { id, master } = await openAnyKey(keys, password, raw.id);
    const cipher = encryptedCipher(master, aead);
    let secret;
    try {
        secret = JSON.parse(cipher.openObject('config', raw.id, Buffer.from(raw.secret, 'base64')).toString('utf8'));
    }
    catch (e) {
        throw new StrataError('E_REPO_CONFIG', `${where}: the config's secret part is damaged or tampered with (${e.message})`, { cause: e });
    }
    const fields = { format: raw.format, version: raw.version, id: raw.id, encryption: aead };
    for (const f of SECRET_FIELDS)
        fields[f] = secret[f];
    return { fields, cipher, unlocked: { id, master, aead } };
}
/** Write a new key object wrapping the unlocked master key under `password`; returns its id. */
export async function addKeyObject(store, repository, k, password, kdf) {
    const key = await createKeyObject(k.master, password, { repository, kdf: (kdf ?? (() => calibrateScrypt()))(), aead: k.aead, ...who() });
    await store.put(keyObjectName(key.id), key.bytes);
    return key.id;
}
//# sourceMappingURL=repo-keys.js.map