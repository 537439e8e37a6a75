// Exit codes, documented in README.md; aligned with restic's (10 no repository,
// 11 locked, 12 wrong password, 130 interrupted). Only the CLI turns errors into these.
import { isStrataError } from '../errors.js';
export const EXIT = {
    OK: 0,
    FATAL: 1,
    USAGE: 2,
    PARTIAL: 3, // snapshot saved, but some files could not be read
    INTEGRITY: 4, // corrupted or missing repository data
    NO_REPO: 10, // repository does not exist / is not a strata repository
    LOCKED: 11, // repository is locked by another process (strata prune, or a writer while pruning)
    WRONG_PASSWORD: 12, // the repository key cannot be opened with the password given
    BAD_REPO: 13, // unsupported format version or damaged config
    INDEX: 14, // the index is missing, empty or damaged: run `strata repair index`
    REMOTE_AUTH: 15, // the object store refused the credentials
    REMOTE_UNREACHABLE: 16, // the object store endpoint cannot be reached (after retries)
    INTERRUPTED: 130, // SIGINT/SIGTERM before the command finished
};
export function exitCodeFor(e) {
    if (!isStrataError(e))
        return EXIT.FATAL;
    switch (e.code) {
        case 'E_USAGE':
            return EXIT.USAGE;
        case 'E_NO_REPO':
            return EXIT.NO_REPO;
        case 'E_REPO_VERSION':
        case 'E_REPO_CONFIG':
            return EXIT.BAD_REPO;
        case 'E_LOCKED':
            return EXIT.LOCKED;
        case 'E_WRONG_PASSWORD':
            return EXIT.WRONG_PASSWORD;
        case 'E_NO_PASSWORD':
        case 'E_PASSWORD_MISMATCH':
            return EXIT.FATAL;
        case 'E_INDEX':
            return EXIT.INDEX;
        case 'E_S3_NO_BUCKET':
            return EXIT.NO_REPO;
        case 'E_S3_AUTH':
            return EXIT.REMOTE_AUTH;
        case 'E_S3_UNREACHABLE':
            return EXIT.REMOTE_UNREACHABLE;
        case 'E_CORRUPT':
        case 'E_BLOB_MISSING':
        case 'E_OBJECT_MISSING':
        case 'E_PACK_MISSING':
            return EXIT.INTEGRITY;
        case 'E_INTERRUPTED':
            return EXIT.INTERRUPTED;
        default:
            return EXIT.FATAL;
    }
}
//# sourceMappingURL=exit-codes.js.map