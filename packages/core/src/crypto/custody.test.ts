import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Hex } from 'viem';
import { bytesToHex, bytesToUtf8, randomBytes, utf8ToBytes } from '../bytes.ts';
import { AccessDeniedError, IntegrityError, InvalidInputError, NotFoundError } from '../errors.ts';
import { cidOf } from './cid.ts';
import { openDataKeyFromShares, openRecordFromShares, type ResealedShare, resealShare } from './custody.ts';
import { keyShareAad, sealKeyShare } from './custodyShare.ts';
import {
  type EnvelopeMetadata,
  type EnvelopeV2,
  openRecord,
  parseEnvelope,
  type Recipient,
  sealRecord,
  serializeEnvelope,
  unwrapDataKey,
} from './envelope.ts';
import { type EncryptionKeyPair, generateEncryptionKeyPair, generateIdentity } from './keys.ts';

const patient = generateIdentity();
const author = generateIdentity();
const reader = generateEncryptionKeyPair();
const organisations = Array.from({ length: 6 }, (_, i) => ({
  id: `org-${i + 1}`,
  keys: generateEncryptionKeyPair(),
}));
const zero = `0x${'00'.repeat(32)}` as Hex;
const plaintext = utf8ToBytes(JSON.stringify({ resourceType: 'Observation', status: 'final' }));

function metadata(overrides: Partial<EnvelopeMetadata> = {}): EnvelopeMetadata {
  return {
    recordId: bytesToHex(randomBytes(32)),
    patient: patient.address,
    author: author.address,
    category: 'lab',
    sensitivity: 'normal',
    supersedes: zero,
    createdAt: 1_767_225_600,
    ...overrides,
  };
}

const patientRecipient: Recipient = {
  kind: 'patient',
  id: patient.address,
  publicKey: patient.encryption.publicKey,
};

function custodians(n: number): { recipients: Recipient[]; secrets: Map<string, EncryptionKeyPair> } {
  const chosen = organisations.slice(0, n);
  return {
    recipients: chosen.map((o) => ({ kind: 'custodian', id: o.id, publicKey: o.keys.publicKey })),
    secrets: new Map(chosen.map((o) => [o.id, o.keys])),
  };
}

async function sealWithCustody(n: number, threshold: number, meta = metadata()) {
  const { recipients, secrets } = custodians(n);
  const sealed = await sealRecord({
    plaintext,
    metadata: meta,
    recipients: [patientRecipient],
    custody: { threshold, custodians: recipients },
  });
  return { ...sealed, meta, custodians: recipients, secrets };
}

/** Every custodian reseals its share to the reader. */
async function resealAll(
  envelope: Uint8Array,
  recipients: Recipient[],
  secrets: Map<string, EncryptionKeyPair>,
  readerKey: Hex = reader.publicKey,
): Promise<ResealedShare[]> {
  return Promise.all(
    recipients.map((c) => resealShare(envelope, { id: c.id }, secrets.get(c.id)!.secretKey, readerKey)),
  );
}

function subsets<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  if (items.length < size) return [];
  const [first, ...rest] = items as [T, ...T[]];
  return [...subsets(rest, size - 1).map((s) => [first, ...s]), ...subsets(rest, size)];
}

function edit(envelope: Uint8Array, change: (json: Record<string, unknown>) => void): Uint8Array {
  const json = JSON.parse(bytesToUtf8(envelope));
  change(json);
  return utf8ToBytes(JSON.stringify(json));
}

