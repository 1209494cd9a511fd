/**
 * Throughput of the crypto layer:
 * `node packages/core/src/crypto/crypto.bench.ts [--backend=node|webcrypto] [--quick]`.
 * Each line gives operations per second (wall clock) and CPU microseconds per operation (all
 * threads, so WebCrypto's thread-pool work counts). Sequential rates are one operation at a
 * time; concurrent rates keep 64 operations in flight. `--backend` forces the X25519 backend of
 * the HPKE suite (default: the best one available). `--quick` skips the AES throughput and the
 * concurrent rates.
 */
import { recoverTypedDataAddress } from 'viem';
import { bytesToHex, randomBytes, utf8ToBytes } from '../bytes.ts';
import { ledgerDomain, type RecordLeaf, recordsTypes } from '../typedData.ts';
import { decryptAesGcm, encryptAesGcm } from './aead.ts';
import { openRecord, openResealedDataKey, resealDataKey, sealRecord, unwrapDataKey } from './envelope.ts';
import * as hpke from './hpke.ts';
import { importHpkePublicKey, importHpkeSecretKey, openWithSecretKey, sealToPublicKey } from './hpke.ts';
import { accountOf, generateEncryptionKeyPair, generateIdentity } from './keys.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const backendArg = args.find((a) => a.startsWith('--backend='))?.slice('--backend='.length);
// The backend switch is looked up dynamically so that this script also runs against older hpke.ts.
const setBackend = (hpke as { setHpkeBackend?: (backend: string) => void }).setHpkeBackend;
if (backendArg) {
  if (!setBackend) throw new Error('This hpke.ts has no backend switch.');
  setBackend(backendArg);
}
const backendOf = (hpke as { hpkeBackend?: () => string }).hpkeBackend;
console.log(`X25519 backend: ${backendOf ? backendOf() : 'webcrypto (fixed)'}`);

async function rate(name: string, operation: () => unknown, seconds = 1.5): Promise<void> {
  for (let i = 0; i < 200; i++) await operation();
  let count = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await operation();
    count++;
  }
  const elapsed = (performance.now() - start) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  report(name, count / elapsed, (user + system) / count);
}

async function concurrentRate(name: string, operation: () => Promise<unknown>, total = 6000): Promise<void> {
  let next = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next++ < total) await operation();
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  report(name, total / elapsed, (user + system) / total);
}

/** Operations per second (wall clock) and CPU time per operation (all threads: WebCrypto's too). */
function report(name: string, perSecond: number, cpuMicroseconds: number): void {
  console.log(
    `${name.padEnd(48)} ${Math.round(perSecond).toString().padStart(8)} ops/s ${cpuMicroseconds.toFixed(1).padStart(9)} µs CPU/op`,
  );
}

const keys = generateEncryptionKeyPair();
const dataKey = randomBytes(32);
const options = { info: utf8ToBytes('medledger/v1 data-key'), aad: randomBytes(32) };

const publicKey = await importHpkePublicKey(keys.publicKey);
const secretKey = await importHpkeSecretKey(keys.secretKey);
const sealed = await sealToPublicKey(publicKey, dataKey, options);
await rate('HPKE seal 32 B (hex key, cached import)', () =>
  sealToPublicKey(keys.publicKey, dataKey, options),
);
await rate('HPKE open 32 B (hex secret key)', () => openWithSecretKey(keys.secretKey, sealed, options));
await rate('HPKE open 32 B (imported secret key)', () => openWithSecretKey(secretKey, sealed, options));
if (!quick) {
  await concurrentRate('HPKE seal 32 B, 64 in flight', () => sealToPublicKey(publicKey, dataKey, options));
  await concurrentRate('HPKE open 32 B, 64 in flight', () => openWithSecretKey(secretKey, sealed, options));

  for (const size of [1024, 64 * 1024, 1024 * 1024]) {
    const message = randomBytes(size);
    const start = performance.now();
    let bytes = 0;
    while (performance.now() - start < 1000) {
      decryptAesGcm(dataKey, encryptAesGcm(dataKey, message));
      bytes += 2 * size;
    }
    const mbPerSecond = bytes / 1e6 / ((performance.now() - start) / 1000);
    console.log(
      `${`AES-256-GCM encrypt+decrypt ${size / 1024} KiB`.padEnd(48)} ${mbPerSecond.toFixed(1).padStart(8)} MB/s`,
    );
  }
}

// Record-level operations as the client and the gateway run them.
const patient = generateIdentity();
const custodian = generateEncryptionKeyPair();
const reader = generateEncryptionKeyPair();
const patientRecipient = {
  kind: 'patient' as const,
  id: patient.address,
  publicKey: patient.encryption.publicKey,
};
const custodianRecipient = { kind: 'custodian' as const, id: '7', publicKey: custodian.publicKey };
const recipients = [patientRecipient, custodianRecipient];
const plaintext = randomBytes(4096);
const metadata = {
  recordId: bytesToHex(randomBytes(32)),
  patient: patient.address,
  author: patient.address,
  category: 'lab' as const,
  sensitivity: 'normal' as const,
  supersedes: bytesToHex(new Uint8Array(32)),
  createdAt: 1_767_225_600,
};
const record = await sealRecord({ plaintext, metadata, recipients });
// The gateway imports its secret key once (packages/server/src/custodian.ts).
const custodianKey = await importHpkeSecretKey(custodian.secretKey);
const resealed = await resealDataKey(record.dataKey, reader.publicKey, metadata.recordId);

await rate('sealRecord 4 KiB, 2 recipients (client write)', () =>
  sealRecord({ plaintext, metadata, recipients }),
);
await rate('unwrapDataKey (gateway, imported key)', () =>
  unwrapDataKey(record.envelope, { kind: 'custodian', id: '7' }, custodianKey),
);
await rate('resealDataKey (gateway, hex reader key)', () =>
  resealDataKey(record.dataKey, reader.publicKey, metadata.recordId),
);
await rate('openResealedDataKey (client, hex secret key)', () =>
  openResealedDataKey(resealed, reader.secretKey, metadata.recordId),
);
await rate('unwrapDataKey + openRecord 4 KiB (patient, hex)', async () =>
  openRecord(
    record.envelope,
    await unwrapDataKey(record.envelope, patientRecipient, patient.encryption.secretKey),
  ),
);
if (!quick) {
  await concurrentRate('gateway read (unwrap + reseal), 64 in flight', async () =>
    resealDataKey(
      await unwrapDataKey(record.envelope, { kind: 'custodian', id: '7' }, custodianKey),
      reader.publicKey,
      metadata.recordId,
    ),
  );
}

// EIP-712 signature of a record (client write) and its recovery (verification).
const account = accountOf(patient);
const typedData = {
  domain: ledgerDomain('records', 31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3'),
  types: recordsTypes,
  primaryType: 'Record' as const,
  message: {
    recordId: metadata.recordId,
    patient: patient.address,
    author: patient.address,
    category: 3,
    sensitivity: 0,
    contentDigest: bytesToHex(randomBytes(32)),
    supersedes: metadata.supersedes,
    createdAt: BigInt(metadata.createdAt),
  } satisfies RecordLeaf,
};
const signature = await account.signTypedData(typedData);
await rate('signTypedData Record (viem account)', () => account.signTypedData(typedData));
await rate('recoverTypedDataAddress Record (viem)', () =>
  recoverTypedDataAddress({ ...typedData, signature }),
);
