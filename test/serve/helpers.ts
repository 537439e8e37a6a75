// Test helpers for `strata serve`: start the built CLI as a child process,
// read its JSON start line, stop it (also when a test fails), and fetch with
// or without the token.
import { spawn } from 'node:child_process';
import type { ExecutionContext } from 'ava';
import { CLI } from '../helpers/cli.js';

export interface Server {
  url: string; // page URL with ?token=
  webdav: string;
  base: string; // http://127.0.0.1:PORT/
  token: string;
  stderr: () => string;
  stop(): Promise<number | null>;
}

export async function startServe(t: ExecutionContext, repo: string, args: string[] = []): Promise<Server> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--repo', repo, '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  t.teardown(async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
  });
  const line = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const i = out.indexOf('\n');
      if (i >= 0) resolve(out.slice(0, i));
    });
    void exited.then((code) => reject(new Error(`strata serve exited ${code}: ${err}`)));
    setTimeout(() => reject(new Error(`strata serve did not start within 60 s: ${err}`)), 60000).unref();
  });
  const j = JSON.parse(line) as { url: string; webdav: string };
  const u = new URL(j.url);
  return {
    url: j.url,
    webdav: j.webdav,
    base: `${u.protocol}//${u.host}/`,
    token: u.searchParams.get('token')!,
    stderr: () => err,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}

/** fetch with the token as a Bearer credential (unless auth is given). */
export function get(s: Server, path: string, init: RequestInit & { auth?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.auth !== null) headers.set('authorization', init.auth ?? `Bearer ${s.token}`);
  return fetch(new URL(path, s.base), { ...init, headers, redirect: 'manual' });
}

export async function getJson<T = any>(s: Server, path: string): Promise<T> {
  const r = await get(s, path);
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}
