// src/store/repository.ts: init/open, putBlob/getBlob through packs, dedup, durability of
// flush (reopen and read), corruption reported as E_CORRUPT naming the pack, index rebuild.
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StrataError } from '../../src/errors.js';
import { hashBytes } from '../../src/hash.js';
import { LocalObjectStore } from '../../src/store/local-store.js';
import { BLOB_DATA, BLOB_TREE, packObjectName, readPackEntries } from '../../src/store/pack.js';
import { Repository } from '../../src/store/repository.js';
import { pseudoRandom, tmpDir } from '../helpers/cli.js';

type T = Parameters<typeof tmpDir>[0];

const TEXT = Buffer.from('compressible text, compressible text, compressible text\n'.repeat(500));
const RAND = pseudoRandom(70_000, 17);

async function newRepo(t: T, opts: Parameters<typeof Repository.init>[1] = {}): Promise<{ dir: string; repo: Repository }> {
  const dir = path.join(tmpDir(t), 'repo');
  const repo = await Repository.init(dir, opts);
  return { dir, repo };
}

function packFiles(dir: string): string[] {
  const out: string[] = [];
  for (const sub of fs.readdirSync(path.join(dir, 'packs'))) for (const f of fs.readdirSync(path.join(dir, 'packs', sub))) out.push(`packs/${sub}/${f}`);
  return out.sort();
}

test('init writes the config and the layout; open reads it back', async (t) => {
  const { dir, repo } = await newRepo(t, { compressionLevel: 5, packSize: 1 << 20, chunker: { min: 16384, avg: 65536, max: 262144 } });
  const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config'), 'utf8'));
  t.is(cfg.format, 'strata');
  t.is(cfg.version, 2);
  t.regex(cfg.id, /^[0-9a-f-]{36}$/);
  // the index is a cache outside the repository: one private folder per repository id
  t.false(fs.existsSync(path.join(dir, 'index', 'data.mdb')));
  const cacheDir = path.join(process.env.STRATA_CACHE_DIR!, cfg.id);
  t.is(fs.statSync(cacheDir).mode & 0o777, 0o700);
  t.is(fs.readFileSync(path.join(cacheDir, 'repository-id'), 'utf8').trim(), cfg.id);
  t.is(fs.statSync(path.join(cacheDir, 'index', 'data.mdb')).mode & 0o777, 0o600);
  t.false(Number.isNaN(Date.parse(cfg.created)));
  t.deepEqual(cfg.compression, { algorithm: 'zstd', level: 5 });
  t.is(cfg.packSize, 1 << 20);
  t.deepEqual([cfg.chunker.min, cfg.chunker.avg, cfg.chunker.max], [16384, 65536, 262144]);
  t.regex(cfg.chunker.seed, /^[0-9a-f]{32}$/);
  for (const d of ['packs', 'snapshots', 'index']) t.is(fs.statSync(path.join(dir, d)).mode & 0o777, 0o700, d);
  t.is(fs.statSync(path.join(dir, 'config')).mode & 0o777, 0o600);
  await repo.close();
  const again = await Repository.open(dir);
  t.deepEqual(again.config, cfg);
  await again.close();
});

test('init never writes a config that open refuses (partial chunker parameters)', async (t) => {
  // only avg given: the defaults fill min (512 KiB) and max (8 MiB), so min > avg
  const dir = path.join(tmpDir(t), 'repo');
  let repo: Repository;
  try {
    repo = await Repository.init(dir, { chunker: { avg: 65536 } });
  } catch (e) {
    t.pass(`init refused: ${(e as Error).message}`);
    return;
  }
  await repo.close();
  await t.notThrowsAsync(
    Repository.open(dir).then((r) => r.close()),
    'init accepted the parameters, so open must accept the config it wrote',
  );
});

