// The repository config (docs/format.md §2): which versions this strata
// reads, how a new one is made, and checking one read from a store.
import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_CHUNKER, type ChunkerParams } from '../chunker.js';
import { StrataError, isStrataError } from '../errors.js';
import type { ObjectStore } from './object-store.js';

/** The format version new repositories get (index segments in the repository, cache outside). */
export const FORMAT_VERSION = 2;
/** Versions this strata reads and extends (1: written by the first release, index inside the repository). */
export const READABLE_VERSIONS: readonly number[] = [1, 2];

export interface RepoConfig {
  format: 'strata';
  version: number;
  id: string;
  created: string;
  chunker: ChunkerParams;
  compression: { algorithm: 'zstd'; level: number };
  packSize: number;
}

export interface InitOptions {
  chunker?: Partial<Omit<ChunkerParams, 'seed'>>;
  compressionLevel?: number;
  packSize?: number;
}

/** A new config (random id and chunker seed) with the given options. */
export function newConfig(opts: InitOptions = {}): RepoConfig {
  return {
    format: 'strata',
    version: FORMAT_VERSION,
    id: randomUUID(),
    created: new Date().toISOString(),
    chunker: chunkerFor(opts.chunker),
    compression: { algorithm: 'zstd', level: opts.compressionLevel ?? 3 },
    packSize: opts.packSize ?? 32 << 20,
  };
}

export async function readConfig(store: ObjectStore, where: string): Promise<RepoConfig> {
  try {
    return parseConfig(await store.get('config'), where);
  } catch (e) {
    if (isStrataError(e, 'E_OBJECT_MISSING')) throw new StrataError('E_NO_REPO', `${where} is not a strata repository (no config file)`);
    throw e;
  }
}

/** Chunker parameters for a new repository: min/max follow avg when only avg is given. */
function chunkerFor(o: InitOptions['chunker'] = {}): ChunkerParams {
  const avg = o.avg ?? DEFAULT_CHUNKER.avg;
  const min = o.min ?? (o.avg ? Math.floor(avg / 2) : DEFAULT_CHUNKER.min);
  const max = o.max ?? (o.avg ? avg * 8 : DEFAULT_CHUNKER.max);
  const normalization = o.normalization ?? DEFAULT_CHUNKER.normalization;
  if (!(min > 0 && min <= avg && avg <= max && max <= 64 << 20)) throw new StrataError('E_USAGE', `bad chunk sizes: need 0 < min <= avg <= max <= 64 MiB (got ${min}/${avg}/${max})`);
  return { min, avg, max, normalization, seed: randomBytes(16).toString('hex') };
}

export function parseConfig(raw: Buffer, where: string): RepoConfig {
  let c: RepoConfig;
  try {
    c = JSON.parse(raw.toString('utf8')) as RepoConfig;
  } catch (e) {
    throw new StrataError('E_REPO_CONFIG', `${where}: repository config is damaged (${(e as Error).message})`);
  }
  if (c?.format !== 'strata') throw new StrataError('E_REPO_CONFIG', `${where}: config is not a strata repository config`);
  if (!READABLE_VERSIONS.includes(c.version)) {
    throw new StrataError('E_REPO_VERSION', `${where}: repository format version ${c.version} is not supported (this strata reads versions ${READABLE_VERSIONS.join(' and ')})`);
  }
  const ch = c.chunker;
  const levelOk = ch?.normalization === undefined || [0, 1, 2, 3].includes(ch.normalization);
  if (!ch || !(ch.min > 0 && ch.min <= ch.avg && ch.avg <= ch.max) || !levelOk || typeof ch.seed !== 'string' || !(c.packSize > 0)) {
    throw new StrataError('E_REPO_CONFIG', `${where}: repository config is damaged (chunker or pack size)`);
  }
  return c;
}
