// Where the cache lives: --cache-dir, else $STRATA_CACHE_DIR, else
// $XDG_CACHE_HOME/strata, else ~/.cache/strata; one 0700 folder per
// repository id that records the id, and what is not usable is set aside.
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheRoot, openCacheDir } from '../../src/store/cache-dir.js';
import { tmpDir } from '../helpers/cli.js';

test.serial('cacheRoot: flag, then STRATA_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache', (t) => {
  const saved = { s: process.env.STRATA_CACHE_DIR, x: process.env.XDG_CACHE_HOME };
  t.teardown(() => {
    process.env.STRATA_CACHE_DIR = saved.s;
    if (saved.x === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved.x;
  });
  process.env.STRATA_CACHE_DIR = '/env/cache';
  process.env.XDG_CACHE_HOME = '/xdg';
  t.is(cacheRoot('/flag'), '/flag');
  t.is(cacheRoot(), '/env/cache');
  delete process.env.STRATA_CACHE_DIR;
  t.is(cacheRoot(), '/xdg/strata');
  process.env.XDG_CACHE_HOME = 'relative'; // not absolute: ignored, as the XDG spec says
  t.is(cacheRoot(), path.join(os.homedir(), '.cache', 'strata'));
});

test('a folder per repository id, private, recording the id; a foreign one is set aside', async (t) => {
  const root = path.join(tmpDir(t), 'c');
  const id = '0b7c2f4e-1111-4222-8333-944455556666';
  const first = openCacheDir(root, id);
  t.true(first.fresh);
  await first.cache.close();
  t.is(fs.statSync(first.dir).mode & 0o777, 0o700);
  t.is(fs.readFileSync(path.join(first.dir, 'repository-id'), 'utf8').trim(), id);
  t.true(fs.existsSync(path.join(root, 'CACHEDIR.TAG')));
  const again = openCacheDir(root, id);
  t.false(again.fresh);
  await again.cache.close();
  fs.writeFileSync(path.join(first.dir, 'repository-id'), 'someone-else\n');
  const notices: string[] = [];
  const third = openCacheDir(root, id, (m) => notices.push(m));
  await third.cache.close();
  t.true(third.fresh);
  t.is(notices.length, 1);
  t.regex(notices[0]!, /not this repository's \(it belongs to repository someone-else\); set aside as .*\.bad-/);
  t.is(fs.readdirSync(root).filter((e) => e.startsWith(`${id}.bad-`)).length, 1);
  t.throws(() => openCacheDir(root, '../escape'), { code: 'E_REPO_CONFIG' });
});
