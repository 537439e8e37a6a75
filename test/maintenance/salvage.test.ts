// salvage.ts on packs built by the real Packer: a flipped table byte, a
// truncated file, a corrupted blob; every blob whose bytes verify is kept,
// under the name its bytes give, and nothing else.
import test from 'ava';
import { compressBlob } from '../../src/compress.js';
import { hashBytes } from '../../src/hash.js';
import { salvagePack } from '../../src/maintenance/salvage.js';
import { MemoryObjectStore } from '../../src/store/memory-store.js';
import { BLOB_DATA, readPackEntries, type PackEntry } from '../../src/store/pack.js';
import { Packer } from '../../src/store/packer.js';
import { pseudoRandom } from '../helpers/cli.js';

async function pack(): Promise<{ bytes: Buffer; entries: PackEntry[]; raws: Map<string, Buffer> }> {
  const store = new MemoryObjectStore();
  let name = '';
  const packer = new Packer(store, 1 << 30, async (p) => void (name = `packs/${p.id.toString('hex').slice(0, 2)}/${p.id.toString('hex')}`));
  const raws = new Map<string, Buffer>();
  for (let i = 0; i < 12; i++) {
    const raw = i % 2 ? pseudoRandom(30_000 + i, i + 1) : Buffer.from(`text ${i} `.repeat(3000));
    const h = hashBytes(raw);
    raws.set(h.toString('hex'), raw);
    const { data, comp } = compressBlob(raw, 3);
    await packer.add(h, BLOB_DATA, comp, data, raw.length);
  }
  await packer.flush();
  const bytes = store.objects.get(name)!;
  const entries = await readPackEntries(name, bytes.length, async (o, l) => bytes.subarray(o, o + l));
  return { bytes, entries, raws };
}

const names = (es: PackEntry[]) => es.map((e) => e.hash.toString('hex')).sort();

test('a flipped hash byte in the table: every blob is kept, under its true name', async (t) => {
  const { bytes, entries } = await pack();
  const b = Buffer.from(bytes);
  const table = b.length - 44 - 48 * entries.length;
  b[table + 48 * 5 + 3] ^= 0x80;
  const s = salvagePack(b);
  t.deepEqual(names(s.kept), names(entries));
  t.is(s.failed, 0);
});

test('a truncated pack: the table is gone; with the old index locations every blob wholly inside is kept', async (t) => {
  const { bytes, entries } = await pack();
  const cut = Math.floor(bytes.length * 0.55);
  const b = bytes.subarray(0, cut);
  t.deepEqual(salvagePack(b).kept, [], 'no table, no hints: nothing to go on');
  const s = salvagePack(b, entries);
  const inside = entries.filter((e) => e.offset + e.length <= cut);
  t.true(inside.length > 0 && inside.length < entries.length);
  t.deepEqual(names(s.kept), names(inside));
  t.is(s.failed, entries.length - inside.length);
});

test('a corrupted blob: only that one is lost', async (t) => {
  const { bytes, entries } = await pack();
  const b = Buffer.from(bytes);
  const victim = entries[4]!;
  b[victim.offset + 10] ^= 0xff;
  // the whole-pack hash and this blob fail, the table is intact
  const s = salvagePack(b);
  t.deepEqual(names(s.kept), names(entries.filter((e) => e !== victim)));
  t.is(s.failed, 1);
});

test('a corrupted raw (uncompressed) blob is not kept under the name of its damaged bytes', async (t) => {
  const { bytes, entries } = await pack();
  const b = Buffer.from(bytes);
  const victim = entries.find((e) => e.comp === 0)!;
  t.truthy(victim, 'random data is stored raw');
  b[victim.offset + 10] ^= 0xff;
  const s = salvagePack(b);
  t.deepEqual(names(s.kept), names(entries.filter((e) => e !== victim)));
  t.is(s.failed, 1);
});
