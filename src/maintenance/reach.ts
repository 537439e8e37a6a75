// Walks everything a snapshot references (trees, chunk lists, data chunks) for
// prune's mark phase and for check. Subtrees shared by many snapshots are
// walked once (a MarkSet of visited containers); damaged ones are remembered
// so every snapshot that contains them can be named with its path.
import { displayName } from '../fs/paths.js';
import { rootEntry, type Snapshot } from '../snapshot/manifest.js';
import { BLOB_CHUNKLIST, BLOB_DATA, BLOB_TREE, type BlobType } from '../store/pack.js';
import type { Repository } from '../store/repository.js';
import { decodeChunkList, decodeTree, type FileContent } from '../tree/codec.js';
import type { HashSet } from '../store/ports.js';

export interface Problem {
  kind: string; // stable: missing-pack, corrupt-blob, missing-blob, missing-tree, …
  message: string;
  snapshot?: string;
  path?: string;
  blob?: string;
  pack?: string;
}

export interface ReachOptions {
  /** containers (trees, chunk lists) already walked; prune passes its mark set */
  visited: HashSet;
  /** every reference, with the path it was found at; return a problem text to flag it */
  onRef: (hash: Buffer, type: BlobType, path: string) => string | null;
  onProblem: (p: Problem) => void;
}

/**
 * Let the event loop turn. The blake3 binding frees each hasher in a finalizer that runs
 * only on a later turn; loops that hash while awaiting only settled promises never turn
 * it, and hold ~2 KiB per hash (2 GiB after a million, measured). Long loops call this.
 */
export const breathe = (): Promise<void> => new Promise((r) => setImmediate(r));


export class Reacher {
  /** damaged containers (hex) → the first path where they were found */
  private readonly bad = new Map<string, string>();
  private snap!: Snapshot;
  private loads = 0;

  constructor(
    private readonly repo: Repository,
    private readonly o: ReachOptions,
  ) {}

  /** Walk one snapshot; true when something it references is damaged or missing. */
  async walk(s: Snapshot): Promise<boolean> {
    this.snap = s;
    return this.tree(rootEntry(s).subtree!, '');
  }

  private problem(kind: string, p: string, message: string, blob?: Buffer): void {
    const where = p === '' ? '/' : p;
    this.o.onProblem({ kind, snapshot: this.snap.id, path: where, blob: blob?.toString('hex'), message: `snapshot ${this.snap.id.slice(0, 8)} (${this.snap.source}): ${where}: ${message}` });
  }

  /** Already walked: report it again for this snapshot if it was damaged. */
  private seen(hash: Buffer, p: string): boolean {
    const first = this.bad.get(hash.toString('hex'));
    if (first === undefined) return false;
    this.problem('damaged-subtree', p, `contains damaged or missing data (details at ${first || '/'} above)`);
    return true;
  }

  private async tree(hash: Buffer, p: string): Promise<boolean> {
    if (!this.o.visited.add(hash)) return this.seen(hash, p);
    let isBad = false;
    const refProblem = this.o.onRef(hash, BLOB_TREE, p);
    if (++this.loads % 1000 === 0) await breathe();
    let entries;
    try {
      entries = decodeTree(await this.repo.getBlob(hash));
    } catch (e) {
      this.problem('missing-tree', p, `directory tree ${hash.toString('hex').slice(0, 16)} cannot be read: ${refProblem ?? (e as Error).message}`, hash);
      this.bad.set(hash.toString('hex'), p);
      return true;
    }
    for (const e of entries) {
      const child = p ? `${p}/${displayName(e.name)}` : displayName(e.name);
      if (e.kind === 'dir') isBad = (await this.tree(e.subtree!, child)) || isBad;
      else if (e.kind === 'file') isBad = (await this.file(e.content!, child)) || isBad;
    }
    if (isBad) this.bad.set(hash.toString('hex'), p);
    return isBad;
  }

  private async file(c: FileContent, p: string): Promise<boolean> {
    let chunks: Buffer[];
    if (c.chunkList) {
      if (!this.o.visited.add(c.chunkList)) return this.seen(c.chunkList, p);
      const listProblem = this.o.onRef(c.chunkList, BLOB_CHUNKLIST, p);
      if (++this.loads % 1000 === 0) await breathe();
      try {
        chunks = decodeChunkList(await this.repo.getBlob(c.chunkList));
      } catch (e) {
        this.problem('missing-blob', p, `chunk list ${c.chunkList.toString('hex').slice(0, 16)} cannot be read: ${listProblem ?? (e as Error).message}`, c.chunkList);
        this.bad.set(c.chunkList.toString('hex'), p);
        return true;
      }
    } else chunks = c.chunks!;
    let isBad = false;
    for (const h of chunks) {
      const msg = this.o.onRef(h, BLOB_DATA, p);
      if (msg) {
        this.problem('missing-blob', p, `file data ${h.toString('hex').slice(0, 16)}: ${msg}`, h);
        isBad = true;
      }
    }
    if (isBad && c.chunkList) this.bad.set(c.chunkList.toString('hex'), p);
    return isBad;
  }
}
