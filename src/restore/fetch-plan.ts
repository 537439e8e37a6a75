// Ranged pack reads for many blobs (restore, cat, dump): the blobs wanted are
// grouped by pack, sorted by offset and merged into ranges (gaps of at most
// `maxGap` bytes are read and thrown away, a range stays under `maxRange`
// unless one blob is larger), then read with several requests in flight. Each
// blob of a range goes through the one decode path (PackReader.decodeBlob:
// verified bytes only); a damaged blob fails alone, an unreadable range fails
// the blobs in it, and everything else proceeds.
import { StrataError } from '../errors.js';
import type { BlobLocation, PackReader } from '../store/ports.js';

export interface Want {
  hash: Buffer;
  loc: BlobLocation;
}

export interface PackRange {
  pack: Buffer;
  offset: number;
  length: number;
  /** in offset order */
  blobs: Want[];
}

export interface RangeLimits {
  /** bytes between two blobs still read in one range */
  maxGap: number;
  /** a range grows no larger than this (a larger blob is a range of its own) */
  maxRange: number;
}

export const DEFAULT_LIMITS: RangeLimits = { maxGap: 256 << 10, maxRange: 8 << 20 };

/** Group by pack, sort by offset, merge nearby blobs: the fewest reads under the limits. */
export function planRanges(wants: Iterable<Want>, limits: RangeLimits = DEFAULT_LIMITS): PackRange[] {
  const byPack = new Map<string, Want[]>();
  for (const w of wants) {
    const k = w.loc.pack.toString('latin1');
    const list = byPack.get(k);
    if (list) list.push(w);
    else byPack.set(k, [w]);
  }
  const out: PackRange[] = [];
  for (const list of byPack.values()) {
    list.sort((a, b) => a.loc.offset - b.loc.offset);
    let cur: PackRange | undefined;
    for (const w of list) {
      const end = w.loc.offset + w.loc.length;
      if (cur && w.loc.offset - (cur.offset + cur.length) <= limits.maxGap && end - cur.offset <= limits.maxRange) {
        cur.length = Math.max(cur.length, end - cur.offset);
        cur.blobs.push(w);
        continue;
      }
      cur = { pack: w.loc.pack, offset: w.loc.offset, length: w.loc.length, blobs: [w] };
      out.push(cur);
    }
  }
  return out;
}

/**
 * Called once per blob of a range, synchronously: `data` or why it could not
 * be had. Without `FetchOptions.into`, `data` is valid only during the call;
 * with it, `data` lies in `held` (the buffer `into` gave), which the callee
 * now owns (also when decoding failed).
 */
export type OnBlob = (w: Want, data: Buffer | undefined, err: Error | undefined, held?: Buffer) => void;

/** A count of range reads in flight shared by several fetches. */
export class Slots {
  private free: number;
  private readonly waiters: (() => void)[] = [];
  constructor(n: number) {
    this.free = Math.max(1, n);
  }
  async take(): Promise<void> {
    while (this.free === 0) await new Promise<void>((r) => this.waiters.push(r));
    this.free--;
  }
  give(): void {
    this.free++;
    this.waiters.shift()?.();
  }
}

export interface FetchOptions {
  inFlight: number;
  signal?: AbortSignal;
  /** awaited after each range's blobs were handed over (the caller finishes files there) */
  afterRange?: () => Promise<void>;
  /** where each blob is decoded (awaited: the caller bounds its memory); the buffer goes to onBlob */
  into?: (rawLength: number) => Promise<Buffer>;
  /** range reads in flight across fetches running at once (else `inFlight` for this one) */
  slots?: Slots;
  /** range buffers shared across fetches (reused; at most one per read in flight and range being decoded) */
  rangeBuffers?: Buffer[];
}

/**
 * Read `ranges` with `inFlight` requests at once and hand every blob to
 * `onBlob`. Range buffers are reused (fresh memory is slow to touch here).
 * Throws only E_ABORTED; every other failure is a blob's.
 */
