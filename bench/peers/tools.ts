// One adapter per tool (strata, restic, borg, rsync as a mirror), each driven
// through its normal CLI in its normal incremental mode. Every method is one
// measured child process; setup steps (init) are not timed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../lib/report.js';
import { duBytes, hasCommand, measure, sh, type Measured } from '../lib/proc.js';

export type ToolName = 'strata' | 'restic' | 'borg' | 'rsync';
export const TOOL_NAMES: ToolName[] = ['strata', 'restic', 'borg', 'rsync'];

export interface Backup extends Measured {
  id: string;
  /** strata only: content bytes read by the snapshot */
  bytesRead?: number;
}

export interface Tool {
  readonly name: ToolName;
  readonly repo: string;
  init(): Promise<void>;
  backup(label: string): Promise<Backup>;
  /** null when the tool has no diff */
  diff(a: string, b: string): Promise<Measured> | null;
  restoreFile(id: string, rel: string, target: string): Promise<Measured>;
  /** restores everything; returns where the corpus root landed */
  restoreAll(id: string, target: string): Promise<{ m: Measured; root: string }>;
  repoBytes(): number;
}

/** the strata build under test (STRATA_CLI overrides: e.g. a baseline checkout) */
export const STRATA_CLI = process.env.STRATA_CLI ?? path.join(ROOT, 'dist/cli/main.js');

export function toolAvailable(name: ToolName): boolean {
  if (name === 'strata') return fs.existsSync(STRATA_CLI);
  return hasCommand(name);
}

export function toolVersion(name: ToolName): string {
  const first = (s: string) => s.split('\n')[0]!.trim();
  switch (name) {
    case 'strata':
      return `strata ${first(sh([process.execPath, STRATA_CLI, '--version']))} (node ${process.version})`;
    case 'restic':
      return first(sh(['restic', 'version']));
    case 'borg':
      return first(sh(['borg', '--version']));
    case 'rsync':
      return first(sh(['rsync', '--version'])).replace(/\s+/g, ' ');
  }
}

/** Which optional strata commands exist in this build (`strata --help`). */
export function strataCommands(): Set<string> {
  const help = sh([process.execPath, STRATA_CLI, '--help'], { allowFail: true });
  const cmds = new Set<string>();
  let inCommands = false;
  for (const line of help.split('\n')) {
    if (/^Commands:/.test(line)) inCommands = true;
    else if (inCommands && /^\S/.test(line)) inCommands = false;
    else if (inCommands) {
      const m = /^ {2}([a-z][\w-]*)/.exec(line);
      if (m) cmds.add(m[1]!);
    }
  }
  return cmds;
}

export function makeTool(name: ToolName, work: string, corpus: string, commands: Set<string>): Tool {
  fs.mkdirSync(work, { recursive: true });
  switch (name) {
    case 'strata':
      return new Strata(path.join(work, 'strata-repo'), corpus, commands);
    case 'restic':
      return new Restic(path.join(work, 'restic-repo'), work, corpus);
    case 'borg':
      return new Borg(path.join(work, 'borg-repo'), work, corpus);
    case 'rsync':
      return new Rsync(path.join(work, 'rsync-mirror'), corpus);
  }
}

class Strata implements Tool {
  readonly name = 'strata';
  constructor(
    readonly repo: string,
    private readonly corpus: string,
    private readonly commands: Set<string>,
  ) {}
  private run(args: string[]) {
    return measure([process.execPath, STRATA_CLI, ...args, '--repo', this.repo]);
  }
  async init() {
    await this.run(['init']);
  }
  async backup(): Promise<Backup> {
    const m = await measure([process.execPath, STRATA_CLI, 'snapshot', this.corpus, '--json', '--quiet', '--repo', this.repo], { check: 3 });
    const j = JSON.parse(m.stdout) as { id: string; bytesRead: number };
    return { ...m, id: j.id, bytesRead: j.bytesRead };
  }
  diff(a: string, b: string) {
    return this.commands.has('diff') ? this.run(['diff', a, b]) : null;
  }
  restoreFile(id: string, rel: string, target: string) {
    return this.run(['restore', `${id}:${rel}`, '--target', target, '--quiet']);
  }
  async restoreAll(id: string, target: string) {
    return { m: await this.run(['restore', id, '--target', target, '--quiet']), root: target };
  }
  repoBytes() {
    return duBytes(this.repo);
  }
}

