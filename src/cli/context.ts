// Shared option handling for commands: which repository, JSON or text, and
// turning "SNAP:PATH" into a snapshot and a tree entry.
import type { Command } from 'commander';
import { StrataError } from '../errors.js';
import { resolveSnapshot, rootEntry, splitRef, type Snapshot } from '../snapshot/manifest.js';
import { Repository } from '../store/repository.js';
import type { TreeEntry } from '../tree/codec.js';
import { resolvePath } from '../tree/trees.js';

export interface GlobalOpts {
  repo?: string;
  json?: boolean;
  quiet?: boolean;
}

export function globals(cmd: Command): GlobalOpts {
  return cmd.optsWithGlobals() as GlobalOpts;
}

export function repoPath(g: GlobalOpts): string {
  const p = g.repo ?? process.env.STRATA_REPO;
  if (!p) throw new StrataError('E_USAGE', 'no repository given: use --repo PATH or set STRATA_REPO');
  return p;
}

/** Open the repository, run `fn`, and always close it (flushing the index). */
export async function withRepo<T>(g: GlobalOpts, fn: (repo: Repository) => Promise<T>): Promise<T> {
  const repo = await Repository.open(repoPath(g));
  try {
    return await fn(repo);
  } finally {
    await repo.close();
  }
}

export interface Located {
  snapshot: Snapshot;
  path: string;
  entry: TreeEntry;
}

/** Resolve "SNAP[:PATH]" to a snapshot and the entry at PATH (the root when absent). */
export async function locate(repo: Repository, spec: string, source?: string): Promise<Located> {
  const { ref, path } = splitRef(spec);
  const snapshot = await resolveSnapshot(repo, ref, { source });
  const entry = await resolvePath(repo, rootEntry(snapshot), path);
  return { snapshot, path, entry };
}
