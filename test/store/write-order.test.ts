// Write order packs → index segment → manifest, checked with a faulty store:
// a snapshot whose segment (or pack) cannot be written commits nothing, and
// the next attempt is complete for a reader that only has the segments.
import test from 'ava';
import * as path from 'node:path';
import { hashBytes } from '../../src/hash.js';
import { listSnapshots, rootEntry } from '../../src/snapshot/manifest.js';
import { takeSnapshot } from '../../src/snapshot/snapshotter.js';
import { FaultyObjectStore } from '../../src/store/faulty-store.js';
import { isSegmentName } from '../../src/store/index-segment.js';
import { MemoryCache } from '../../src/store/memory-cache.js';
import { MemoryObjectStore } from '../../src/store/memory-store.js';
import { Repository } from '../../src/store/repository.js';
import { fileChunks, resolvePath } from '../../src/tree/trees.js';
import { pseudoRandom, tmpDir, writeTree } from '../helpers/cli.js';

for (const prefix of ['index/', 'packs/']) {
  test(`a failed ${prefix} write commits no snapshot; the retry is complete from the segments alone`, async (t) => {
    const src = path.join(tmpDir(t), 'src');
    const data = pseudoRandom(600 << 10, 4);
    writeTree(src, { 'd/f.bin': data, 'g.txt': 'g\n' });
    const mem = new MemoryObjectStore();
    const store = new FaultyObjectStore(mem, [{ op: 'put', prefix, nth: 1 }]);
    const config = Repository.newConfig({ packSize: 256 << 10, chunker: { avg: 64 << 10 } });
    const repo = await Repository.fromParts({ store, config, cache: new MemoryCache() });
    await t.throwsAsync(takeSnapshot(repo, { source: src }), { code: 'E_IO', message: /injected fault/ });
    t.deepEqual(store.failed.length, 1);
    t.deepEqual([...mem.objects.keys()].filter((n) => n.startsWith('snapshots/')), [], 'no manifest without its segment');
    // a fresh process (new repository object, new cache) tries again
    const again = await Repository.fromParts({ store: mem, config, cache: new MemoryCache() });
    const r = await takeSnapshot(again, { source: src });
    t.truthy(r.snapshot?.id);
    t.true([...mem.objects.keys()].some(isSegmentName));
    // a third host reads it with an index built from the segments only
    const reader = await Repository.fromParts({ store: mem, config, cache: new MemoryCache() });
    const [snap] = await listSnapshots(reader);
    const e = await resolvePath(reader, rootEntry(snap!), 'd/f.bin');
    const parts: Buffer[] = [];
    for (const h of await fileChunks(reader, e.content!)) parts.push(Buffer.from(await reader.getBlob(h)));
    t.true(hashBytes(Buffer.concat(parts)).equals(hashBytes(data)));
    await reader.close();
    await again.close();
  });
}
