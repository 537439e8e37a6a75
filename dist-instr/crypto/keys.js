// Master keys and key objects `keys/<id>` (docs/encryption.md §2–3). A random
// master key (encryption, blob-id and chunker keys) is sealed under a key that
// scrypt derives from a password; several key objects can wrap the same master
// key, so adding, changing or removing a password writes or deletes one small
// object and rewrites no data. A key object's name is the BLAKE3 of its bytes.
import { randomBytes } from 'node:crypto';
import { StrataError, isStrataError } from '../errors.js';
import { hashBytes, toHex } from '../hash.js';
import { isAead, open, seal } from './aead.js';
import { checkScryptParams, deriveKey } from './kdf.js';
export const MASTER_KEY_VERSION = 1;
export const MASTER_KEY_LEN = 1 + 3 * 32;
export function newMasterKey() {
    return { encrypt: randomBytes(32), blobId: randomBytes(32), chunker: randomBytes(32) };
}
/** 97 bytes: version u8 = 1 ‖ encrypt ‖ blobId ‖ chunker. */
export function encodeMasterKey(m) {
    return Buffer.concat([Buffer.of(MASTER_KEY_VERSION), m.encrypt, m.blobId, m.chunker]);
}
export function decodeMasterKey(b, what) {
    if (b.length !== MASTER_KEY_LEN || b[0] !== MASTER_KEY_VERSION)
        throw new StrataError('E_CORRUPT', `${what}: master key of ${b.length} bytes, version ${b[0]} (expected ${MASTER_KEY_LEN} bytes, version ${MASTER_KEY_VERSION})`);
    const buf = Buffer.from(b);
    return { encrypt: buf.subarray(1, 33), blobId: buf.subarray(33, 65), chunker: buf.subarray(65, 97) };
}
const KEY_TAG = Buffer.from('strata-key\0', 'latin1');
/**
 * Associated data of the wrapped master key: "strata-key\0" then each of
 * version, repository, created, host, username, "scrypt", N, r, p, salt
 * (base64), aead as u32 length ‖ UTF-8 bytes (numbers in decimal).
 */
export function keyAad(info) {
    const fields = ['1', info.repository, info.created, info.host, info.username, 'scrypt', String(info.kdf.N), String(info.kdf.r), String(info.kdf.p), info.kdf.salt.toString('base64'), info.aead];
    const parts = [KEY_TAG];
    for (const f of fields) {
        const b = Buffer.from(f, 'utf8');
        const len = Buffer.allocUnsafe(4);
        len.writeUInt32LE(b.length);
        parts.push(len, b);
    }
    return Buffer.concat(parts);
}
/** A new key object wrapping `master` under `password`: its id (name in keys/) and its bytes. */
export async function createKeyObject(master, password, o) {
    if (password.length === 0)
        throw new StrataError('E_NO_PASSWORD', 'empty password: a key needs a password');
    const info = { repository: o.repository, created: (o.created ?? new Date()).toISOString(), host: o.host, username: o.username, kdf: o.kdf, aead: o.aead ?? 'aes-256-gcm' };
    checkScryptParams(info.kdf, 'new key');
    const wrap = await deriveKey(password, info.kdf);
    const sealed = seal(info.aead, wrap, encodeMasterKey(master), keyAad(info));
    const json = {
        format: 'strata-key',
        version: 1,
        repository: info.repository,
        created: info.created,
        host: info.host,
        username: info.username,
        kdf: { name: 'scrypt', N: info.kdf.N, r: info.kdf.r, p: info.kdf.p, salt: info.kdf.salt.toString('base64') },
        aead: info.aead,
        master: sealed.toString('base64'),
    };
    const bytes = Buffer.from(JSON.stringify(json, null, 2) + '\n', 'utf8');
    return { id: toHex(hashBytes(bytes)), bytes };
}
/** canonical padded base64 only, so that the salt's text in the associated data is the stored text */
const isB64 = (s) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && Buffer.from(s, 'base64').toString('base64') === s;
/**
 * Parses a key object without the password: checks that its bytes hash to its
 * name and that every field is well formed. E_CORRUPT names `keys/<id>`.
 */
