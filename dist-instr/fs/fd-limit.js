// How many files this process may have open (the soft RLIMIT_NOFILE), read
// from /proc/self/limits: Node has no getrlimit. Readers that keep many files
// open at once (the restorer's temporaries) size themselves by it, so a
// desktop's usual limit of 1,024 is never exceeded. Unknown: 1,024.
import * as fs from 'node:fs';
let cached;
export function openFileLimit() {
    if (cached !== undefined)
        return cached;
    cached = 1024;
    try {
        const m = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
        if (m)
            cached = m[1] === 'unlimited' ? 1 << 20 : Number(m[1]);
    }
    catch {
        // not Linux, or no procfs: the common default
    }
    return cached;
}
//# sourceMappingURL=fd-limit.js.map