// The read-only WebDAV drive of `strata serve` (/dav/): OPTIONS, PROPFIND
// depth 0 and 1 with the sizes and mtimes `strata ls` reports, ranged GETs,
// symlinks served as links, write verbs refused, and rclone copying a subtree
// out byte for byte.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { json, ok, strata, tmpDir, treeDiff } from '../helpers/cli.js';
import { buildFixture } from '../serve/fixture.js';
import { get, startServe, type Server } from '../serve/helpers.js';

interface Prop {
  href: string;
  collection: boolean;
  size?: number;
  mtime: string;
  symlink?: string;
}

/** The responses of a multistatus body (enough XML for the fixed shape strata writes). */
function parseMultistatus(xml: string): Prop[] {
  return [...xml.matchAll(/<d:response>([^]*?)<\/d:response>/g)].map(([, r]) => ({
    href: /<d:href>([^<]*)<\/d:href>/.exec(r!)![1]!,
    collection: r!.includes('<d:collection/>'),
    size: /<d:getcontentlength>(\d+)</.exec(r!) ? Number(/<d:getcontentlength>(\d+)</.exec(r!)![1]) : undefined,
    mtime: /<d:getlastmodified>([^<]*)</.exec(r!)![1]!,
    symlink: /<s:symlink[^>]*>([^<]*)</.exec(r!)?.[1],
  }));
}

