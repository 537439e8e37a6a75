// The side-by-side scenarios, run for every tool in one pass: each step runs
// for all tools back to back (order rotated per repetition) before the next
// change is made, so every tool sees the same corpus state and the same cache.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { warmCache } from '../lib/corpus.js';
import { sh, type Measured } from '../lib/proc.js';
import { QUARTER, applyAppend, applyRename, applyRewrite, countFiles, revertAll, type PeerCorpus } from './corpus.js';
import { makeTool, type Backup, type Tool, type ToolName } from './tools.js';

export type StepId = 's1' | 's2' | 's3' | 's4' | 's5' | 'd3' | 'd5' | 'r1' | 'ra';

export interface Rec {
  rep: number;
  tool: ToolName;
  step: string;
  wallS?: number;
  cpuS?: number | null;
  rssMiB?: number | null;
  repoBytes?: number;
  growthBytes?: number;
  bytesRead?: number;
  value?: number;
  note?: string;
  error?: string;
}

export interface RunConfig {
  corpus: PeerCorpus;
  tools: ToolName[];
  reps: number;
  workDir: string;
  strataCommands: Set<string>;
  log: (s: string) => void;
}

const flush = () => sh(['sync']);

function fromMeasured(m: Measured): Pick<Rec, 'wallS' | 'cpuS' | 'rssMiB'> {
  return { wallS: m.wallS, cpuS: m.cpuS, rssMiB: m.maxRssMiB };
}

export async function runPeers(cfg: RunConfig, recs: Rec[]): Promise<void> {
  const { corpus, log } = cfg;
  for (let rep = 1; rep <= cfg.reps; rep++) {
    revertAll(corpus, log);
    const k = (rep - 1) % cfg.tools.length;
    const order = [...cfg.tools.slice(k), ...cfg.tools.slice(0, k)];
    const work = path.join(cfg.workDir, `rep${rep}`);
    fs.rmSync(work, { recursive: true, force: true });
    log(`\n== repetition ${rep}/${cfg.reps}: ${order.join(', ')}`);
    const tools = order.map((n) => makeTool(n, path.join(work, n), corpus.dir, cfg.strataCommands));
    const ids = new Map<ToolName, Record<string, string>>();
    const failed = new Set<ToolName>();

    const step = async (id: string, label: string, fn: (t: Tool) => Promise<Partial<Rec>>, pre?: () => void) => {
      for (const t of tools) {
        if (failed.has(t.name) && id.startsWith('s')) continue;
        pre?.();
        flush();
        log(`rep ${rep} ${id} ${t.name}: ${label}`);
        try {
          const r = await fn(t);
          recs.push({ rep, tool: t.name, step: id, ...r });
          if (r.wallS !== undefined) log(`   ${r.wallS.toFixed(2)} s${r.growthBytes !== undefined ? `, +${(r.growthBytes / 1024).toFixed(0)} KiB` : ''}${r.note ? ` (${r.note})` : ''}`);
        } catch (e) {
          const msg = (e as Error).message.slice(0, 600);
          log(`   ERROR: ${msg}`);
          recs.push({ rep, tool: t.name, step: id, error: msg });
          if (id.startsWith('s')) failed.add(t.name);
        }
      }
    };
    const backup = (id: string) => async (t: Tool) => {
      const before = id === 's1' ? 0 : t.repoBytes();
      const b: Backup = await t.backup(id);
      ids.set(t.name, { ...ids.get(t.name), [id]: b.id });
      const after = t.repoBytes();
      return { ...fromMeasured(b), repoBytes: after, growthBytes: after - before, bytesRead: b.bytesRead };
    };

    await step('s1', 'first snapshot', async (t) => {
      await t.init();
      return backup('s1')(t);
    }, () => warmCache(corpus.dir));
    await step('s2', 'second snapshot, nothing changed', backup('s2'));
    const sizeBeforeAppend = fs.statSync(path.join(corpus.dir, corpus.appendFile)).size;
    applyAppend(corpus, rep);
    await step('s3', `appended a line to ${corpus.appendFile}`, backup('s3'));
    applyRewrite(corpus, rep);
    await step('s4', `1 MiB rewritten in the middle of ${corpus.rewriteFile}`, backup('s4'));
    applyRename(corpus);
    await step('s5', `renamed ${QUARTER}/ (${corpus.quarterEntries} entries)`, backup('s5'));

    const diff = (a: string, b: string) => async (t: Tool) => {
      const x = ids.get(t.name) ?? {};
      if (!x[a] || !x[b]) throw new Error(`no snapshots ${a}/${b}`);
      const p = t.diff(x[a]!, x[b]!);
      if (!p) return { note: t.name === 'strata' ? 'n/a (strata diff not built yet)' : 'n/a (no diff)' };
      return fromMeasured(await p);
    };
    await step('d3', 'diff of the snapshots around change 3', diff('s2', 's3'));
    await step('d5', 'diff of the snapshots around change 5', diff('s4', 's5'));

    const target = path.join(cfg.workDir, 'restore');
    const appendedSize = fs.statSync(path.join(corpus.dir, corpus.appendFile)).size;
    await step('r1', `restore ${corpus.appendFile}`, async (t) => {
      fs.rmSync(target, { recursive: true, force: true });
      const m = await t.restoreFile(ids.get(t.name)!.s5!, corpus.appendFile, target);
      const got = findFile(target, path.basename(corpus.appendFile));
      if (!got || fs.statSync(got).size !== appendedSize) throw new Error(`restored file missing or wrong size under ${target}`);
      fs.rmSync(target, { recursive: true, force: true });
      return fromMeasured(m);
    });
    await step('ra', 'restore everything', async (t) => {
      fs.rmSync(target, { recursive: true, force: true });
      fs.mkdirSync(target, { recursive: true });
      const { m, root } = await t.restoreAll(ids.get(t.name)!.s5!, target);
      const got = countFiles(root);
      fs.rmSync(target, { recursive: true, force: true });
      if (got.files !== corpus.files || got.bytes !== corpus.bytes + appendedSize - sizeBeforeAppend) {
        throw new Error(`restored ${got.files} files / ${got.bytes} bytes, expected ${corpus.files} / ~${corpus.bytes}`);
      }
      return { ...fromMeasured(m), value: got.bytes };
    });
    revertAll(corpus, log);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function findFile(dir: string, name: string): string | undefined {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isFile() && e.name === name) return p;
    if (e.isDirectory()) {
      const hit = findFile(p, name);
      if (hit) return hit;
    }
  }
  return undefined;
}

