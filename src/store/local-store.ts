// BlobStore on a local directory. Writes go to a temporary name in the same
// directory, are fsynced, renamed into place, and the directory is fsynced, so
// a crash leaves either the old state or the complete new object.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { StrataError, errnoCode } from '../errors.js';
import type { BlobStore } from './blob-store.js';

const MAX_OPEN = 64;

export class LocalBlobStore implements BlobStore {
  readonly location: string;
  private readonly fds = new Map<string, number>(); // LRU of read handles

  constructor(readonly root: string) {
    this.location = root;
  }

  private abs(name: string): string {
    if (name.includes('..') || name.startsWith('/')) throw new StrataError('E_USAGE', `bad object name ${name}`);
    return path.join(this.root, name);
  }

  async put(name: string, data: Buffer | readonly Buffer[]): Promise<boolean> {
    const dest = this.abs(name);
    if (fs.existsSync(dest)) return false;
    const dir = path.dirname(dest);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = path.join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      const parts = Buffer.isBuffer(data) ? [data] : data;
      for (const p of parts) {
        let off = 0;
        while (off < p.length) off += fs.writeSync(fd, p, off, p.length - off);
      }
      fs.fsyncSync(fd);
    } catch (e) {
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      throw new StrataError('E_IO', `writing ${dest}: ${(e as Error).message}`, { cause: e });
    }
    fs.closeSync(fd);
    fs.renameSync(tmp, dest);
    fsyncDir(dir);
    return true;
  }

  private handle(name: string): number {
    let fd = this.fds.get(name);
    if (fd !== undefined) {
      this.fds.delete(name);
      this.fds.set(name, fd);
      return fd;
    }
    try {
      fd = fs.openSync(this.abs(name), 'r');
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') throw new StrataError('E_BLOB_MISSING', `missing repository file ${name}`);
      throw new StrataError('E_IO', `opening ${this.abs(name)}: ${(e as Error).message}`, { cause: e });
    }
    this.fds.set(name, fd);
    if (this.fds.size > MAX_OPEN) {
      const [oldest, ofd] = this.fds.entries().next().value as [string, number];
      this.fds.delete(oldest);
      fs.closeSync(ofd);
    }
    return fd;
  }

  async get(name: string, offset = 0, length?: number): Promise<Buffer> {
    const fd = this.handle(name);
    const len = length ?? fs.fstatSync(fd).size - offset;
    const buf = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const n = fs.readSync(fd, buf, got, len - got, offset + got);
      if (n === 0) throw new StrataError('E_CORRUPT', `${name}: short read at ${offset + got} (file truncated?)`);
      got += n;
    }
    return buf;
  }

  async size(name: string): Promise<number | undefined> {
    try {
      return fs.statSync(this.abs(name)).size;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw e;
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    const base = this.abs(prefix.replace(/\/$/, ''));
    const walk = function* (dir: string, rel: string): Generator<string> {
      let ents: fs.Dirent[];
      try {
        ents = fs.readdirSync(dir, { withFileTypes: true });
      } catch (e) {
        if (errnoCode(e) === 'ENOENT') return;
        throw e;
      }
      for (const e of ents) {
        if (e.name.startsWith('.tmp-')) continue;
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) yield* walk(path.join(dir, e.name), r);
        else if (e.isFile()) yield r;
      }
    };
    yield* walk(base, prefix.replace(/\/$/, ''));
  }

  async delete(name: string): Promise<void> {
    const fd = this.fds.get(name);
    if (fd !== undefined) {
      this.fds.delete(name);
      fs.closeSync(fd);
    }
    fs.rmSync(this.abs(name), { force: true });
  }

  async close(): Promise<void> {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
  }
}

export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