async function propfind(s: Server, p: string, depth: string): Promise<{ status: number; props: Prop[] }> {
  const r = await get(s, p, { method: 'PROPFIND', headers: { depth, 'content-type': 'application/xml' }, body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>' });
  const text = await r.text();
  return { status: r.status, props: r.status === 207 ? parseMultistatus(text) : [] };
}

const secs = (iso: string) => new Date(iso).toUTCString();

test.serial('PROPFIND depth 0 and 1: names, sizes and mtimes as `strata ls` reports them; ids/ and latest/', async (t) => {
  const { repo, ids } = buildFixture(t);
  const s = await startServe(t, repo);
  const root = await propfind(s, 'dav/', '1');
  t.is(root.status, 207);
  t.deepEqual(root.props.map((p) => p.href), ['/dav/', '/dav/ids/', '/dav/latest/']);
  const idl = await propfind(s, 'dav/ids/', '1');
  t.deepEqual(idl.props.slice(1).map((p) => p.href), ids.map((id) => `/dav/ids/${id.slice(0, 8)}/`));
  t.deepEqual((await propfind(s, 'dav/latest/', '1')).props.slice(1).map((p) => p.href), ['/dav/latest/docs/']);

  for (const [base, ref] of [[`dav/ids/${ids[0]!.slice(0, 8)}/`, ids[0]!], ['dav/latest/docs/', 'latest']] as const) {
    const { status, props } = await propfind(s, base, '1');
    t.is(status, 207);
    const cli = json(t, ['ls', ref], { repo });
    t.is(props[0]!.href, `/${base}`);
    t.true(props[0]!.collection);
    t.deepEqual(
      props.slice(1).map((p) => [decodeURIComponent(p.href.slice(base.length + 1)).replace(/\/$/, ''), p.collection, p.size, p.mtime, p.symlink]),
      cli.map((e: any) => [e.path, e.kind === 'dir', e.kind === 'dir' ? undefined : e.kind === 'symlink' ? Buffer.byteLength(e.target) : e.size, secs(e.mtime), e.target]),
    );
  }
  const one = await propfind(s, 'dav/latest/docs/sub/data.bin', '0');
  t.is(one.props.length, 1);
  const e = json(t, ['ls', 'latest:sub/data.bin'], { repo })[0];
  t.deepEqual([one.props[0]!.size, one.props[0]!.mtime, one.props[0]!.collection], [e.size, secs(e.mtime), false]);
  t.is((await propfind(s, 'dav/latest/docs/', 'infinity')).status, 403);
  t.is((await propfind(s, 'dav/ids/deadbeef/', '1')).status, 404);
  t.is((await propfind(s, 'dav/latest/nosuchsource/', '0')).status, 404);
  t.is((await propfind(s, 'dav/latest/docs/nothing-here', '0')).status, 404);
  t.is((await propfind(s, 'dav/elsewhere/', '0')).status, 404);
});

test.serial('GET, HEAD, Range, OPTIONS; symlinks are links (never followed); writes refused', async (t) => {
  const { repo, ids } = buildFixture(t);
  const s = await startServe(t, repo);
  const whole = strata(['cat', 'latest:sub/data.bin'], { repo }).stdoutBuf;
  const url = `dav/ids/${ids[2]!.slice(0, 8)}/sub/data.bin`;
  const full = await get(s, url);
  t.is(full.status, 200);
  t.is(full.headers.get('accept-ranges'), 'bytes');
  t.true(Buffer.from(await full.arrayBuffer()).equals(whole));
  const part = await get(s, url, { headers: { range: 'bytes=2000000-2000099' } });
  t.is(part.status, 206);
  t.is(part.headers.get('content-range'), `bytes 2000000-2000099/${whole.length}`);
  t.true(Buffer.from(await part.arrayBuffer()).equals(whole.subarray(2000000, 2000100)));
  const head = await get(s, url, { method: 'HEAD' });
  t.is(head.headers.get('content-length'), String(whole.length));
  const old = await get(s, `dav/ids/${ids[0]!.slice(0, 8)}/notes.txt`);
  t.is(await old.text(), 'line one\nline two\nline three\n');

  const link = await get(s, 'dav/latest/docs/link-to-notes');
  t.is(link.headers.get('content-type'), 'inode/symlink');
  t.is(await link.text(), 'notes.txt');

  const opt = await get(s, 'dav/', { method: 'OPTIONS' });
  t.is(opt.headers.get('dav'), '1');
  t.is(opt.headers.get('allow'), 'OPTIONS, PROPFIND, GET, HEAD');
  for (const method of ['PUT', 'DELETE', 'MKCOL', 'MOVE', 'PROPPATCH', 'LOCK']) t.is((await get(s, 'dav/latest/docs/notes.txt', { method })).status, 405, method);
  t.is((await get(s, 'dav/latest/docs/sub%2Fdata.bin')).status, 400);
  t.is((await get(s, 'dav/ids/deadbeef/notes.txt')).status, 404);
});

test.serial('rclone copies a subtree out of /dav/ids/<id>/ byte for byte (and latest/ too)', async (t) => {
  if (spawnSync('rclone', ['version'], { stdio: 'ignore' }).status !== 0) {
    console.warn('SKIPPED: rclone is not installed (apt-get install -y rclone)');
    t.fail('rclone is not installed');
    return;
  }
  const { repo, ids } = buildFixture(t);
  const s = await startServe(t, repo);
  const dir = tmpDir(t);
  const conf = path.join(dir, 'rclone.conf');
  fs.writeFileSync(conf, '');
  const pass = spawnSync('rclone', ['obscure', s.token, '--config', conf]).stdout.toString().trim();
  const rclone = (from: string, to: string) => {
    const r = spawnSync('rclone', ['copy', `:webdav:${from}`, to, '--config', conf, '--webdav-url', `${s.base}dav`, '--webdav-user', 'strata', '--webdav-pass', pass, '--checkers', '2', '--transfers', '2'], { timeout: 60000 });
    if (r.status !== 0) t.fail(`rclone copy ${from}: ${r.stderr}`);
  };
  const out = path.join(dir, 'copy');
  rclone(`/ids/${ids[1]!.slice(0, 8)}/sub`, out);
  const ref = path.join(dir, 'ref');
  ok(t, ['restore', `${ids[1]!.slice(0, 8)}:sub`, '--target', ref], { repo });
  t.deepEqual(treeDiff(ref, out).filter((l) => !l.includes(': mode ')), []);
  t.true(fs.readFileSync(path.join(out, 'data.bin')).equals(fs.readFileSync(path.join(ref, 'data.bin'))));
  // mtimes come across from getlastmodified (to the second)
  const m = json(t, ['ls', `${ids[1]!.slice(0, 8)}:sub/data.bin`], { repo })[0].mtime;
  t.is(Math.floor(fs.statSync(path.join(out, 'data.bin')).mtimeMs / 1000), Math.floor(Date.parse(m) / 1000));

  const latest = path.join(dir, 'latest');
  rclone('/latest/docs/sub', latest);
  t.true(fs.readFileSync(path.join(latest, 'added.txt')).equals(Buffer.from('new file\n')));
});
