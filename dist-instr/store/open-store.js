// Opening the ObjectStore a repository address names: a local folder
// (LocalObjectStore) or `s3:…` (S3ObjectStore, see docs/s3.md). The S3 module,
// and through it the AWS SDK, is imported only when an s3: address is used,
// so local commands keep their start-up time. `prepareInit` checks that
// nothing is there before `create` makes the folder or the bucket.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StrataError, errnoCode, isStrataError } from '../errors.js';
import { parseRepoAddress } from './address.js';
import { LocalObjectStore } from './local-store.js';
async function s3Store(address) {
    const { S3ObjectStore } = await import('./s3-store.js');
    return new S3ObjectStore(address);
}
/** The store of an existing repository (nothing is written). */
export async function openStore(address) {
    const a = parseRepoAddress(address);
    if (a.kind === 's3') {
        const store = await s3Store(address);
        return { store, where: store.location };
    }
    const abs = path.resolve(a.path);
    let st;
    try {
        st = fs.statSync(abs);
    }
    catch (e) {
        throw new StrataError('E_NO_REPO', `repository ${abs} does not exist (${errnoCode(e)}); create it with 'strata init'`);
    }
    if (!st.isDirectory())
        throw new StrataError('E_NO_REPO', `${abs} is not a strata repository (not a directory)`);
    return { store: new LocalObjectStore(abs), where: abs };
}
/**
 * Check that a new repository can be made at `address` (a missing or empty
 * folder; a missing bucket, or no object under the prefix) without creating
 * anything: bad credentials or an unreachable endpoint fail here.
 */
export async function prepareInit(address) {
    const a = parseRepoAddress(address);
    if (a.kind === 's3') {
        const store = await s3Store(address);
        const where = store.location;
        try {
            let found;
            for await (const name of store.list('')) {
                found = name;
                break;
            }
            if (found !== undefined) {
                const what = found === 'config' || (await store.size('config')) !== undefined ? 'a repository already exists' : `the prefix is not empty (${found})`;
                throw new StrataError('E_REPO_EXISTS', `cannot init ${where}: ${what}`);
            }
        }
        catch (e) {
            if (!isStrataError(e, 'E_S3_NO_BUCKET')) {
                await store.close();
                throw e;
            }
        }
        return {
            where,
            create: async () => {
                try {
                    await store.ensureBucket();
                }
                catch (e) {
                    await store.close();
                    throw e;
                }
                return store;
            },
        };
    }
    const abs = path.resolve(a.path);
    if (fs.existsSync(abs)) {
        if (!fs.statSync(abs).isDirectory())
            throw new StrataError('E_REPO_EXISTS', `${abs} exists and is not a directory`);
        if (fs.readdirSync(abs).length > 0) {
            const what = fs.existsSync(path.join(abs, 'config')) ? 'a repository already exists' : 'directory is not empty';
            throw new StrataError('E_REPO_EXISTS', `cannot init ${abs}: ${what}`);
        }
    }
    return {
        where: abs,
        create: async () => {
            fs.mkdirSync(abs, { recursive: true, mode: 0o700 });
            for (const d of ['packs', 'snapshots', 'index'])
                fs.mkdirSync(path.join(abs, d), { mode: 0o700 });
            return new LocalObjectStore(abs);
        },
    };
}
/** Requests an S3 store has sent so far (undefined for other stores), for --json summaries. */
export function storeRequests(store) {
    const r = store.requests;
    return r ? { ...r } : undefined;
}
/** Requests sent between two readings of storeRequests. */
export function requestsSince(now, before) {
    if (!now)
        return undefined;
    const out = { ...now };
    if (before)
        for (const k of Object.keys(out))
            out[k] -= before[k];
    return out;
}
//# sourceMappingURL=open-store.js.map