describe('k-of-n custody of the data key', () => {
  it('recovers the key and the record from every k-of-n subset of custodians, n ≤ 5', async () => {
    for (let n = 2; n <= 5; n++) {
      for (let k = 1; k <= n; k++) {
        const { envelope, dataKey, custodians: cs, secrets } = await sealWithCustody(n, k);
        const resealed = await resealAll(envelope, cs, secrets);
        for (let size = 0; size <= n; size++) {
          for (const subset of subsets(resealed, size)) {
            if (size >= k) {
              const { dataKey: key, plaintext: opened } = await openRecordFromShares(
                envelope,
                subset,
                reader.secretKey,
              );
              assert.deepEqual(key, dataKey, `${k}-of-${n} with ${size}`);
              assert.deepEqual(opened, plaintext);
            } else {
              await assert.rejects(
                openDataKeyFromShares(envelope, subset, reader.secretKey),
                (e) =>
                  e instanceof AccessDeniedError && e.shortMessage.includes(`need ${k} shares, got ${size}`),
                `${k}-of-${n} with only ${size}`,
              );
            }
          }
        }
      }
    }
  });

  it('writes the documented version 2 format and gives the patient the whole key', async () => {
    const { envelope, dataKey, meta } = await sealWithCustody(3, 2);
    const json = JSON.parse(bytesToUtf8(envelope));
    assert.deepEqual(Object.keys(json), ['v', 'alg', 'kem', 'meta', 'custody', 'iv', 'ct', 'keys']);
    assert.equal(json.v, 2);
    assert.deepEqual(json.custody, { threshold: 2 });
    assert.deepEqual(Object.keys(json.keys[0]), ['kind', 'id', 'publicKey', 'enc', 'ct']);
    for (const [i, entry] of (json.keys as Record<string, unknown>[]).slice(1).entries()) {
      assert.deepEqual(Object.keys(entry), ['kind', 'id', 'publicKey', 'share', 'enc', 'ct']);
      assert.equal(entry.kind, 'custodian');
      assert.equal(entry.id, `org-${i + 1}`);
      assert.ok(
        Number.isInteger(entry.share) && (entry.share as number) >= 1 && (entry.share as number) <= 255,
      );
    }
    const parsed = parseEnvelope(envelope) as EnvelopeV2;
    assert.equal(parsed.v, 2);
    assert.deepEqual(serializeEnvelope(parsed), envelope);
    const key = await unwrapDataKey(
      envelope,
      { kind: 'patient', id: meta.patient },
      patient.encryption.secretKey,
    );
    assert.deepEqual(key, dataKey);
    assert.deepEqual(openRecord(envelope, key), plaintext);
    // A custodian holds a share, never the key.
    await assert.rejects(
      unwrapDataKey(envelope, { kind: 'custodian', id: 'org-1' }, organisations[0]!.keys.secretKey),
      (e) => e instanceof InvalidInputError && /share/.test(e.shortMessage),
    );
  });

  it('writes version 1 exactly as before when no custody is given', async () => {
    const { recipients } = custodians(2);
    const { envelope } = await sealRecord({
      plaintext,
      metadata: metadata(),
      recipients: [patientRecipient, ...recipients],
    });
    const json = JSON.parse(bytesToUtf8(envelope));
    assert.equal(json.v, 1);
    assert.deepEqual(Object.keys(json), ['v', 'alg', 'kem', 'meta', 'iv', 'ct', 'keys']);
    await assert.rejects(
      resealShare(envelope, { id: 'org-1' }, organisations[0]!.keys.secretKey, reader.publicKey),
      InvalidInputError,
    );
  });

  it('detects a change of any byte of a version 2 envelope', async () => {
    const { envelope, dataKey, meta, custodians: cs, secrets } = await sealWithCustody(3, 2);
    const readAll = async (bytes: Uint8Array) => {
      const parsed = parseEnvelope(bytes);
      openRecord(parsed, dataKey);
      assert.deepEqual(
        await unwrapDataKey(parsed, { kind: 'patient', id: meta.patient }, patient.encryption.secretKey),
        dataKey,
      );
      const resealed = await resealAll(bytes, cs, secrets);
      assert.deepEqual(await openDataKeyFromShares(parsed, resealed, reader.secretKey), dataKey);
    };
    await readAll(envelope);
    for (let i = 0; i < envelope.length; i++) {
      for (const mask of [0x01, 0x20, 0x80]) {
        const tampered = envelope.slice();
        tampered[i] = (tampered[i] ?? 0) ^ mask;
        await assert.rejects(
          readAll(tampered),
          (error) =>
            error instanceof IntegrityError ||
            error instanceof InvalidInputError ||
            error instanceof NotFoundError,
          `byte ${i} ^ ${mask} went unnoticed`,
        );
      }
    }
  });

  it('refuses malformed version 2 envelopes', async () => {
    const { envelope } = await sealWithCustody(3, 2);
    const text = bytesToUtf8(envelope);
    const keysOf = (j: Record<string, unknown>) => j.keys as Record<string, unknown>[];
    const cases: [string, Uint8Array][] = [
      ['threshold above n', edit(envelope, (j) => Object.assign(j, { custody: { threshold: 4 } }))],
      ['threshold 0', edit(envelope, (j) => Object.assign(j, { custody: { threshold: 0 } }))],
      ['fractional threshold', edit(envelope, (j) => Object.assign(j, { custody: { threshold: 1.5 } }))],
      ['threshold as text', edit(envelope, (j) => Object.assign(j, { custody: { threshold: '2' } }))],
      ['no custody', edit(envelope, (j) => delete j.custody)],
      ['extra custody field', edit(envelope, (j) => Object.assign(j, { custody: { threshold: 2, n: 3 } }))],
      ['custody in version 1', edit(envelope, (j) => Object.assign(j, { v: 1 }))],
      ['version 3', edit(envelope, (j) => Object.assign(j, { v: 3 }))],
      [
        'duplicate index',
        edit(envelope, (j) => Object.assign(keysOf(j)[2]!, { share: keysOf(j)[1]!.share })),
      ],
      ['index 0', edit(envelope, (j) => Object.assign(keysOf(j)[1]!, { share: 0 }))],
      ['index 256', edit(envelope, (j) => Object.assign(keysOf(j)[1]!, { share: 256 }))],
      ['index as text', edit(envelope, (j) => Object.assign(keysOf(j)[1]!, { share: '7' }))],
      ['custodian without share', edit(envelope, (j) => delete keysOf(j)[1]!.share)],
      ['patient with share', edit(envelope, (j) => Object.assign(keysOf(j)[0]!, { share: 9 }))],
      [
        'field order in a share entry',
        edit(envelope, (j) => {
          const { share, ...rest } = keysOf(j)[1]!;
          keysOf(j)[1] = { ...rest, share };
        }),
      ],
      [
        'short share',
        edit(envelope, (j) =>
          Object.assign(keysOf(j)[1]!, { ct: (keysOf(j)[1]!.ct as string).slice(0, -4) }),
        ),
      ],
      [
        'short enc',
        edit(envelope, (j) => Object.assign(keysOf(j)[1]!, { enc: (keysOf(j)[1]!.enc as string).slice(2) })),
      ],
      [
        'one custodian',
        edit(envelope, (j) => Object.assign(j, { keys: keysOf(j).slice(0, 2), custody: { threshold: 1 } })),
      ],
      ['duplicate custodian', edit(envelope, (j) => Object.assign(keysOf(j)[2]!, { id: keysOf(j)[1]!.id }))],
      ['whitespace', utf8ToBytes(JSON.stringify(JSON.parse(text), null, 1))],
      [
        'custody after iv',
        utf8ToBytes(text.replace(/("custody":\{"threshold":2\}),("iv":"[^"]+")/, '$2,$1')),
      ],
    ];
    for (const [name, bytes] of cases) {
      assert.notDeepEqual(bytes, envelope, name);
      assert.throws(() => parseEnvelope(bytes), InvalidInputError, name);
    }
    const many = await sealWithCustody(2, 2);
    const seventeen = edit(many.envelope, (j) => {
      const share = keysOf(j)[1]!;
      keysOf(j).push(
        ...Array.from({ length: 16 }, (_, i) => ({ ...share, id: `extra-${i}`, share: 200 + i })),
      );
    });
    assert.throws(() => parseEnvelope(seventeen), InvalidInputError, '17 custodians');
  });

  it('validates the custody given to sealRecord', async () => {
    const { recipients } = custodians(3);
    const seal = (custody: { threshold: number; custodians: Recipient[] }, extra: Recipient[] = []) =>
      sealRecord({ plaintext, metadata: metadata(), recipients: [patientRecipient, ...extra], custody });
    await assert.rejects(seal({ threshold: 4, custodians: recipients }), InvalidInputError, 'k > n');
    await assert.rejects(seal({ threshold: 0, custodians: recipients }), InvalidInputError, 'k = 0');
    await assert.rejects(
      seal({ threshold: 1, custodians: recipients.slice(0, 1) }),
      InvalidInputError,
      'n = 1',
    );
    await assert.rejects(
      seal({ threshold: 2, custodians: [recipients[0]!, recipients[0]!] }),
      InvalidInputError,
      'same custodian twice',
    );
    await assert.rejects(
      seal({ threshold: 2, custodians: [patientRecipient, recipients[0]!] }),
      InvalidInputError,
      'patient as custodian',
    );
    await assert.rejects(
      seal({ threshold: 2, custodians: recipients }, [recipients[0]!]),
      InvalidInputError,
      'custodian with the whole key',
    );
    const seventeen = Array.from(
      { length: 17 },
      (_, i): Recipient => ({
        kind: 'custodian',
        id: `org-${i}`,
        publicKey: organisations[0]!.keys.publicKey,
      }),
    );
    await assert.rejects(seal({ threshold: 2, custodians: seventeen }), InvalidInputError, 'n = 17');
    // Addresses as custodian ids are normalised like in version 1.
    const address = generateIdentity().address;
    const { envelope } = await seal({
      threshold: 2,
      custodians: [{ ...recipients[0]!, id: address }, recipients[1]!],
    });
    const resealed = await resealShare(
      envelope,
      { id: address.toUpperCase().replace('0X', '0x') },
      organisations[0]!.keys.secretKey,
      reader.publicKey,
    );
    assert.equal(typeof resealed.share, 'number');
  });

  it('refuses a wrong reader key, a wrong custodian key and an unknown custodian', async () => {
    const { envelope, custodians: cs, secrets } = await sealWithCustody(3, 2);
    const resealed = await resealAll(envelope, cs, secrets);
    const other = generateEncryptionKeyPair();
    await assert.rejects(openDataKeyFromShares(envelope, resealed, other.secretKey), IntegrityError);
    await assert.rejects(
      resealShare(envelope, { id: 'org-1' }, organisations[1]!.keys.secretKey, reader.publicKey),
      InvalidInputError,
    );
    await assert.rejects(
      resealShare(envelope, { id: 'org-9' }, organisations[0]!.keys.secretKey, reader.publicKey),
      NotFoundError,
    );
    // Resealed to someone else: only they can open it.
    const toOther = await resealAll(envelope, cs, secrets, other.publicKey);
    await assert.rejects(openDataKeyFromShares(envelope, toOther, reader.secretKey), IntegrityError);
    assert.ok(await openDataKeyFromShares(envelope, toOther, other.secretKey));
  });

  it('refuses a share resealed for another record, index or threshold, or tampered with', async () => {
    const meta = metadata();
    const a = await sealWithCustody(3, 2, meta);
    const b = await sealWithCustody(3, 2);
    const sharesA = await resealAll(a.envelope, a.custodians, a.secrets);
    const sharesB = await resealAll(b.envelope, b.custodians, b.secrets);
    const indexesA = sharesA.map((s) => s.share);
    // Another record's share, relabelled with an index of this record.
    const foreign = { ...sharesB[0]!, share: indexesA[1]! };
    await assert.rejects(
      openDataKeyFromShares(a.envelope, [sharesA[0]!, foreign], reader.secretKey),
      (e) => e instanceof IntegrityError && /does not open/.test(e.shortMessage),
    );
    // This record's share with another index of this record.
    const relabelled = { ...sharesA[1]!, share: indexesA[2]! };
    await assert.rejects(
      openDataKeyFromShares(a.envelope, [sharesA[0]!, relabelled], reader.secretKey),
      IntegrityError,
    );
    // Unknown index.
    const unknown = {
      ...sharesA[1]!,
      share: [...Array(255).keys()].map((i) => i + 1).find((i) => !indexesA.includes(i))!,
    };
    await assert.rejects(
      openDataKeyFromShares(a.envelope, [sharesA[0]!, unknown], reader.secretKey),
      InvalidInputError,
    );
    // A share of this record sealed (by a rogue custodian) under another threshold.
    const value = randomBytes(32);
    const otherThreshold = await sealKeyShare(value, indexesA[1]!, reader.publicKey, {
      recordId: meta.recordId,
      threshold: 3,
    });
    await assert.rejects(
      openDataKeyFromShares(a.envelope, [sharesA[0]!, otherThreshold], reader.secretKey),
      IntegrityError,
    );
    // Tampered ciphertext or enc.
    for (const field of ['ct', 'enc'] as const) {
      const bytes = sharesA[1]![field].slice();
      bytes[3] = (bytes[3] ?? 0) ^ 1;
      await assert.rejects(
        openDataKeyFromShares(
          a.envelope,
          [sharesA[0]!, { ...sharesA[1]!, [field]: bytes }],
          reader.secretKey,
        ),
        IntegrityError,
        field,
      );
    }
    assert.equal(keyShareAad({ recordId: meta.recordId, threshold: 2 }, 7).length, 34);
  });

  it('detects well-sealed but wrong shares, and finds k good ones among more', async () => {
    const { envelope, dataKey, meta, custodians: cs, secrets } = await sealWithCustody(4, 2);
    const good = await resealAll(envelope, cs, secrets);
    // A rogue custodian seals random bytes as its share: HPKE opens, the key is wrong.
    const rogue = await sealKeyShare(randomBytes(32), good[0]!.share, reader.publicKey, {
      recordId: meta.recordId,
      threshold: 2,
    });
    await assert.rejects(
      openDataKeyFromShares(envelope, [rogue, good[1]!], reader.secretKey),
      (e) => e instanceof IntegrityError && e.shortMessage.includes("do not combine to the record's key"),
    );
    assert.deepEqual(
      await openDataKeyFromShares(envelope, [rogue, good[1]!, good[2]!], reader.secretKey),
      dataKey,
    );
    // The same share twice counts once.
    await assert.rejects(
      openDataKeyFromShares(envelope, [good[1]!, good[1]!], reader.secretKey),
      AccessDeniedError,
    );
    await assert.rejects(
      openDataKeyFromShares(envelope, [rogue, good[0]!], reader.secretKey),
      InvalidInputError,
    );
  });

  it('gives each envelope its own CID and opens a parsed envelope too', async () => {
    const { envelope, dataKey, custodians: cs, secrets } = await sealWithCustody(3, 3);
    const parsed = parseEnvelope(envelope);
    const resealed = await Promise.all(
      cs.map((c) => resealShare(parsed, { id: c.id }, secrets.get(c.id)!.secretKey, reader.publicKey)),
    );
    assert.deepEqual(await openDataKeyFromShares(parsed, resealed, reader.secretKey), dataKey);
    assert.equal(cidOf(serializeEnvelope(parsed)).toString(), cidOf(envelope).toString());
  });
});
