// The daemon's status, for `strata status`: one JSON file per running daemon
// in the daemon state folder, rewritten atomically on every change of state
// and after each snapshot. Files of daemons that are gone are ignored (and
// removed) by the reader.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pidAlive, writeJsonAtomic } from './state-dir.js';

export type SourceState = 'starting' | 'watching' | 'polling' | 'missing' | 'error' | 'stopped';

export interface SourceStatus {
  path: string;
  state: SourceState;
  /** why polling / missing / error */
  reason?: string;
  protected: boolean;
  lastSnapshot?: { id: string; time: string };
  pendingDirs: number;
  /** changes the reconcile found that no event announced (since the daemon started) */
  missedEvents: number;
  lastError?: { time: string; message: string };
}

export interface DaemonStatus {
  pid: number;
  host: string;
  started: string;
  updated: string;
  backend: string;
  backendState: 'watching' | 'polling' | 'degraded';
  backendReason?: string;
  sources: SourceStatus[];
}

export const statusPath = (stateDir: string, pid = process.pid): string => path.join(stateDir, `daemon-${pid}.json`);

export function writeStatus(stateDir: string, s: DaemonStatus): void {
  writeJsonAtomic(statusPath(stateDir, s.pid), s);
}

export function removeStatus(stateDir: string): void {
  fs.rmSync(statusPath(stateDir), { force: true });
}

/** Status of every live daemon of this repository on this host. */
export function readStatuses(stateDir: string): DaemonStatus[] {
  let names: string[];
  try {
    names = fs.readdirSync(stateDir);
  } catch {
    return [];
  }
  const out: DaemonStatus[] = [];
  for (const n of names) {
    const m = /^daemon-(\d+)\.json$/.exec(n);
    if (!m) continue;
    const file = path.join(stateDir, n);
    if (!pidAlive(Number(m[1]))) {
      fs.rmSync(file, { force: true });
      continue;
    }
    try {
      out.push(JSON.parse(fs.readFileSync(file, 'utf8')) as DaemonStatus);
    } catch {
      continue; // replaced while we read it (rename is atomic, so this is rare): skip
    }
  }
  return out.sort((a, b) => a.pid - b.pid);
}
