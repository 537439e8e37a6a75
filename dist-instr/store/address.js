// Repository addresses (`--repo`, $STRATA_REPO): a local path, or `s3:...`.
// Every other scheme is refused here, before anything is created, so that
// `--repo sftp:host:/x` never becomes a local folder named "sftp:host:".
import { StrataError } from '../errors.js';
/** Schemes other backup tools use; named in the refusal so the user knows why. */
const KNOWN_UNSUPPORTED = ['sftp', 'rest', 'rclone', 'b2', 'azure', 'gs', 'swift', 'ftp', 'ftps', 'http', 'https', 'ssh', 'smb', 'webdav', 'file'];
export function parseRepoAddress(addr) {
    if (addr === '')
        throw new StrataError('E_USAGE', 'empty repository address');
    const m = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s.exec(addr);
    if (m) {
        const scheme = m[1].toLowerCase();
        if (scheme === 's3') {
            if (!m[2])
                throw new StrataError('E_USAGE', `repository address ${addr}: s3: needs a bucket (s3:https://host/bucket/prefix or s3:bucket/prefix)`);
            return { kind: 's3', url: m[2] };
        }
        if (KNOWN_UNSUPPORTED.includes(scheme) || m[2].startsWith('//')) {
            throw new StrataError('E_USAGE', `repository address ${addr}: the ${scheme}: backend is not supported (strata stores repositories in a local folder or on S3 with s3:...); nothing was created`);
        }
    }
    return { kind: 'local', path: addr };
}
//# sourceMappingURL=address.js.map