// The address of an s3: repository, restic's syntax:
//   s3:https://host[:port]/bucket[/prefix]   (http: too, for a gateway on a private network)
//   s3:host[:port]/bucket[/prefix]           (https implied)
// Custom endpoints are addressed path-style (http://host/bucket/key); AWS
// (*.amazonaws.com) virtual-host style (https://bucket.s3.amazonaws.com/key).
import { StrataError } from '../errors.js';
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Parse "s3:…"; throws E_USAGE with one line naming the address when it is not one. */
export function parseS3Address(address) {
    const bad = (why) => new StrataError('E_USAGE', `bad s3 address ${JSON.stringify(address)}: ${why} (expected s3:https://host[:port]/bucket[/prefix])`);
    if (!address.startsWith('s3:'))
        throw bad('it does not start with s3:');
    let rest = address.slice(3);
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(rest))
        rest = `https://${rest.replace(/^\/\//, '')}`;
    let url;
    try {
        url = new URL(rest);
    }
    catch {
        throw bad('not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw bad(`unsupported scheme ${url.protocol}`);
    if (!url.hostname)
        throw bad('no host');
    if (url.username || url.password)
        throw bad('credentials belong in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, not in the address');
    if (url.search || url.hash)
        throw bad('no query or fragment allowed');
    const parts = decodeURIComponent(url.pathname).split('/').filter((p) => p !== '');
    const bucket = parts.shift();
    if (!bucket)
        throw bad('no bucket');
    if (!BUCKET.test(bucket) || bucket.includes('..'))
        throw bad(`${JSON.stringify(bucket)} is not a valid bucket name (3-63 of a-z 0-9 . -)`);
    if (parts.some((p) => p === '.' || p === '..'))
        throw bad('"." and ".." are not allowed in the prefix');
    const prefix = parts.length ? `${parts.join('/')}/` : '';
    const host = url.hostname.toLowerCase();
    const aws = host === 'amazonaws.com' || host.endsWith('.amazonaws.com');
    const m = /^s3[.-]([a-z0-9-]+)\.amazonaws\.com$/.exec(host);
    const hostRegion = m && m[1] !== 'external-1' && m[1] !== 'accelerate' ? m[1] : undefined;
    const endpoint = `${url.protocol}//${url.host}`;
    return { endpoint, bucket, prefix, pathStyle: !aws, hostRegion, text: `s3:${endpoint}/${bucket}${prefix ? `/${prefix.slice(0, -1)}` : ''}` };
}
/** Whether a --repo value names an s3: repository. */
export function isS3Address(repo) {
    return repo.startsWith('s3:');
}
//# sourceMappingURL=s3-address.js.map