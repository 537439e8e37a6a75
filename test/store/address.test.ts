// parseRepoAddress: local paths pass, s3: is recognised, other schemes are refused.
import test from 'ava';
import { parseRepoAddress } from '../../src/store/address.js';

test('local paths, including ones with a colon that is not a scheme', (t) => {
  for (const p of ['/srv/backup', 'relative/repo', './x:y', '/mnt/a:b', 'C', 'backup-2026:12']) t.deepEqual(parseRepoAddress(p), { kind: 'local', path: p });
});

test('s3: is recognised with its location', (t) => {
  t.deepEqual(parseRepoAddress('s3:https://host:9000/bucket/pfx'), { kind: 's3', url: 'https://host:9000/bucket/pfx' });
  t.deepEqual(parseRepoAddress('S3:bucket/pfx'), { kind: 's3', url: 'bucket/pfx' });
  t.throws(() => parseRepoAddress('s3:'), { code: 'E_USAGE' });
});

test('other backends and URLs are refused, naming the scheme', (t) => {
  for (const a of ['sftp:host:/x', 'rest:http://h/', 'rclone:r:p', 'b2:b:p', 'azure:c:/', 'gs:b:/', 'swift:c:/', 'https://h/x', 'file:///tmp/x', 'foo://bar']) {
    const e = t.throws(() => parseRepoAddress(a), { code: 'E_USAGE' });
    t.regex(e!.message, new RegExp(`the ${a.split(':')[0]!.toLowerCase()}: backend is not supported`));
  }
  t.throws(() => parseRepoAddress(''), { code: 'E_USAGE' });
});
