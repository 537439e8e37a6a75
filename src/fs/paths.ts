// Paths as raw bytes. Linux file names are byte strings that need not be
// UTF-8; strata keeps them as Buffers end to end and only turns them into
// text for messages, escaping what is not valid UTF-8.
import { isUtf8 } from 'node:buffer';

const SLASH = Buffer.from('/');

export function joinPath(dir: Buffer, name: Buffer): Buffer {
  return dir.length === 0 ? name : Buffer.concat([dir, SLASH, name]);
}

export const isValidName = (name: Buffer): boolean => isUtf8(name);

/** Text for humans: valid UTF-8 as is, other bytes as \xNN. */
export function displayName(p: Buffer): string {
  if (isUtf8(p)) return p.toString('utf8');
  let out = '';
  let i = 0;
  while (i < p.length) {
    // take the longest valid UTF-8 run, escape one byte otherwise
    let j = i;
    while (j < p.length && p[j]! < 0x80) j++;
    if (j > i) {
      out += p.subarray(i, j).toString('latin1');
      i = j;
      continue;
    }
    const len = p[i]! >= 0xf0 ? 4 : p[i]! >= 0xe0 ? 3 : p[i]! >= 0xc0 ? 2 : 1;
    const seq = p.subarray(i, i + len);
    if (len > 1 && seq.length === len && isUtf8(seq)) {
      out += seq.toString('utf8');
      i += len;
    } else {
      out += `\\x${p[i]!.toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

/** Inverse of displayName for user input: turns \xNN escapes back into bytes. */
export function parseDisplayName(s: string): Buffer {
  if (!s.includes('\\x')) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of s.matchAll(/\\x([0-9a-fA-F]{2})/g)) {
    parts.push(Buffer.from(s.slice(last, m.index), 'utf8'), Buffer.from([parseInt(m[1]!, 16)]));
    last = m.index! + m[0].length;
  }
  parts.push(Buffer.from(s.slice(last), 'utf8'));
  return Buffer.concat(parts);
}