export async function fetchRanges(reader: PackReader, ranges: readonly PackRange[], onBlob: OnBlob, opts: FetchOptions): Promise<void> {
  const buffers: Buffer[] = opts.rangeBuffers ?? [];
  let decodeBuf = Buffer.allocUnsafe(1 << 20);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ranges.length) {
      // a turn of the event loop per range: local reads complete at once, and signals are handled there
      await new Promise((r) => setImmediate(r));
      if (opts.signal?.aborted) throw new StrataError('E_ABORTED', 'restore interrupted');
      if (next >= ranges.length) break; // another worker took the last one meanwhile
      await opts.slots?.take();
      if (next >= ranges.length) {
        opts.slots?.give();
        break;
      }
      const r = ranges[next++]!;
      const pooled = buffers.pop();
      const buf = pooled && pooled.length >= r.length ? pooled : Buffer.allocUnsafe(Math.max(r.length, DEFAULT_LIMITS.maxRange));
      let bytes: Buffer | undefined;
      let failure: Error | undefined;
      try {
        bytes = await reader.readPackRange(r.pack, r.offset, r.length, buf);
      } catch (e) {
        failure = e as Error;
      } finally {
        opts.slots?.give(); // decoding is not a read in flight: the next request may start meanwhile
      }
      try {
        for (const w of r.blobs) {
          if (!bytes) {
            onBlob(w, undefined, failure);
            continue;
          }
          const held = opts.into ? await opts.into(w.loc.rawLength) : undefined;
          let data: Buffer;
          try {
            const at = w.loc.offset - r.offset;
            data = reader.decodeBlob(w.hash, w.loc, bytes.subarray(at, at + w.loc.length), held ?? decodeBuf);
            // the caller keeps `held`: bytes returned in place (stored plain) are copied there, off the range buffer
            if (held && data.buffer !== held.buffer) data = data.length <= held.length ? held.subarray(0, data.copy(held)) : Buffer.from(data);
          } catch (e) {
            onBlob(w, undefined, e as Error, held);
            continue;
          }
          onBlob(w, data, undefined, held);
          if (!held && w.loc.rawLength > decodeBuf.length) decodeBuf = Buffer.allocUnsafe(w.loc.rawLength); // big enough next time
        }
      } finally {
        buffers.push(buf);
      }
      await opts.afterRange?.();
    }
  };
  const n = Math.max(1, Math.min(opts.inFlight, ranges.length));
  await Promise.all(Array.from({ length: n }, worker));
}

/**
 * Blobs in the order given, each handed to `each` once read and verified: runs
 * of blobs that lie one after the other in a pack are read as one range, up to
 * `inFlight` ranges ahead (cat and dump of one file: a handful of requests).
 * Blobs the reader cannot locate are read with `get` (one request each).
 */
export async function orderedBlobs(
  reader: PackReader | undefined,
  hashes: readonly Buffer[],
  get: (h: Buffer) => Promise<Buffer>,
  each: (data: Buffer) => Promise<void>,
  limits: RangeLimits = DEFAULT_LIMITS,
): Promise<void> {
  type Item = { range?: PackRange; hash?: Buffer };
  const items: Item[] = [];
  let cur: PackRange | undefined;
  for (const h of hashes) {
    const loc = reader?.locateBlob(h);
    if (!loc) {
      items.push({ hash: h });
      cur = undefined;
      continue;
    }
    const gap = cur && cur.pack.equals(loc.pack) ? loc.offset - (cur.offset + cur.length) : -1;
    if (cur && gap >= 0 && gap <= limits.maxGap && loc.offset + loc.length - cur.offset <= limits.maxRange) {
      cur.length = loc.offset + loc.length - cur.offset;
      cur.blobs.push({ hash: h, loc });
      continue;
    }
    cur = { pack: loc.pack, offset: loc.offset, length: loc.length, blobs: [{ hash: h, loc }] };
    items.push({ range: cur });
  }
  const inFlight = Math.max(1, reader?.rangeReadsInFlight ?? 1);
  const read = (it: Item): Promise<Buffer> => (it.range ? reader!.readPackRange(it.range.pack, it.range.offset, it.range.length) : get(it.hash!));
  const pending: Promise<Buffer>[] = [];
  const start = (i: number) => {
    if (i < items.length) {
      const p = read(items[i]!);
      p.catch(() => undefined); // awaited in order below
      pending[i] = p;
    }
  };
  for (let i = 0; i < inFlight; i++) start(i);
  for (let i = 0; i < items.length; i++) {
    const bytes = await pending[i]!;
    delete pending[i];
    start(i + inFlight);
    const it = items[i]!;
    if (!it.range) {
      await each(bytes);
      continue;
    }
    for (const w of it.range.blobs) {
      const at = w.loc.offset - it.range.offset;
      await each(reader!.decodeBlob(w.hash, w.loc, bytes.subarray(at, at + w.loc.length)));
    }
  }
}
