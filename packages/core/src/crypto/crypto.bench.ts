/**
 * Throughput of the crypto layer: `node packages/core/src/crypto/crypto.bench.ts`.
 * Sequential rates are one operation at a time; concurrent rates keep 64 operations in flight
 * (the WebCrypto X25519 calls run on libuv's thread pool).
 */
import { bytesToHex, randomBytes, utf8ToBytes } from '../bytes.ts';
import { decryptAesGcm, encryptAesGcm } from './aead.ts';
import { openRecord, sealRecord, unwrapDataKey } from './envelope.ts';
import { importHpkePublicKey, importHpkeSecretKey, openWithSecretKey, sealToPublicKey } from './hpke.ts';
import { generateEncryptionKeyPair, generateIdentity } from './keys.ts';

async function rate(name: string, operation: () => unknown, seconds = 1.5): Promise<void> {
  for (let i = 0; i < 200; i++) await operation();
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await operation();
    count++;
  }
  const perSecond = count / ((performance.now() - start) / 1000);
  console.log(`${name.padEnd(44)} ${Math.round(perSecond).toString().padStart(8)} ops/s`);
}

async function concurrentRate(name: string, operation: () => Promise<unknown>, total = 6000): Promise<void> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next++ < total) await operation();
    }),
  );
  const perSecond = total / ((performance.now() - start) / 1000);
  console.log(`${name.padEnd(44)} ${Math.round(perSecond).toString().padStart(8)} ops/s`);
}

const keys = generateEncryptionKeyPair();
const publicKey = await importHpkePublicKey(keys.publicKey);
const secretKey = await importHpkeSecretKey(keys.secretKey);
const dataKey = randomBytes(32);
const options = { info: utf8ToBytes('medledger/v1 data-key'), aad: randomBytes(32) };
const sealed = await sealToPublicKey(publicKey, dataKey, options);

await rate('HPKE seal 32 B (hex key, cached import)', () =>
  sealToPublicKey(keys.publicKey, dataKey, options),
);
await rate('HPKE open 32 B (hex secret key)', () => openWithSecretKey(keys.secretKey, sealed, options));
await rate('HPKE open 32 B (imported secret key)', () => openWithSecretKey(secretKey, sealed, options));
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
    `${`AES-256-GCM encrypt+decrypt ${size / 1024} KiB`.padEnd(44)} ${mbPerSecond.toFixed(1).padStart(8)} MB/s`,
  );
}

const patient = generateIdentity();
const custodians = Array.from({ length: 3 }, () => generateEncryptionKeyPair());
const patientRecipient = {
  kind: 'patient' as const,
  id: patient.address,
  publicKey: patient.encryption.publicKey,
};
const recipients = [
  patientRecipient,
  ...custodians.map((c, i) => ({ kind: 'custodian' as const, id: `org-${i}`, publicKey: c.publicKey })),
];
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
const patientKey = await importHpkeSecretKey(patient.encryption.secretKey);
await rate('sealRecord 4 KiB, 4 recipients', () => sealRecord({ plaintext, metadata, recipients }));
await rate('unwrapDataKey + openRecord 4 KiB', async () =>
  openRecord(record.envelope, await unwrapDataKey(record.envelope, patientRecipient, patientKey)),
);
