// Reading a small file without moving its atime (O_NOATIME where the kernel
// allows it: the owner or root), so what strata reads itself (a .strataignore)
// does not change the atime it records in the next tree.
import * as fs from 'node:fs';
import { errnoCode } from '../errors.js';
const O_NOATIME = fs.constants.O_NOATIME ?? 0;
export function readFileQuietly(p) {
    let fd;
    try {
        fd = fs.openSync(p, fs.constants.O_RDONLY | O_NOATIME);
    }
    catch (e) {
        if (!O_NOATIME || errnoCode(e) !== 'EPERM')
            throw e;
        fd = fs.openSync(p, fs.constants.O_RDONLY);
    }
    try {
        return fs.readFileSync(fd);
    }
    finally {
        fs.closeSync(fd);
    }
}
//# sourceMappingURL=read-quietly.js.map