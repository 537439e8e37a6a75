// Several paths (or single files) in one snapshot, as `strata snapshot ~/work
// ~/notes.txt`: the snapshot's source is their deepest common directory, and
// exclusion rules (gitignore syntax, anchored at that directory) keep only the
// given paths and the directories leading to them. The manifest records the
// paths (relative to the source).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StrataError } from '../errors.js';
const escapeGlob = (s) => s.replace(/[\\*?[\]!# ]/g, (c) => `\\${c}`);
export function resolveSources(args) {
    const abs = args.map((a) => {
        try {
            return fs.realpathSync(path.resolve(a));
        }
        catch (e) {
            throw new StrataError('E_SOURCE', `cannot read source ${a}: ${e.message}`);
        }
    });
    const isDir = (p) => fs.statSync(p).isDirectory();
    // one directory: the ordinary snapshot of it
    if (abs.length === 1 && isDir(abs[0]))
        return { source: abs[0], paths: [], rules: [] };
    const dirOf = (p) => (isDir(p) ? p : path.dirname(p));
    let common = dirOf(abs[0]);
    for (const p of abs.slice(1)) {
        while (!(p === common || p.startsWith(common === '/' ? '/' : common + '/')))
            common = path.dirname(common);
    }
    // keep the outermost of nested paths
    const rel = [...new Set(abs.map((p) => path.relative(common, p)))].sort();
    if (rel.includes(''))
        return { source: common, paths: [], rules: [] };
    const kept = rel.filter((r) => !rel.some((o) => o !== r && r.startsWith(o + '/')));
    const ancestors = new Set();
    for (const k of kept) {
        const parts = k.split('/');
        for (let i = 1; i < parts.length; i++)
            ancestors.add(parts.slice(0, i).join('/'));
    }
    const byDepth = [...ancestors].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1));
    const rules = ['/*'];
    for (const a of byDepth)
        rules.push(`!/${escapeGlob(a)}/`, `/${escapeGlob(a)}/*`);
    for (const k of kept)
        rules.push(`!/${escapeGlob(k)}`);
    return { source: common, paths: kept, rules };
}
//# sourceMappingURL=sources.js.map