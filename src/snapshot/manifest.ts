// Snapshot manifests: a root tree hash plus when, where and what. Each is a
// small JSON file `snapshots/<id>` in the repository (id = BLAKE3 of its
// bytes; in an encrypted repository the JSON is sealed and the id is its keyed
// BLAKE3, format.md §7), the only truth; a copy in the per-host cache makes listing fast. Also resolves references: id prefix, latest, latest~N,
// the latter two optionally counted back from a point in time (--at).
import { StrataError } from '../errors.js';
import { isStrataError } from '../errors.js';
import type { Repository } from '../store/repository.js';
import type { TreeEntry, XAttr } from '../tree/codec.js';

export interface SnapshotStats {
  files: number;
  dirs: number;
  bytes: number; // logical size of all files
  bytesRead: number; // content bytes read from the source this time
  filesRead: number;
  bytesAdded: number; // stored bytes this snapshot added to the repository
  blobsAdded: number;
  dirsScanned: number;
  /** directories whose names were read from disk (absent in snapshots made before it was counted) */
  dirsListed?: number;
  /** directories found under a new name and reused without listing them */
  dirsMoved?: number;
  durationMs: number;
}

export interface SkippedPath {
  path: string;
  code: string;
  message: string;
}

export interface Manifest {
  version: 1;
  time: string; // ISO 8601, UTC
  host: string;
  source: string; // absolute path of the snapshotted directory
  root: string; // hex tree hash
  /** xattrs: the source directory's own extended attributes, names and values base64 (format §7) */
  rootMeta: { mode: number; uid: number; gid: number; mtimeNs: string; xattrs?: { name: string; value: string }[] };
  parent: string | null;
  unchanged: boolean;
  stats: SnapshotStats;
  skipped: SkippedPath[]; // first 1000
  skippedCount: number;
  warnings: SkippedPath[]; // first 1000 (stored, but worth knowing: special files, odd names)
  warningCount: number;
  tags?: string[]; // absent when none were given
  paths?: string[]; // several paths / single files in one snapshot: those kept, relative to source
}

export interface Snapshot extends Manifest {
  id: string;
}

const snapshotName = (id: string) => `snapshots/${id}`;

export async function saveManifest(repo: Repository, m: Manifest): Promise<Snapshot> {
  const bytes = Buffer.from(JSON.stringify(m));
  const { name: id, bytes: stored } = repo.cipher.sealNamed('snapshot', bytes);
  await repo.lock?.verify(); // a writer whose lock was broken (prune ran) must not commit
  await repo.store.put(snapshotName(id), stored);
  await repo.index.snapshots.put(id, bytes.toString('utf8'));
  return { ...m, id };
}

/** Remove a snapshot: the index copy first, then the file (the file is the truth; a crash in between leaves it listed). */
export async function deleteSnapshot(repo: Repository, id: string): Promise<void> {
  await repo.index.snapshots.remove(id);
  await repo.index.flushed();
  await repo.store.delete(snapshotName(id));
}

/**
 * Load every manifest, oldest first. The repository's listing is the truth:
 * the cache's copies spare reading the files, copies of snapshots removed
 * meanwhile (by another host's forget) are dropped, new files are read.
 */
export async function listSnapshots(repo: Repository): Promise<Snapshot[]> {
  const listed = new Set<string>();
  for await (const name of repo.store.list('snapshots/')) listed.add(name.slice('snapshots/'.length));
  const out = new Map<string, Snapshot>();
  for (const { key, value } of repo.index.snapshots.getRange()) {
    if (!listed.has(key)) {
      void repo.index.snapshots.remove(key);
      continue;
    }
    out.set(key, { ...(JSON.parse(value) as Manifest), id: key });
  }
  for (const id of listed) {
    const name = snapshotName(id);
    if (out.has(id) || !/^[0-9a-f]{64}$/.test(id)) continue;
    try {
      const bytes = openManifest(repo, id, await repo.store.get(name));
      if (!bytes) continue; // damaged; `check` reports it
      const m = JSON.parse(bytes.toString('utf8')) as Manifest;
      out.set(id, { ...m, id });
      await repo.index.snapshots.put(id, bytes.toString('utf8'));
    } catch {
      continue;
    }
  }
  return [...out.values()].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.id < b.id ? -1 : 1));
}

/** The JSON bytes of manifest `id` as stored (opened and checked against its id), or undefined when damaged or tampered with. */
export function openManifest(repo: Pick<Repository, 'cipher'>, id: string, stored: Buffer): Buffer | undefined {
  try {
    return repo.cipher.openNamed('snapshot', id, stored);
  } catch (e) {
    if (isStrataError(e, 'E_CORRUPT')) return undefined;
    throw e;
  }
}

