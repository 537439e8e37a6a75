// src/store/pack.ts + packer.ts: the pack layout byte by byte, trailer round trips, and damaged
// packs (trailer, truncation, entry table, entries pointing outside the blob area) → E_CORRUPT.
import test from 'ava';
import assert from 'node:assert/strict';
import { StrataError } from '../../src/errors.js';
import { hashBytes } from '../../src/hash.js';
import { MemoryObjectStore } from '../../src/store/memory-store.js';
import {
  BLOB_CHUNKLIST,
  BLOB_DATA,
  BLOB_TREE,
  ENTRY_LEN,
  FOOTER_LEN,
  PACK_MAGIC,
  TRAILER_MAGIC,
  encodeTrailer,
  packObjectName,
  readPackEntries,
  type PackEntry,
} from '../../src/store/pack.js';
import { Packer, type FlushedPack } from '../../src/store/packer.js';
import { pseudoRandom } from '../helpers/cli.js';

const corrupt = (message?: RegExp) => ({ instanceOf: StrataError, code: 'E_CORRUPT', ...(message ? { message } : {}) }) as const;

const readAll = (pack: Buffer, name = 'p') => readPackEntries(name, pack.length, async (o, l) => Buffer.from(pack.subarray(o, o + l)));

/** Three blobs through a real Packer; returns the pack bytes and what onFlush saw. */
async function makePack(): Promise<{ pack: Buffer; name: string; flushed: FlushedPack; blobs: Buffer[] }> {
  const store = new MemoryObjectStore();
  let flushed: FlushedPack | undefined;
  const packer = new Packer(store, 1 << 20, async (p) => void (flushed = p));
  const blobs = [Buffer.from('first blob'), pseudoRandom(5000, 1), Buffer.from('third')];
  await packer.add(hashBytes(blobs[0]!), BLOB_DATA, 0, blobs[0]!, blobs[0]!.length);
  await packer.add(hashBytes(blobs[1]!), BLOB_TREE, 1, blobs[1]!, 12345);
  await packer.add(hashBytes(blobs[2]!), BLOB_CHUNKLIST, 0, blobs[2]!, blobs[2]!.length);
  // before the flush, a blob is readable from the open pack
  assert.deepEqual(packer.pendingBytes(hashBytes(blobs[1]!).toString('hex'))?.data, blobs[1]);
  await packer.flush();
  const [name] = [...store.objects.keys()];
  return { pack: store.objects.get(name!)!, name: name!, flushed: flushed!, blobs };
}

test('pack layout: magic, blobs, 48-byte entries, count, BLAKE3 of the table, trailer magic; named by BLAKE3', async (t) => {
  const { pack, name, flushed, blobs } = await makePack();
  const id = hashBytes(pack);
  t.is(name, `packs/${id.toString('hex').slice(0, 2)}/${id.toString('hex')}`);
  t.is(name, packObjectName(id));
  t.deepEqual(flushed.id, id);
  t.is(flushed.size, pack.length);
  t.deepEqual(pack.subarray(0, 8), Buffer.from('5354525041434b01', 'hex')); // "STRPACK\x01"
  t.deepEqual(PACK_MAGIC, Buffer.from('STRPACK\x01', 'latin1'));
  const dataLen = blobs.reduce((n, b) => n + b.length, 0);
  t.is(pack.length, 8 + dataLen + 3 * ENTRY_LEN + FOOTER_LEN);
  t.is(FOOTER_LEN, 44);
  // blobs back to back after the magic
  t.deepEqual(pack.subarray(8, 8 + dataLen), Buffer.concat(blobs));
  // entry table
  const table = pack.subarray(8 + dataLen, 8 + dataLen + 3 * ENTRY_LEN);
  const e1 = table.subarray(ENTRY_LEN, 2 * ENTRY_LEN);
  t.deepEqual(e1.subarray(0, 32), hashBytes(blobs[1]!));
  t.is(e1[32], BLOB_TREE);
  t.is(e1[33], 1);
  t.deepEqual(e1.subarray(34, 36), Buffer.alloc(2), 'reserved bytes are zero');
  t.is(e1.readUInt32LE(36), 8 + blobs[0]!.length); // offset from the start of the pack file
  t.is(e1.readUInt32LE(40), blobs[1]!.length); // stored length
  t.is(e1.readUInt32LE(44), 12345); // raw (uncompressed) length
  // footer
  const footer = pack.subarray(pack.length - FOOTER_LEN);
  t.is(footer.readUInt32LE(0), 3);
  t.deepEqual(footer.subarray(4, 36), hashBytes(table));
  t.deepEqual(footer.subarray(36), Buffer.from('53545254524c0001', 'hex')); // "STRTRL\0\x01"
  t.deepEqual(footer.subarray(36), TRAILER_MAGIC);
});