test('putBlob/getBlob: readable before and after the flush; stored in packs; dedup', async (t) => {
  const { dir, repo } = await newRepo(t);
  const hText = hashBytes(TEXT);
  const hRand = hashBytes(RAND);
  const tree = Buffer.from('STRT tree-ish bytes');
  const hTree = hashBytes(tree);
  t.true(await repo.putBlob(BLOB_DATA, hText, TEXT));
  t.true(await repo.putBlob(BLOB_DATA, hRand, RAND));
  t.true(await repo.putBlob(BLOB_TREE, hTree, tree));
  t.false(await repo.putBlob(BLOB_DATA, hText, TEXT), 'same hash again: not added');
  t.true(repo.hasBlob(hText));
  t.deepEqual(await repo.getBlob(hText), TEXT); // from the open pack
  t.deepEqual(packFiles(dir), []);
  await repo.flush();
  t.is(packFiles(dir).length, 2, 'data and trees go to separate packs');
  t.deepEqual(await repo.getBlob(hText), TEXT);
  t.deepEqual(await repo.getBlob(hRand), RAND);
  t.deepEqual(await repo.getBlob(hTree), tree);
  t.false(await repo.putBlob(BLOB_DATA, hRand, RAND), 'indexed: not added again');
  t.is(repo.writeStats.blobsAdded, 3);
  t.is(repo.writeStats.rawBytesAdded, TEXT.length + RAND.length + tree.length);
  t.true(repo.writeStats.bytesAdded < TEXT.length / 5 + RAND.length + tree.length, 'text was compressed');
  await repo.flush(); // nothing pending: writes no pack
  t.is(packFiles(dir).length, 2);
  await t.throwsAsync(repo.getBlob(hashBytes(Buffer.from('never stored'))), { instanceOf: StrataError, code: 'E_BLOB_MISSING' });
  await repo.close();
});

test('flush makes blobs durable: the pack files alone hold them, and a reopened repository reads them', async (t) => {
  const { dir, repo } = await newRepo(t);
  await repo.putBlob(BLOB_DATA, hashBytes(TEXT), TEXT);
  await repo.putBlob(BLOB_DATA, hashBytes(RAND), RAND);
  await repo.flush();
  // read the packs straight from disk, with a separate store, before closing anything
  const store = new LocalObjectStore(dir);
  const found = new Set<string>();
  for (const name of packFiles(dir)) {
    const bytes = fs.readFileSync(path.join(dir, name));
    t.is(name, packObjectName(hashBytes(bytes)), 'pack named by the BLAKE3 of its bytes');
    for (const e of await readPackEntries(name, bytes.length, (o, l) => store.get(name, o, l))) found.add(e.hash.toString('hex'));
  }
  await store.close();
  t.true(found.has(hashBytes(TEXT).toString('hex')) && found.has(hashBytes(RAND).toString('hex')));
  await repo.close();
  const again = await Repository.open(dir);
  t.deepEqual(await again.getBlob(hashBytes(TEXT)), TEXT);
  t.deepEqual(await again.getBlob(hashBytes(RAND)), RAND);
  t.false(await again.putBlob(BLOB_DATA, hashBytes(TEXT), TEXT));
  await again.close();
});

test('small pack size: many packs, every blob found', async (t) => {
  const { dir, repo } = await newRepo(t, { packSize: 64 * 1024 });
  const blobs = Array.from({ length: 40 }, (_, i) => pseudoRandom(10_000, 1000 + i));
  for (const b of blobs) await repo.putBlob(BLOB_DATA, hashBytes(b), b);
  await repo.close();
  t.true(packFiles(dir).length >= 6, `${packFiles(dir).length} packs`);
  const again = await Repository.open(dir);
  for (const b of blobs) t.deepEqual(await again.getBlob(hashBytes(b)), b);
  await again.close();
});

for (const [label, blob] of [
  ['zstd', TEXT],
  ['raw', RAND],
] as const) {
  test(`a flipped byte in a stored (${label}) blob is E_CORRUPT naming the pack`, async (t) => {
    const { dir, repo } = await newRepo(t);
    const h = hashBytes(blob);
    await repo.putBlob(BLOB_DATA, h, blob);
    await repo.close();
    const [name] = packFiles(dir);
    const file = path.join(dir, name!);
    const bytes = fs.readFileSync(file);
    bytes[8 + 40]! ^= 0x20; // inside the blob, after the pack magic
    fs.writeFileSync(file, bytes);
    const again = await Repository.open(dir);
    const err = await t.throwsAsync(again.getBlob(h), { instanceOf: StrataError, code: 'E_CORRUPT' });
    t.true(err!.message.includes(`pack ${path.basename(name!)}`), err!.message);
    t.true(err!.message.includes(h.toString('hex')), err!.message);
    await again.close();
  });
}

