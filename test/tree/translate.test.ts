// src/tree/translate.ts: a snapshot's blobs re-identified for a repository
// whose ids differ (docs/format.md §11.10): data, chunk-list, xattr-value and
// tree blobs under the destination's ids, content hashes unchanged, every
// blob translated once (memoised), existing blobs not stored again; between
// repositories with the same ids the translation is the identity.
import test from 'ava';
import { newMasterKey } from '../../src/crypto/keys.js';
import { encryptedCipher } from '../../src/crypto/repo-cipher.js';
import { hashBytes } from '../../src/hash.js';
import { MemoryCache } from '../../src/store/memory-cache.js';
import { MemoryObjectStore } from '../../src/store/memory-store.js';
import { BLOB_DATA } from '../../src/store/pack.js';
import { Repository, sameBlobIds } from '../../src/store/repository.js';
import { decodeChunkList, sortEntries, type TreeEntry } from '../../src/tree/codec.js';
import { IdTranslator } from '../../src/tree/translate.js';
import { fileChunks, loadTree, makeFileContent, repoTreeSink } from '../../src/tree/trees.js';

const memRepo = (encrypted: boolean) =>
  Repository.fromParts({ store: new MemoryObjectStore(), config: Repository.newConfig({ packSize: 1 << 20 }), cache: new MemoryCache(), ...(encrypted ? { cipher: encryptedCipher(newMasterKey()) } : {}) });

const meta = { mode: 0o644, uid: 1, gid: 1, mtimeNs: 1_700_000_000_000_000_000n };

/** A tree with a one-chunk file, a chunk-list file, a big xattr value and a subdirectory, stored in `repo`. */
async function sample(repo: Repository): Promise<{ root: Buffer; chunks: Buffer[] }> {
  const chunks = Array.from({ length: 12 }, (_, i) => Buffer.from(`chunk ${i} `.repeat(100)));
  const ids = [];
  for (const c of chunks) {
    const id = repo.ids.blobId(c);
    await repo.putBlob(BLOB_DATA, id, c);
    ids.push(id);
  }
  const whole = Buffer.concat(chunks);
  const big = await makeFileContent(repo, repo.ids, hashBytes(whole), ids);
  const one = await makeFileContent(repo, repo.ids, hashBytes(chunks[0]!), [ids[0]!]);
  const xv = Buffer.alloc(5000, 7);
  await repo.putBlob(BLOB_DATA, repo.ids.blobId(xv), xv);
  const sink = repoTreeSink(repo, repo.ids);
  const sub = await sink.saveTree([{ ...meta, name: Buffer.from('one'), kind: 'file', size: chunks[0]!.length, content: one }]);
  const entries: TreeEntry[] = sortEntries([
    { ...meta, name: Buffer.from('big'), kind: 'file', size: whole.length, content: big, xattrs: [{ name: Buffer.from('user.v'), blob: repo.ids.blobId(xv), size: xv.length }] },
    { ...meta, name: Buffer.from('sub'), kind: 'dir', size: chunks[0]!.length, subtree: sub.hash, files: 1, dirs: 0 },
    { ...meta, name: Buffer.from('sub2'), kind: 'dir', size: chunks[0]!.length, subtree: sub.hash, files: 1, dirs: 0 },
  ]);
  const root = (await sink.saveTree(entries)).hash;
  await repo.flush();
  return { root, chunks };
}

test('plaintext → encrypted: every reference re-identified, content hashes kept, each blob once', async (t) => {
  const src = await memRepo(false);
  const dst = await memRepo(true);
  t.false(sameBlobIds(src.ids, dst.ids));
  const { root, chunks } = await sample(src);
  const tr = new IdTranslator(src, dst);
  const newRoot = await tr.tree(root);
  await dst.flush();
  t.false(newRoot.equals(root));
  // 12 chunks, 1 chunk list, 1 xattr value, the shared subtree once, the root
  t.is(tr.stats.blobs, 16);
  t.deepEqual(await tr.tree(root), newRoot, 'memoised');
  t.is(tr.stats.blobs, 16);

  const entries = await loadTree(dst, newRoot);
  const big = entries.find((e) => e.name.toString() === 'big')!;
  t.deepEqual(big.content!.hash, hashBytes(Buffer.concat(chunks)), 'the content hash stays plain BLAKE3');
  const list = await fileChunks(dst, big.content!);
  t.deepEqual(list, chunks.map((c) => dst.ids.blobId(c)));
  t.deepEqual(decodeChunkList(await dst.getBlob(big.content!.chunkList!)), list);
  t.deepEqual(big.xattrs![0]!.blob, dst.ids.blobId(Buffer.alloc(5000, 7)));
  const sub = entries.find((e) => e.name.toString() === 'sub')!;
  const one = (await loadTree(dst, sub.subtree!))[0]!;
  t.deepEqual(one.content!.hash, hashBytes(chunks[0]!), "a one-chunk file's content hash is plain");
  t.deepEqual(one.content!.chunks, [dst.ids.blobId(chunks[0]!)], 'its chunk id is keyed: no longer equal to it');
  t.false(one.content!.chunks![0]!.equals(one.content!.hash));

  // a second translator into the same destination finds everything there (dedup by new id)
  const again = new IdTranslator(src, dst);
  t.deepEqual(await again.tree(root), newRoot);
  t.is(again.stats.blobs, 0);
});

test('between repositories with the same ids the translation is the identity', async (t) => {
  const src = await memRepo(false);
  const dst = await memRepo(false);
  t.true(sameBlobIds(src.ids, dst.ids));
  const { root } = await sample(src);
  t.deepEqual(await new IdTranslator(src, dst).tree(root), root, 'decode + encode gives the same bytes');
});
