// Browser side: tiny DOM and fetch helpers shared by the views (no framework).
/// <reference lib="dom" />
export type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

export function link(href: string, text: string, attrs: Record<string, string> = {}): HTMLAnchorElement {
  return el('a', { href, ...attrs }, text);
}

export class ApiError extends Error {}

export async function api<T>(path: string, params: Record<string, string | undefined> = {}): Promise<T> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  const r = await fetch(`/api/${path}?${q}`, { credentials: 'same-origin' });
  const body = (await r.json()) as T & { error?: string };
  if (!r.ok) throw new ApiError(body.error ?? `HTTP ${r.status}`);
  return body;
}

export function apiUrl(path: string, params: Record<string, string>): string {
  return `/api/${path}?${new URLSearchParams(params)}`;
}

export function fmtBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** "2026-12-01 14:03:22" (UTC, as the CLI prints it). */
export const fmtTime = (iso: string): string => iso.replace('T', ' ').slice(0, 19);

/** Encode a snapshot path for the location hash, segment by segment. */
export const encPath = (p: string): string => p.split('/').filter(Boolean).map(encodeURIComponent).join('/');
export const decPath = (segs: string[]): string => segs.map(decodeURIComponent).join('/');

export function showError(view: HTMLElement, e: unknown): void {
  view.replaceChildren(el('p', { class: 'err', 'data-test': 'error' }, e instanceof Error ? e.message : String(e)));
}

export interface SnapInfo {
  id: string;
  shortId: string;
  time: string;
  host: string;
  source: string;
  sourceName?: string;
  files: number;
  dirs: number;
  bytes: number;
  bytesAdded: number;
  filesRead: number;
  unchanged: boolean;
}

export interface EntryInfo {
  name: string;
  path: string;
  type: string;
  mode: number;
  size: number;
  mtime: string;
  hash?: string;
  files?: number;
  target?: string;
}