/** Whether `json` (a cache copy) is the manifest named `id`. */
export function isManifestCopy(repo: Pick<Repository, 'cipher'>, id: string, json: string): boolean {
  return repo.cipher.sealNamed('snapshot', Buffer.from(json, 'utf8')).name === id;
}

/** The bytes to store for a manifest whose JSON is `json` (sealed in an encrypted repository). */
export function storedManifest(repo: Pick<Repository, 'cipher'>, json: string): Buffer {
  return repo.cipher.sealNamed('snapshot', Buffer.from(json, 'utf8')).bytes;
}

export interface SnapshotFilter {
  source?: string;
  host?: string;
  /** only snapshots taken at or before this instant (`--at`) */
  at?: Date;
  /** restic's --tag: a snapshot matches when it has every tag of at least one group */
  tags?: string[][];
}

export function filterSnapshots(all: Snapshot[], f: SnapshotFilter): Snapshot[] {
  const until = f.at?.getTime();
  const tagged = (s: Snapshot) => !f.tags?.length || f.tags.some((group) => group.every((t) => s.tags?.includes(t)));
  return all.filter((s) => (!f.source || s.source === f.source) && (!f.host || s.host === f.host) && (until === undefined || Date.parse(s.time) <= until) && tagged(s));
}

/** Words for a filter in messages: " of /src at or before 2026-…". */
export function describeFilter(f: SnapshotFilter): string {
  return (
    (f.source ? ` of ${f.source}` : '') +
    (f.host ? ` from ${f.host}` : '') +
    (f.tags?.length ? ` tagged ${f.tags.map((g) => g.join(',')).join(' or ')}` : '') +
    (f.at ? ` at or before ${f.at.toISOString()}` : '')
  );
}

/** Resolve `latest`, `latest~N` or a unique id prefix; `listed`: the repository's snapshots when the caller already listed them (one LIST fewer on S3). */
export async function resolveSnapshot(repo: Repository, ref: string, f: SnapshotFilter = {}, listed?: Snapshot[]): Promise<Snapshot> {
  const all = listed ?? (await listSnapshots(repo));
  const m = /^latest(?:~(\d+))?$/.exec(ref);
  if (m) {
    const list = filterSnapshots(all, f);
    const back = Number(m[1] ?? 0);
    const s = list[list.length - 1 - back];
    if (!s) {
      const scope = describeFilter(f);
      throw new StrataError('E_NO_SNAPSHOT', list.length === 0 ? `no snapshots${scope} in the repository` : `${ref}: only ${list.length} snapshot(s)${scope}`);
    }
    return s;
  }
  if (!/^[0-9a-f]+$/i.test(ref)) throw new StrataError('E_NO_SNAPSHOT', `not a snapshot reference: ${ref} (use an id, latest or latest~N)`);
  const hits = all.filter((s) => s.id.startsWith(ref.toLowerCase()));
  if (hits.length === 0) throw new StrataError('E_NO_SNAPSHOT', `no snapshot matches ${ref}`);
  if (hits.length > 1) throw new StrataError('E_AMBIGUOUS', `snapshot id prefix ${ref} is ambiguous (${hits.length} matches)`);
  return hits[0]!;
}

/** Split "SNAP:PATH" (PATH optional). */
export function splitRef(spec: string): { ref: string; path: string } {
  const i = spec.indexOf(':');
  return i < 0 ? { ref: spec, path: '' } : { ref: spec.slice(0, i), path: spec.slice(i + 1) };
}

/** The root directory of a snapshot as a tree entry. */
export function rootEntry(s: Manifest): TreeEntry {
  return {
    name: Buffer.alloc(0),
    kind: 'dir',
    mode: s.rootMeta.mode,
    uid: s.rootMeta.uid,
    gid: s.rootMeta.gid,
    mtimeNs: BigInt(s.rootMeta.mtimeNs),
    size: 0,
    subtree: Buffer.from(s.root, 'hex'),
    ...(s.rootMeta.xattrs?.length ? { xattrs: rootXattrs(s.rootMeta.xattrs) } : {}),
  };
}

function rootXattrs(xs: { name: string; value: string }[]): XAttr[] {
  return xs
    .map(({ name, value }) => ({ name: Buffer.from(name, 'base64'), value: Buffer.from(value, 'base64') }))
    .sort((a, b) => Buffer.compare(a.name, b.name))
    .map(({ name, value }) => ({ name, value, size: value.length }));
}