class Restic implements Tool {
  readonly name = 'restic';
  private readonly env: NodeJS.ProcessEnv;
  constructor(
    readonly repo: string,
    work: string,
    private readonly corpus: string,
  ) {
    this.env = { RESTIC_REPOSITORY: repo, RESTIC_PASSWORD: 'strata-bench', RESTIC_CACHE_DIR: path.join(work, 'restic-cache') };
  }
  private run(args: string[], check: boolean | number = true) {
    return measure(['restic', ...args], { env: this.env, check });
  }
  async init() {
    await this.run(['init']);
  }
  async backup(): Promise<Backup> {
    // exit code 3: some files could not be read (still a snapshot)
    const m = await this.run(['backup', '--json', '--host', 'strata-bench', this.corpus], 3);
    const summary = m.stdout
      .split('\n')
      .filter((l) => l.includes('"summary"'))
      .map((l) => JSON.parse(l) as { snapshot_id: string })
      .at(-1);
    if (!summary) throw new Error(`restic backup printed no summary: ${m.stderr.slice(-500)}`);
    return { ...m, stdout: '', id: summary.snapshot_id };
  }
  diff(a: string, b: string) {
    return this.run(['diff', a, b]);
  }
  restoreFile(id: string, rel: string, target: string) {
    return this.run(['restore', id, '--target', target, '--include', path.join(this.corpus, rel)]);
  }
  async restoreAll(id: string, target: string) {
    return { m: await this.run(['restore', id, '--target', target]), root: path.join(target, this.corpus) };
  }
  repoBytes() {
    return duBytes(this.repo);
  }
}

class Borg implements Tool {
  readonly name = 'borg';
  private readonly env: NodeJS.ProcessEnv;
  private readonly parent: string;
  private readonly base: string;
  constructor(
    readonly repo: string,
    work: string,
    corpus: string,
  ) {
    this.parent = path.dirname(corpus);
    this.base = path.basename(corpus);
    this.env = {
      BORG_REPO: repo,
      BORG_PASSPHRASE: '',
      BORG_BASE_DIR: path.join(work, 'borg-base'),
      BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes',
      BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
    };
  }
  private run(args: string[], cwd?: string, check: boolean | number = true) {
    return measure(['borg', ...args], { env: this.env, cwd, check });
  }
  async init() {
    await this.run(['init', '-e', 'none']);
  }
  async backup(label: string): Promise<Backup> {
    // exit code 1: warnings (e.g. a file changed while read); the archive exists
    const m = await this.run(['create', `::${label}`, this.base], this.parent, 1);
    return { ...m, id: label };
  }
  diff(a: string, b: string) {
    return this.run(['diff', `::${a}`, b]);
  }
  restoreFile(id: string, rel: string, target: string) {
    fs.mkdirSync(target, { recursive: true });
    return this.run(['extract', `::${id}`, `${this.base}/${rel}`], target);
  }
  async restoreAll(id: string, target: string) {
    fs.mkdirSync(target, { recursive: true });
    return { m: await this.run(['extract', `::${id}`], target), root: path.join(target, this.base) };
  }
  repoBytes() {
    return duBytes(this.repo);
  }
}

class Rsync implements Tool {
  readonly name = 'rsync';
  constructor(
    readonly repo: string,
    private readonly corpus: string,
  ) {}
  async init() {
    fs.mkdirSync(this.repo, { recursive: true });
  }
  async backup(label: string): Promise<Backup> {
    const m = await measure(['rsync', '-a', '--delete', `${this.corpus}/`, `${this.repo}/`]);
    return { ...m, id: label };
  }
  diff() {
    return null;
  }
  restoreFile(_id: string, rel: string, target: string) {
    fs.mkdirSync(target, { recursive: true });
    return measure(['rsync', '-a', path.join(this.repo, rel), `${target}/`]);
  }
  async restoreAll(_id: string, target: string) {
    return { m: await measure(['rsync', '-a', `${this.repo}/`, `${target}/`]), root: target };
  }
  repoBytes() {
    return duBytes(this.repo);
  }
}