test('readPackEntries returns exactly the entries the packer wrote', async (t) => {
  const { pack, flushed } = await makePack();
  const entries = await readAll(pack);
  t.deepEqual(entries, flushed.entries);
  t.deepEqual(
    entries.map((e) => [e.type, e.comp, e.offset, e.length]),
    [
      [BLOB_DATA, 0, 8, 10],
      [BLOB_TREE, 1, 18, 5000],
      [BLOB_CHUNKLIST, 0, 5018, 5],
    ],
  );
});

test('encodeTrailer round-trips through readPackEntries; an empty table is valid', async (t) => {
  const data = pseudoRandom(300, 2);
  const entries: PackEntry[] = [
    { hash: hashBytes(Buffer.from('a')), type: BLOB_DATA, comp: 0, offset: 8, length: 100, rawLength: 100 },
    { hash: hashBytes(Buffer.from('b')), type: BLOB_DATA, comp: 1, offset: 108, length: 200, rawLength: 4000 },
  ];
  const pack = Buffer.concat([PACK_MAGIC, data, encodeTrailer(entries)]);
  t.deepEqual(await readAll(pack), entries);
  t.deepEqual(await readAll(Buffer.concat([PACK_MAGIC, encodeTrailer([])])), []);
});

test('a damaged trailer is E_CORRUPT and names the pack', async (t) => {
  const { pack } = await makePack();
  const flip = (at: number) => {
    const b = Buffer.from(pack);
    b[at]! ^= 0x01;
    return b;
  };
  await t.throwsAsync(readAll(flip(pack.length - 1), 'packs/ab/abcd'), corrupt(/pack packs\/ab\/abcd: bad trailer magic/));
  await t.throwsAsync(readAll(flip(pack.length - 20)), corrupt(/trailer checksum mismatch/)); // inside the table hash
  await t.throwsAsync(readAll(flip(pack.length - FOOTER_LEN - 10)), corrupt(/trailer checksum mismatch/)); // inside the entry table
  await t.throwsAsync(readAll(flip(pack.length - FOOTER_LEN + 1)), corrupt()); // the count
  const huge = Buffer.from(pack);
  huge.writeUInt32LE(0xffffffff, pack.length - FOOTER_LEN);
  await t.throwsAsync(readAll(huge), corrupt(/exceeds the file/));
});

test('a truncated pack is E_CORRUPT', async (t) => {
  const { pack } = await makePack();
  for (const cut of [1, 8, FOOTER_LEN, FOOTER_LEN + 1, pack.length - 20]) {
    await t.throwsAsync(readAll(pack.subarray(0, pack.length - cut)), corrupt(), `cut ${cut}`);
  }
  await t.throwsAsync(readAll(Buffer.alloc(0)), corrupt(/too short/));
  await t.throwsAsync(readAll(pack.subarray(0, 8 + FOOTER_LEN - 1)), corrupt(/too short/));
});

test('entries pointing outside the blob area are rejected, even with a valid table hash', async (t) => {
  const data = pseudoRandom(100, 5);
  const ok: PackEntry = { hash: hashBytes(data), type: BLOB_DATA, comp: 0, offset: 8, length: 100, rawLength: 100 };
  const build = (e: PackEntry) => Buffer.concat([PACK_MAGIC, data, encodeTrailer([e])]);
  t.is((await readAll(build(ok))).length, 1);
  for (const bad of [
    { ...ok, offset: 0 }, // inside the magic
    { ...ok, offset: 7 },
    { ...ok, offset: 9 }, // runs one byte into the entry table
    { ...ok, length: 101 },
    { ...ok, offset: 200, length: 0 },
    { ...ok, offset: 0xffffff00, length: 0x1000 }, // past the end (no u32 wrap-around)
  ]) {
    await t.throwsAsync(readAll(build(bad)), corrupt(/entry points outside the pack/), JSON.stringify({ offset: bad.offset, length: bad.length }));
  }
});

test('the packer flushes on its own when a pack reaches the target size', async (t) => {
  const store = new MemoryObjectStore();
  const flushed: FlushedPack[] = [];
  const packer = new Packer(store, 10_000, async (p) => void flushed.push(p));
  for (let i = 0; i < 10; i++) {
    const b = pseudoRandom(3000, 100 + i);
    await packer.add(hashBytes(b), BLOB_DATA, 0, b, b.length);
  }
  await new Promise((r) => setImmediate(r)); // full packs are written in the background
  t.is(flushed.length, 2); // 8 + 4 * 3000 >= 10,000 twice, before any flush()
  t.false(packer.isEmpty);
  await packer.flush();
  t.is(flushed.length, 3);
  t.true(packer.isEmpty);
  t.is(store.objects.size, 3);
  t.deepEqual(
    flushed.map((p) => p.entries.length),
    [4, 4, 2],
  );
  for (const [name, bytes] of store.objects) {
    t.is(name, packObjectName(hashBytes(bytes)));
    for (const e of await readAll(bytes)) t.deepEqual(hashBytes(bytes.subarray(e.offset, e.offset + e.length)), e.hash);
  }
});
