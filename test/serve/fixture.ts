// A small history for the serve tests: three snapshots of one source with a
// text file edited twice, a rename, a multi-chunk binary file, an image, a
// symlink and a subdirectory; returns the repository and the source.
import type { ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { json, newRepo, pseudoRandom, tmpDir, writeTree } from '../helpers/cli.js';

// a 2x2 PNG (red, green / blue, white)
export const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a730000001249444154789c63f8cfc0c000c20cff8100001fee05fb0bd9688b0000000049454e44ae426082',
  'hex',
);

export interface Fixture {
  repo: string;
  src: string;
  ids: string[]; // full ids, oldest first
}

export function buildFixture(t: ExecutionContext): Fixture {
  const repo = newRepo(t);
  const src = path.join(tmpDir(t, 'strata-serve-src-'), 'docs');
  writeTree(src, {
    'notes.txt': 'line one\nline two\nline three\n',
    'sub/deep/old-name.md': '# moved later\n',
    'sub/data.bin': pseudoRandom(3 << 20, 7),
    'pic.png': PNG,
  });
  fs.symlinkSync('notes.txt', path.join(src, 'link-to-notes'));
  const ids: string[] = [];
  const snap = () => ids.push(json(t, ['snapshot', src], { repo }).id);
  snap();
  fs.writeFileSync(path.join(src, 'notes.txt'), 'line one\nline 2 (edited)\nline three\nline four\n');
  fs.renameSync(path.join(src, 'sub/deep/old-name.md'), path.join(src, 'sub/deep/new-name.md'));
  snap();
  fs.appendFileSync(path.join(src, 'notes.txt'), 'line five\n');
  fs.writeFileSync(path.join(src, 'sub/added.txt'), 'new file\n');
  snap();
  return { repo, src, ids };
}
