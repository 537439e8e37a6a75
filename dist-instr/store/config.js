// The repository config (docs/format.md §2, §11.6.1): which versions this
// strata reads, how a new one is made, and reading one from a store — format
// 1, a plaintext version 2 ("encryption": "none"), or an encrypted one,
// unlocked with a password into the full config and the repository's cipher.
import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_CHUNKER } from '../chunker.js';
import { plainCipher } from '../crypto/repo-cipher.js';
import { StrataError, isStrataError } from '../errors.js';
import { hashBytes } from '../hash.js';
import { unlockConfig } from './repo-keys.js';
/** The format version new repositories get (index segments in the repository, cache outside). */
export const FORMAT_VERSION = 2;
/** Versions this strata reads and extends (1: written by the first release, index inside the repository). */
export const READABLE_VERSIONS = [1, 2];
// the fields of a plain config (an encrypted one keeps most of them in its sealed secret, authenticated there)
const CONFIG_FIELDS = new Set(['format', 'version', 'id', 'created', 'chunker', 'compression', 'packSize', 'encryption', 'check']);
/** JSON with keys sorted at every level and no whitespace. */
function canonicalJson(v) {
    if (Array.isArray(v))
        return `[${v.map(canonicalJson).join(',')}]`;
    if (v && typeof v === 'object') {
        const o = v;
        return `{${Object.keys(o)
            .sort()
            .filter((k) => o[k] !== undefined)
            .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
            .join(',')}}`;
    }
    return JSON.stringify(v);
}
/** The integrity check of a plain config: BLAKE3 of the canonical JSON of every field but `check`. */
export function configCheck(c) {
    const { check: _check, ...rest } = c;
    return hashBytes(Buffer.from(canonicalJson(rest), 'utf8')).toString('hex');
}
/** A new config (random id and chunker seed) with the given options. */
export function newConfig(opts = {}) {
    return {
        format: 'strata',
        version: FORMAT_VERSION,
        id: randomUUID(),
        created: new Date().toISOString(),
        chunker: { ...chunkerFor(opts.chunker), ...(opts.chunkerSeed ? { seed: opts.chunkerSeed } : {}) },
        compression: { algorithm: 'zstd', level: opts.compressionLevel ?? 3 },
        packSize: opts.packSize ?? 32 << 20,
    };
}
export async function readConfig(store, where) {
    try {
        return parseConfig(await store.get('config'), where);
    }
    catch (e) {
        if (isStrataError(e, 'E_OBJECT_MISSING'))
            throw new StrataError('E_NO_REPO', `${where} is not a strata repository (no config file)`);
        throw e;
    }
}
/** Chunker parameters for a new repository: min/max follow avg when only avg is given. */
function chunkerFor(o = {}) {
    const avg = o.avg ?? DEFAULT_CHUNKER.avg;
    const min = o.min ?? (o.avg ? Math.floor(avg / 2) : DEFAULT_CHUNKER.min);
    const max = o.max ?? (o.avg ? avg * 8 : DEFAULT_CHUNKER.max);
    const normalization = o.normalization ?? DEFAULT_CHUNKER.normalization;
    if (!(min > 0 && min <= avg && avg <= max && max <= 64 << 20))
        throw new StrataError('E_USAGE', `bad chunk sizes: need 0 < min <= avg <= max <= 64 MiB (got ${min}/${avg}/${max})`);
    return { min, avg, max, normalization, seed: randomBytes(16).toString('hex') };
}
/**
 * Read the config; an encrypted one is unlocked with `opts.password` (the
 * password is asked for only here) and gives the cipher of the repository.
 */
export async function readConfigUnlocked(store, where, opts) {
    let raw;
    try {
        raw = await store.get('config');
    }
    catch (e) {
        if (isStrataError(e, 'E_OBJECT_MISSING'))
            throw new StrataError('E_NO_REPO', `${where} is not a strata repository (no config file)`);
        throw e;
    }
    const head = parseConfigHead(raw, where);
    if (head.encryption === undefined || head.encryption === 'none')
        return { config: checkPlainConfig(head, where), cipher: plainCipher() };
    const { fields, cipher, unlocked } = await unlockConfig(store, head, where, opts);
    return { config: checkConfig(fields, where), cipher, unlocked };
}
function parseConfigHead(raw, where) {
    let c;
    try {
        c = JSON.parse(raw.toString('utf8'));
    }
    catch (e) {
        throw new StrataError('E_REPO_CONFIG', `${where}: repository config is damaged (${e.message})`);
    }
    if (c?.format !== 'strata')
        throw new StrataError('E_REPO_CONFIG', `${where}: config is not a strata repository config`);
    if (!READABLE_VERSIONS.includes(c.version)) {
        throw new StrataError('E_REPO_VERSION', `${where}: repository format version ${String(c.version)} is not supported (this strata reads versions ${READABLE_VERSIONS.join(' and ')})`);
    }
    if (c.version === 1 && c.encryption !== undefined)
        throw new StrataError('E_REPO_CONFIG', `${where}: a format 1 config cannot name an encryption`);
    return c;
}
/** A plain config (format 1, or "encryption": "none"); an encrypted one needs readConfigUnlocked. */
export function parseConfig(raw, where) {
    const c = parseConfigHead(raw, where);
    if (c.encryption !== undefined && c.encryption !== 'none')
        throw new StrataError('E_NO_PASSWORD', `${where}: the repository is encrypted: a password is needed`);
    return checkPlainConfig(c, where);
}
/** A plain config is checked field by field and against its integrity check (docs/format.md §2). */
function checkPlainConfig(c, where) {
    checkConfig(c, where);
    const stray = Object.keys(c).filter((k) => !CONFIG_FIELDS.has(k));
    if (stray.length)
        throw new StrataError('E_REPO_CONFIG', `${where}: repository config is damaged (unknown field ${JSON.stringify(stray[0])})`);
    if (!/^[0-9a-f]{32}$/.test(c.chunker.seed))
        throw new StrataError('E_REPO_CONFIG', `${where}: repository config is damaged (chunker seed ${JSON.stringify(c.chunker.seed)} is not 32 hex digits)`);
    if (c.check !== undefined && c.check !== configCheck(c)) {
        throw new StrataError('E_REPO_CONFIG', `${where}: repository config is damaged: its integrity check does not match its contents (a changed chunker seed would silently re-store everything). Restore the config file from a copy of this repository`);
    }
    return c;
}
function checkConfig(c, where) {
    const ch = c.chunker;
    const levelOk = ch?.normalization === undefined || [0, 1, 2, 3].includes(ch.normalization);
    if (!ch || !(ch.min > 0 && ch.min <= ch.avg && ch.avg <= ch.max) || !levelOk || typeof ch.seed !== 'string' || !(c.packSize > 0)) {
        throw new StrataError('E_REPO_CONFIG', `${where}: repository config is damaged (chunker or pack size)`);
    }
    return c;
}
//# sourceMappingURL=config.js.map