export function readKeyObject(id, bytes) {
    const what = `keys/${id}`;
    const bad = (why) => {
        throw new StrataError('E_CORRUPT', `${what}: ${why}`);
    };
    if (toHex(hashBytes(bytes)) !== id)
        bad('content does not match its name (edited or damaged)');
    let j;
    try {
        j = JSON.parse(Buffer.from(bytes).toString('utf8'));
    }
    catch {
        return bad('not JSON');
    }
    if (typeof j !== 'object' || j === null)
        bad('not a JSON object');
    if (j.format !== 'strata-key' || j.version !== 1)
        bad(`not a strata key object of version 1 (format ${JSON.stringify(j.format)}, version ${JSON.stringify(j.version)})`);
    for (const f of ['repository', 'created', 'host', 'username', 'master'])
        if (typeof j[f] !== 'string')
            bad(`field ${f} missing or not a string`);
    if (!isAead(j.aead))
        bad(`unknown aead ${JSON.stringify(j.aead)}`);
    const k = j.kdf;
    if (typeof k !== 'object' || k === null || k.name !== 'scrypt' || typeof k.salt !== 'string' || !isB64(k.salt))
        bad('kdf must be {name: "scrypt", N, r, p, salt}');
    if (!isB64(j.master))
        bad('master is not canonical base64');
    const kdf = { N: k.N, r: k.r, p: k.p, salt: Buffer.from(k.salt, 'base64') };
    checkScryptParams(kdf, what);
    return { repository: j.repository, created: j.created, host: j.host, username: j.username, kdf, aead: j.aead, sealed: Buffer.from(j.master, 'base64') };
}
/**
 * The master key in `keys/<id>`, unwrapped with `password`. E_WRONG_PASSWORD
 * when the password does not open it (an edited field has the same effect:
 * every field is authenticated); E_CORRUPT when the object is malformed or
 * belongs to another repository.
 */
export async function openKeyObject(id, bytes, password, repository) {
    const k = readKeyObject(id, bytes);
    const what = `keys/${id}`;
    if (k.repository !== repository)
        throw new StrataError('E_CORRUPT', `${what}: belongs to repository ${k.repository}, not ${repository}`);
    const wrap = await deriveKey(password, k.kdf);
    let plain;
    try {
        plain = open(k.aead, wrap, k.sealed, keyAad(k), what);
    }
    catch (e) {
        if (isStrataError(e, 'E_CORRUPT'))
            throw new StrataError('E_WRONG_PASSWORD', `wrong password for ${what}`, { cause: e });
        throw e;
    }
    return decodeMasterKey(plain, what);
}
/**
 * Tries `password` on each key object in turn: the first that opens gives the
 * master key and the id of the key in use. E_WRONG_PASSWORD when none opens,
 * naming any that could not even be read.
 */
export async function openAnyKey(keys, password, repository) {
    if (keys.length === 0)
        throw new StrataError('E_CORRUPT', 'the repository has no key objects (keys/ is empty)');
    const damaged = [];
    for (const k of keys) {
        try {
            return { id: k.id, master: await openKeyObject(k.id, k.bytes, password, repository) };
        }
        catch (e) {
            if (isStrataError(e, 'E_WRONG_PASSWORD'))
                continue;
            if (isStrataError(e, 'E_CORRUPT')) {
                damaged.push(e.message);
                continue;
            }
            throw e;
        }
    }
    const tail = damaged.length ? `; unreadable: ${damaged.join('; ')}` : '';
    throw new StrataError('E_WRONG_PASSWORD', `wrong password: none of the ${keys.length} key(s) in keys/ opens with it${tail}`);
}
/** The rows of `key list`, sorted by creation time then id; damaged objects are listed with their error. */
export function listKeys(keys, currentId) {
    return keys
        .map((k) => {
        try {
            const i = readKeyObject(k.id, k.bytes);
            return { id: k.id, current: k.id === currentId, host: i.host, username: i.username, created: i.created, kdf: `scrypt N=2^${Math.log2(i.kdf.N)} r=${i.kdf.r} p=${i.kdf.p}` };
        }
        catch (e) {
            return { id: k.id, current: false, host: '', username: '', created: '', kdf: '', error: e instanceof Error ? e.message : String(e) };
        }
    })
        .sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
/**
 * Refuses to remove the key in use or the last key that opens the repository
 * (E_USAGE), or a key that does not exist. `ids` are all key objects present.
 */
export function checkKeyRemoval(id, currentId, ids) {
    if (!ids.includes(id))
        throw new StrataError('E_USAGE', `no key keys/${id}`);
    if (id === currentId)
        throw new StrataError('E_USAGE', `keys/${id} is the key in use: open the repository with another key's password to remove it`);
    if (ids.length <= 1)
        throw new StrataError('E_USAGE', `keys/${id} is the last key: the repository could never be opened again`);
}
//# sourceMappingURL=keys.js.map