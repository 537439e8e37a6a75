// The read path alone, in-process (issue #12, docs/bench.md "Encryption
// cost"): every blob of a repository read through Repository.getBlob into one
// reused buffer, as a restore does, 3 passes; prints user and system CPU
// seconds and minor page faults per pass (fresh memory shows up as faults).
// Usage: node --import=tsx bench/encryption-read.ts REPO  (STRATA_PASSWORD for
// an encrypted one; STRATA_NO_NATIVE=1 for the node:crypto path).
import { nativeBlobCrypto } from '../src/crypto/aead.js';
import { readPackEntries } from '../src/store/pack.js';
import { Repository } from '../src/store/repository.js';

const addr = process.argv[2];
if (!addr) throw new Error('usage: bench/encryption-read.ts REPO');
const repo = await Repository.open(addr, { password: async () => process.env.STRATA_PASSWORD ?? 'strata-bench-password' });
const ids: Buffer[] = [];
for await (const name of repo.store.list('packs/')) {
  const size = (await repo.store.size(name))!;
  for (const e of await readPackEntries(name, size, (o, l) => repo.store.get(name, o, l), repo.cipher)) ids.push(e.hash);
}
let buf = Buffer.allocUnsafe(1 << 20);
for (let pass = 1; pass <= 3; pass++) {
  const r0 = process.resourceUsage();
  let bytes = 0;
  for (const h of ids) {
    const d = await repo.getBlob(h, buf);
    bytes += d.length;
    if (d.length > buf.length) buf = Buffer.allocUnsafe(d.length);
  }
  const r1 = process.resourceUsage();
  const row = { encryption: repo.cipher.encryption, native: repo.cipher.encryption !== 'none' && nativeBlobCrypto(), pass, blobs: ids.length, MiB: Math.round(bytes / 2 ** 20) };
  console.log(JSON.stringify({ ...row, userS: (r1.userCPUTime - r0.userCPUTime) / 1e6, sysS: (r1.systemCPUTime - r0.systemCPUTime) / 1e6, minorFaults: r1.minorPageFault - r0.minorPageFault }));
}
await repo.close?.();
process.exit(0);