test('a pack truncated under the index: E_CORRUPT, not a crash', async (t) => {
  const { dir, repo } = await newRepo(t);
  await repo.putBlob(BLOB_DATA, hashBytes(RAND), RAND);
  await repo.close();
  const file = path.join(dir, packFiles(dir)[0]!);
  fs.truncateSync(file, 1000);
  const again = await Repository.open(dir);
  await t.throwsAsync(again.getBlob(hashBytes(RAND)), { instanceOf: StrataError, code: 'E_CORRUPT' });
  await again.close();
});

test('indexMissingPacks rebuilds a lost index from the pack trailers and reports bad packs', async (t) => {
  const { dir, repo } = await newRepo(t, { packSize: 64 * 1024 });
  const blobs = Array.from({ length: 12 }, (_, i) => pseudoRandom(20_000, 50 + i));
  for (const b of blobs) await repo.putBlob(BLOB_DATA, hashBytes(b), b);
  await repo.putBlob(BLOB_TREE, hashBytes(TEXT), TEXT);
  await repo.close();
  const packs = packFiles(dir);
  fs.rmSync(path.join(dir, 'index'), { recursive: true });
  // one more file in packs/ that is not a pack
  fs.mkdirSync(path.join(dir, 'packs/ff'), { recursive: true });
  const junk = 'packs/ff/' + 'ff'.repeat(32);
  fs.writeFileSync(path.join(dir, junk), 'not a pack at all, but long enough to have a footer.......');
  const again = await Repository.open(dir);
  await t.throwsAsync(again.getBlob(hashBytes(blobs[0]!)), { code: 'E_BLOB_MISSING' });
  const seen: [string, string | undefined][] = [];
  const added = await again.indexMissingPacks((name, err) => seen.push([name, err?.message]));
  t.is(added, packs.length);
  t.deepEqual(seen.filter(([, e]) => e).map(([n]) => n), [junk]);
  t.regex(seen.find(([n]) => n === junk)![1]!, /bad trailer magic/);
  for (const b of blobs) t.deepEqual(await again.getBlob(hashBytes(b)), b);
  t.deepEqual(await again.getBlob(hashBytes(TEXT)), TEXT);
  t.is(await again.indexMissingPacks(), 0, 'a second pass has nothing to add');
  await again.close();
});

test('open/init refuse what is not a usable repository', async (t) => {
  const base = tmpDir(t);
  await t.throwsAsync(Repository.open(path.join(base, 'absent')), { instanceOf: StrataError, code: 'E_NO_REPO' });
  fs.mkdirSync(path.join(base, 'empty'));
  await t.throwsAsync(Repository.open(path.join(base, 'empty')), { code: 'E_NO_REPO', message: /no config/ });
  fs.writeFileSync(path.join(base, 'file'), 'x');
  await t.throwsAsync(Repository.open(path.join(base, 'file')), { code: 'E_NO_REPO' });
  await t.throwsAsync(Repository.init(path.join(base, 'file')), { code: 'E_REPO_EXISTS' });
  const { dir, repo } = await newRepo(t);
  await repo.close();
  await t.throwsAsync(Repository.init(dir), { code: 'E_REPO_EXISTS', message: /already exists/ });
  const cfgPath = path.join(dir, 'config');
  const cfg = JSON.parse(fs.readFileSync(cfgPath, 'utf8'));
  fs.writeFileSync(cfgPath, JSON.stringify({ ...cfg, version: 3 }));
  await t.throwsAsync(Repository.open(dir), { code: 'E_REPO_VERSION', message: /version 3/ });
  fs.writeFileSync(cfgPath, '{ not json');
  await t.throwsAsync(Repository.open(dir), { code: 'E_REPO_CONFIG' });
  fs.writeFileSync(cfgPath, JSON.stringify({ ...cfg, chunker: { ...cfg.chunker, min: 0 } }));
  await t.throwsAsync(Repository.open(dir), { code: 'E_REPO_CONFIG' });
  fs.writeFileSync(cfgPath, JSON.stringify({ ...cfg, format: 'restic' }));
  await t.throwsAsync(Repository.open(dir), { code: 'E_REPO_CONFIG' });
});
