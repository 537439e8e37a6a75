// A small checker for the schemas in docs/json.md (notation described there):
// reads the ```schema NAME blocks and validates values against them, strictly
// (an object field the schema does not list is an error).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../helpers/cli.js';

export type Schema = string | Schema[] | { [k: string]: Schema };

export interface Schemas {
  defs: Record<string, Schema>;
  commands: Record<string, { schema: Schema; lines: boolean }>;
}

export function loadSchemas(file = path.join(ROOT, 'docs/json.md')): Schemas {
  const text = fs.readFileSync(file, 'utf8');
  const out: Schemas = { defs: {}, commands: {} };
  for (const m of text.matchAll(/```schema ([^\n]+)\n([^]*?)```/g)) {
    const [name, flag] = m[1]!.trim().split(/\s+/);
    const schema = JSON.parse(m[2]!) as Schema;
    if (name!.startsWith('def:')) out.defs[name!.slice(4)] = schema;
    else out.commands[name!] = { schema, lines: flag === 'lines' };
  }
  return out;
}

const PRIMITIVE: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  integer: (v) => Number.isInteger(v),
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  boolean: (v) => typeof v === 'boolean',
  null: (v) => v === null,
  any: () => true,
  hex: (v) => typeof v === 'string' && /^[0-9a-f]+$/.test(v),
  time: (v) => typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v) && !Number.isNaN(Date.parse(v)),
};

/** Errors (empty when `v` conforms), each naming the JSON path. */
export function validate(v: unknown, s: Schema, defs: Record<string, Schema>, at = '$'): string[] {
  if (typeof s === 'string') {
    const alts = s.split('|');
    const errs: string[] = [];
    for (const a of alts) {
      if (PRIMITIVE[a]) {
        if (PRIMITIVE[a]!(v)) return [];
        errs.push(`${at}: ${JSON.stringify(v)?.slice(0, 80)} is not ${a}`);
      } else if (defs[a] !== undefined) {
        const e = validate(v, defs[a]!, defs, at);
        if (e.length === 0) return [];
        errs.push(...e);
      } else throw new Error(`schema names an unknown type ${a}`);
    }
    return alts.length === 1 ? errs : [`${at}: matches none of ${s}: ${errs.join('; ')}`];
  }
  if (Array.isArray(s)) {
    if (!Array.isArray(v)) return [`${at}: not an array`];
    return v.flatMap((x, i) => validate(x, s[0]!, defs, `${at}[${i}]`));
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return [`${at}: not an object`];
  const errs: string[] = [];
  const known = new Set<string>();
  for (const [k, sub] of Object.entries(s)) {
    const optional = k.endsWith('?');
    const key = optional ? k.slice(0, -1) : k;
    known.add(key);
    if (!(key in v)) {
      if (!optional) errs.push(`${at}.${key}: missing`);
      continue;
    }
    errs.push(...validate((v as Record<string, unknown>)[key], sub, defs, `${at}.${key}`));
  }
  for (const k of Object.keys(v)) if (!known.has(k)) errs.push(`${at}.${k}: not in the schema`);
  return errs;
}
