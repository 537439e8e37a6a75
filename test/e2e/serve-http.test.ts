// `strata serve` over HTTP, end to end through the built CLI: start lines,
// the token (missing 401, wrong 403, cookie after the first visit), refusal of
// a non-loopback address without TLS, the JSON API against the CLI's own
// answers (snapshots, ls, log, diff, cat), Range, .tar/.zip downloads
// against a restore, restore through the API, bad requests. Serial: one
// test's CLI runs (spawnSync) would stall another's server start.
import test from 'ava';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, json, ok, strata, tmpDir, treeDiff } from '../helpers/cli.js';
import { buildFixture } from '../serve/fixture.js';
import { get, getJson, startServe } from '../serve/helpers.js';

test.serial('start: two lines (page URL with token, WebDAV URL with credentials); --json one object', async (t) => {
  const { repo } = buildFixture(t);
  const proc = spawn(process.execPath, [CLI, 'serve', '--repo', repo], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((r) => proc.on('exit', r));
  t.teardown(async () => {
    proc.kill('SIGKILL');
    await exited;
  });
  let out = '';
  await new Promise<void>((resolve) => proc.stdout!.on('data', (d: Buffer) => ((out += d), out.split('\n').length > 2 && resolve())));
  const [page, dav] = out.split('\n');
  const m = /^http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{20,})$/.exec(page!);
  t.truthy(m, page);
  t.is(dav, `http://strata:${m![2]}@127.0.0.1:${m![1]}/dav/`);
  proc.kill('SIGTERM');
  t.is(await exited, 0);

  const s = await startServe(t, repo);
  t.regex(s.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
  t.is(s.webdav, `http://strata:${s.token}@${new URL(s.url).host}/dav/`);
  t.is(await s.stop(), 0);
});

test.serial('token: none 401, wrong 403, ?token sets an HttpOnly cookie, cookie and Basic work', async (t) => {
  const { repo } = buildFixture(t);
  const s = await startServe(t, repo);
  for (const p of ['', 'api/snapshots', 'dav/', 'ui/app.js']) {
    t.is((await get(s, p, { auth: null })).status, 401, `no token: /${p}`);
    t.is((await get(s, p, { auth: 'Bearer nope' })).status, 403, `wrong token: /${p}`);
    t.is((await get(s, p, { auth: `Basic ${Buffer.from('strata:nope').toString('base64')}` })).status, 403, `wrong Basic: /${p}`);
  }
  t.is((await get(s, `?token=x${s.token}`, { auth: null })).status, 403);
  const first = await get(s, `?token=${s.token}`, { auth: null });
  t.is(first.status, 303);
  t.is(first.headers.get('location'), '/');
  const cookie = first.headers.get('set-cookie')!;
  t.regex(cookie, /HttpOnly/);
  t.regex(cookie, /SameSite=Strict/);
  const page = await get(s, '', { auth: null, headers: { cookie: cookie.split(';')[0]! } });
  t.is(page.status, 200);
  t.regex(await page.text(), /<script type="module" src="\/ui\/app.js">/);
  t.is((await get(s, 'dav/', { method: 'PROPFIND', auth: `Basic ${Buffer.from(`strata:${s.token}`).toString('base64')}`, headers: { depth: '0' } })).status, 207);
});

test.serial('listen: a non-loopback address needs TLS or --insecure-http; with a certificate it serves HTTPS', async (t) => {
  const { repo } = buildFixture(t);
  const r = strata(['serve', '--listen', '0.0.0.0:0'], { repo });
  t.is(r.code, 2);
  t.is(r.stdout, '');
  t.regex(r.stderr, /^strata: refusing to listen on 0\.0\.0\.0 without TLS: give --tls-cert and --tls-key, or --insecure-http/);
  t.is(r.stderr.trim().split('\n').length, 1);
  t.is(strata(['serve', '--listen', 'nonsense'], { repo }).code, 2);

  const s = await startServe(t, repo, ['--listen', '0.0.0.0:0', '--insecure-http']);
  t.regex(s.url, /^http:\/\/0\.0\.0\.0:\d+\//);
  await s.stop();

  const dir = tmpDir(t);
  const [cert, key] = [path.join(dir, 'c.pem'), path.join(dir, 'k.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const tls = await startServe(t, repo, ['--listen', '0.0.0.0:0', '--tls-cert', cert, '--tls-key', key]);
  t.regex(tls.url, /^https:\/\/0\.0\.0\.0:\d+\/\?token=/);
  const port = new URL(tls.url).port;
  const curl = spawnSync('curl', ['-sk', '-H', `Authorization: Bearer ${tls.token}`, `https://127.0.0.1:${port}/api/snapshots`]);
  t.is(JSON.parse(curl.stdout.toString()).snapshots.length, 3);
});

test.serial('API answers match the CLI: snapshots, ls, log, diff (renames), cat, find', async (t) => {
  const { repo, ids } = buildFixture(t);
  const s = await startServe(t, repo);
  const snaps = await getJson(s, 'api/snapshots');
  const cli = json(t, ['snapshots'], { repo });
  t.deepEqual(snaps.snapshots.map((x: any) => [x.id, x.shortId, x.time, x.bytes]), cli.map((x: any) => [x.id, x.shortId, x.time, x.bytes]));
  t.deepEqual(snaps.snapshots.map((x: any) => x.id), ids);

  for (const dir of ['', 'sub', 'sub/deep']) {
    const api = await getJson(s, `api/ls?snap=${ids[1]!.slice(0, 8)}&path=${encodeURIComponent(dir)}`);
    const cl = json(t, ['ls', `${ids[1]!.slice(0, 8)}:${dir}`], { repo });
    t.deepEqual(api.entries.map((e: any) => [e.path, e.type, e.size, e.mtime, e.hash, e.target]), cl.map((e: any) => [e.path, e.kind, e.size, e.mtime, e.hash, e.target]), dir);
    t.is(api.total, cl.length);
  }
  const page = await getJson(s, `api/ls?snap=latest&offset=1&limit=2`);
  t.deepEqual(page.entries.map((e: any) => e.name), json(t, ['ls', 'latest'], { repo }).slice(1, 3).map((e: any) => e.name));

  const log = await getJson(s, 'api/log?path=notes.txt');
  t.deepEqual(log.versions.map((v: any) => [v.snapshot, v.status, v.size, v.hash]), json(t, ['log', 'notes.txt'], { repo }).map((v: any) => [v.snapshot, v.status, v.size, v.hash]));
  t.is(log.versions.length, 3);

  const diff = await getJson(s, `api/diff?a=${ids[0]}&b=${ids[1]}`);
  t.deepEqual(diff.changes, json(t, ['diff', ids[0]!, ids[1]!], { repo }));
  t.true(diff.changes.some((c: any) => c.status === 'renamed' && c.from === 'sub/deep/old-name.md' && c.path === 'sub/deep/new-name.md'));
  const sub = await getJson(s, `api/diff?a=${ids[0]}&b=latest&path=sub`);
  t.deepEqual(sub.changes, json(t, ['diff', ids[0]!, 'latest', 'sub'], { repo }));

  const td = await getJson(s, `api/textdiff?a=${ids[0]}&b=${ids[2]}&path=notes.txt`);
  t.deepEqual(td.lines.filter((l: any) => l.op !== ' ').map((l: any) => l.op + l.text), ['-line two', '+line 2 (edited)', '+line four', '+line five']);

  for (const [snap, p] of [[ids[0]!, 'notes.txt'], ['latest', 'sub/data.bin'], ['latest', 'pic.png']] as const) {
    const r = await get(s, `api/file?snap=${snap}&path=${encodeURIComponent(p)}`);
    t.is(r.status, 200);
    t.true(Buffer.from(await r.arrayBuffer()).equals(strata(['cat', `${snap}:${p}`], { repo }).stdoutBuf), p);
  }
  const whole = strata(['cat', 'latest:sub/data.bin'], { repo }).stdoutBuf;
  for (const [range, start, end] of [['bytes=1048570-2097200', 1048570, 2097200], ['bytes=-100', whole.length - 100, whole.length - 1], ['bytes=3000000-', 3000000, whole.length - 1]] as const) {
    const r = await get(s, 'api/file?snap=latest&path=sub/data.bin', { headers: { range } });
    t.is(r.status, 206, range);
    t.is(r.headers.get('content-range'), `bytes ${start}-${end}/${whole.length}`);
    t.true(Buffer.from(await r.arrayBuffer()).equals(whole.subarray(start, end + 1)), range);
  }
  t.is((await get(s, 'api/file?snap=latest&path=sub/data.bin', { headers: { range: `bytes=${whole.length}-` } })).status, 416);
  const png = await get(s, 'api/file?snap=latest&path=pic.png');
  t.is(png.headers.get('content-type'), 'image/png');
  t.regex((await get(s, 'api/file?snap=latest&path=pic.png&download=1')).headers.get('content-disposition')!, /^attachment; filename="pic.png"/);

  const found = await getJson(s, 'api/find?snap=latest&glob=*.txt');
  t.deepEqual(found.matches.map((m: any) => m.path), json(t, ['find', '*.txt', '--snapshot', 'latest'], { repo }).map((m: any) => m.path));
  t.deepEqual(found.matches.map((m: any) => m.path).sort(), ['notes.txt', 'sub/added.txt']);
});

test.serial('downloads: a directory as .tar and .zip equals a restore of it', async (t) => {
  const { repo } = buildFixture(t);
  const s = await startServe(t, repo);
  const dir = tmpDir(t);
  const restored = path.join(dir, 'restored');
  ok(t, ['restore', 'latest:sub', '--target', restored], { repo });
  for (const format of ['tar', 'zip']) {
    const r = await get(s, `api/archive?snap=latest&path=sub&format=${format}`);
    t.is(r.status, 200);
    t.regex(r.headers.get('content-disposition')!, new RegExp(`filename="sub.${format}"`));
    const file = path.join(dir, `sub.${format}`);
    fs.writeFileSync(file, Buffer.from(await r.arrayBuffer()));
    const out = path.join(dir, `x-${format}`);
    fs.mkdirSync(out);
    if (format === 'tar') execFileSync('tar', ['-xf', file, '-C', out]);
    else execFileSync('unzip', ['-q', file, '-d', out]);
    t.deepEqual(treeDiff(restored, path.join(out, 'sub')), [], format);
  }
  // the whole snapshot, with its symlink kept as a link
  const r = await get(s, 'api/archive?snap=latest&format=tar');
  const file = path.join(dir, 'all.tar');
  fs.writeFileSync(file, Buffer.from(await r.arrayBuffer()));
  const out = path.join(dir, 'all');
  fs.mkdirSync(out);
  execFileSync('tar', ['-xf', file, '-C', out]);
  const top = fs.readdirSync(out)[0]!;
  t.regex(top, /^strata-[0-9a-f]{8}$/);
  t.is(fs.readlinkSync(path.join(out, top, 'link-to-notes')), 'notes.txt');
});

test.serial('restore through the API: dry run, then confirm; never into the repository', async (t) => {
  const { repo } = buildFixture(t);
  const s = await startServe(t, repo);
  const post = (body: unknown, type = 'application/json') => get(s, 'api/restore', { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify(body) });
  const target = path.join(tmpDir(t), 'out');
  const dry = await post({ snap: 'latest', path: 'sub', target });
  t.is(dry.status, 200);
  const d = await dry.json();
  t.true(d.dryRun);
  t.true(d.actions.length >= 4);
  t.false(fs.existsSync(target));
  const done = await (await post({ snap: 'latest', path: 'sub', target, confirm: true })).json();
  t.false(done.dryRun);
  const ref = path.join(tmpDir(t), 'ref');
  ok(t, ['restore', 'latest:sub', '--target', ref], { repo });
  t.deepEqual(treeDiff(ref, target), []);
  for (const bad of [path.join(repo, 'snapshots'), repo, path.dirname(repo), 'relative/dir']) {
    const r = await post({ snap: 'latest', path: 'sub', target: bad, confirm: true });
    t.is(r.status, 400, bad);
    t.regex((await r.json()).error, /refusing to restore|absolute path/);
  }
  t.is((await post({ snap: 'latest', target }, 'text/plain')).status, 415);
  t.is((await get(s, 'api/restore')).status, 405);
});

test.serial('bad requests: traversal 400, missing snapshot or path 404, unknown call 404', async (t) => {
  const { repo } = buildFixture(t);
  const s = await startServe(t, repo);
  const status = async (p: string) => (await get(s, p)).status;
  t.is(await status('api/ls?snap=latest&path=../etc'), 400);
  t.is(await status('api/file?snap=latest&path=sub/../../x'), 400);
  t.is(await status('api/ls?snap=deadbeef'), 404);
  t.is(await status('api/ls?snap=latest&path=nope'), 404);
  t.is(await status('api/file?snap=latest&path=sub'), 400);
  t.is(await status('api/nothing'), 404);
  t.is(await status('api/ls'), 400);
  const body = await (await get(s, 'api/ls?snap=deadbeef')).json();
  t.deepEqual(body, { error: 'no snapshot matches deadbeef', code: 'E_NO_SNAPSHOT' });
  // raw dot segments never reach URL normalisation
  const raw = (p: string) => spawnSync('curl', ['-s', '--path-as-is', '-o', '/dev/null', '-w', '%{http_code}', '-H', `Authorization: Bearer ${s.token}`, s.base + p]).stdout.toString();
  t.is(raw('dav/latest/docs/../../../etc/passwd'), '400');
  t.is(raw('dav/latest/docs/%2e%2e/%2e%2e/x'), '400');
  t.is(raw('ui/../../package.json'), '400');
  t.is(raw('ui/..%2f..%2fpackage.json'), '404');
});

test.serial('downloads: long paths (pax), non-ASCII names, empty files and symlinks survive .tar and .zip', async (t) => {
  const { repo } = buildFixture(t);
  const src = path.join(tmpDir(t, 'strata-serve-names-'), 'names');
  const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(80)}.txt`;
  fs.mkdirSync(path.join(src, path.dirname(long)), { recursive: true });
  fs.writeFileSync(path.join(src, long), 'deep\n');
  fs.writeFileSync(path.join(src, 'Grüße – 日本.txt'), 'unicode\n');
  fs.writeFileSync(path.join(src, 'empty'), '');
  fs.symlinkSync('Grüße – 日本.txt', path.join(src, 'link'));
  const id = json(t, ['snapshot', src], { repo }).id as string;
  const s = await startServe(t, repo);
  const dir = tmpDir(t);
  for (const format of ['tar', 'zip']) {
    const r = await get(s, `api/archive?snap=${id}&format=${format}`);
    t.is(r.status, 200);
    const file = path.join(dir, `all.${format}`);
    fs.writeFileSync(file, Buffer.from(await r.arrayBuffer()));
    const out = path.join(dir, format);
    fs.mkdirSync(out);
    if (format === 'tar') execFileSync('tar', ['-xf', file, '-C', out]);
    else execFileSync('unzip', ['-q', file, '-d', out]);
    t.deepEqual(treeDiff(src, path.join(out, `strata-${id.slice(0, 8)}`)), [], format);
  }
});

test.serial('a damaged pack: the file is a 500, a cut connection or a cut-short body, never wrong bytes (API and WebDAV)', async (t) => {
  const { repo } = buildFixture(t);
  const packs: string[] = [];
  const walkDir = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walkDir(path.join(d, e.name)) : packs.push(path.join(d, e.name))));
  walkDir(path.join(repo, 'packs'));
  const biggest = packs.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0]!; // the 3 MiB of data.bin
  const s = await startServe(t, repo);
  const good = Buffer.from(await (await get(s, 'api/file?snap=latest&path=notes.txt')).arrayBuffer()); // trees are loaded before the damage
  t.true(good.length > 0);
  const fd = fs.openSync(biggest, 'r+');
  const at = Math.floor(fs.statSync(biggest).size / 2);
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, at);
  b[0] ^= 0xff;
  fs.writeSync(fd, b, 0, 1, at);
  fs.closeSync(fd);
  for (const p of ['api/file?snap=latest&path=sub/data.bin', `dav/latest/docs/sub/data.bin`]) {
    const r = await get(s, p).catch(() => undefined); // the connection may be cut before the headers arrive
    if (!r) t.pass(`${p}: connection cut`);
    else if (r.status === 200) await t.throwsAsync(r.arrayBuffer(), undefined, `${p}: the body must be cut short`);
    else {
      t.is(r.status, 500, p);
      t.regex(await r.text(), /corrupted|hash|authentication|not in the index/, p); // a blob found damaged leaves the index (issue 11)
    }
  }
  t.not(strata(['cat', 'latest:sub/data.bin'], { repo }).code, 0, 'the CLI agrees the data is damaged');
});
