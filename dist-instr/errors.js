// One small error hierarchy for all of strata. Every error carries a stable
// `code` (documented in README.md) so the CLI can map it to an exit code and
// scripts can match on it; the original error travels as `cause`.
export class StrataError extends Error {
    code;
    constructor(code, message, options) {
        super(message, options);
        this.name = 'StrataError';
        this.code = code;
    }
}
export function isStrataError(e, code) {
    return e instanceof StrataError && (code === undefined || e.code === code);
}
/** The errno code of a Node system error, if any. */
export function errnoCode(e) {
    return typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : undefined;
}
//# sourceMappingURL=errors.js.map