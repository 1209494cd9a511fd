import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Hex } from 'viem';
import { bytesToHex, bytesToUtf8, randomBytes, utf8ToBytes } from '../bytes.ts';
import { IntegrityError, InvalidInputError, MedledgerError, NotFoundError } from '../errors.ts';
import {
  type EnvelopeMetadata,
  metadataAad,
  openRecord,
  openResealedDataKey,
  parseEnvelope,
  resealDataKey,
  sealRecord,
  serializeEnvelope,
  unwrapDataKey,
} from './envelope.ts';
import { importHpkeSecretKey } from './hpke.ts';
import { generateEncryptionKeyPair, generateIdentity } from './keys.ts';

const patient = generateIdentity();
const author = generateIdentity();
const custodianA = generateEncryptionKeyPair();
const custodianB = generateEncryptionKeyPair();
const custodianBAddress = generateIdentity().address;
const zero = `0x${'00'.repeat(32)}` as Hex;

function metadata(overrides: Partial<EnvelopeMetadata> = {}): EnvelopeMetadata {
  return {
    recordId: bytesToHex(randomBytes(32)),
    patient: patient.address,
    author: author.address,
    category: 'allergy',
    sensitivity: 'restricted',
    supersedes: zero,
    createdAt: 1_767_225_600,
    ...overrides,
  };
}

const recipients = [
  { kind: 'patient', id: patient.address, publicKey: patient.encryption.publicKey },
  { kind: 'custodian', id: 'org-1', publicKey: custodianA.publicKey },
  { kind: 'custodian', id: custodianBAddress, publicKey: custodianB.publicKey },
] as const;
const secretOf = {
  patient: patient.encryption.secretKey,
  'org-1': custodianA.secretKey,
  [custodianBAddress.toLowerCase()]: custodianB.secretKey,
} as Record<string, Hex>;

const plaintext = utf8ToBytes(
  JSON.stringify({ resourceType: 'AllergyIntolerance', code: { text: 'Penicillin' } }),
);

/** Replaces parts of the serialized JSON and re-encodes it (for parse tests). */
function edit(envelope: Uint8Array, change: (json: Record<string, unknown>) => void): Uint8Array {
  const json = JSON.parse(bytesToUtf8(envelope));
  change(json);
  return utf8ToBytes(JSON.stringify(json));
}

describe('record envelope', () => {
  it('seals a record that its patient and each custodian can open', async () => {
    const meta = metadata();
    const { envelope, dataKey } = await sealRecord({
      plaintext,
      metadata: meta,
      recipients: [...recipients],
    });
    assert.equal(dataKey.length, 32);
    const parsed = parseEnvelope(envelope);
    assert.deepEqual(parsed.meta, {
      ...meta,
      patient: meta.patient.toLowerCase(),
      author: meta.author.toLowerCase(),
    });
    assert.deepEqual(openRecord(envelope, dataKey), plaintext);
    for (const r of recipients) {
      const secret = r.kind === 'patient' ? secretOf.patient : secretOf[r.id.toLowerCase()];
      assert.ok(secret);
      assert.deepEqual(await unwrapDataKey(envelope, r, secret), dataKey);
      assert.deepEqual(await unwrapDataKey(parsed, r, await importHpkeSecretKey(secret)), dataKey);
    }
  });

  it('serializes deterministically in the documented field order', async () => {
    const { envelope } = await sealRecord({ plaintext, metadata: metadata(), recipients: [...recipients] });
    const json = JSON.parse(bytesToUtf8(envelope));
    assert.deepEqual(Object.keys(json), ['v', 'alg', 'kem', 'meta', 'iv', 'ct', 'keys']);
    assert.deepEqual(Object.keys(json.meta), [
      'recordId',
      'patient',
      'author',
      'category',
      'sensitivity',
      'supersedes',
      'createdAt',
    ]);
    assert.deepEqual(Object.keys(json.keys[0]), ['kind', 'id', 'publicKey', 'enc', 'ct']);
    assert.equal(json.v, 1);
    assert.equal(json.alg, 'A256GCM');
    assert.equal(json.kem, 'X25519-HKDF-SHA256');
    assert.deepEqual(serializeEnvelope(parseEnvelope(envelope)), envelope);
  });

  it('binds the metadata with the documented encoding', () => {
    const meta = metadata({
      recordId: `0x${'ab'.repeat(32)}`,
      patient: '0x00000000000000000000000000000000000000aa',
      author: '0x00000000000000000000000000000000000000bb',
    });
    assert.equal(
      bytesToUtf8(metadataAad(meta)),
      `["medledger/v1 record","0x${'ab'.repeat(32)}","0x00000000000000000000000000000000000000aa",` +
        `"0x00000000000000000000000000000000000000bb","allergy","restricted","${zero}",1767225600]`,
    );
  });

  it('detects a change of any byte of the envelope', async () => {
    const { envelope, dataKey } = await sealRecord({
      plaintext,
      metadata: metadata(),
      recipients: [...recipients],
    });
    const keys = {
      patient: await importHpkeSecretKey(secretOf.patient ?? zero),
      'org-1': await importHpkeSecretKey(custodianA.secretKey),
      [custodianBAddress.toLowerCase()]: await importHpkeSecretKey(custodianB.secretKey),
    };
    const readAll = async (bytes: Uint8Array) => {
      const parsed = parseEnvelope(bytes);
      openRecord(parsed, dataKey);
      for (const r of recipients) {
        const key = keys[r.kind === 'patient' ? 'patient' : r.id.toLowerCase()];
        assert.ok(key);
        assert.deepEqual(await unwrapDataKey(parsed, r, key), dataKey);
      }
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

  it('refuses envelopes that are not in the exact canonical form', async () => {
    const { envelope } = await sealRecord({ plaintext, metadata: metadata(), recipients: [...recipients] });
    const text = bytesToUtf8(envelope);
    const cases: [string, Uint8Array][] = [
      ['whitespace', utf8ToBytes(JSON.stringify(JSON.parse(text), null, 1))],
      ['trailing newline', utf8ToBytes(`${text}\n`)],
      ['duplicate field', utf8ToBytes(text.replace('{"v":1,', '{"v":1,"v":1,'))],
      ['field order', utf8ToBytes(text.replace('{"v":1,"alg":"A256GCM"', '{"alg":"A256GCM","v":1'))],
      ['extra field', edit(envelope, (j) => Object.assign(j, { extra: 1 }))],
      ['missing field', edit(envelope, (j) => delete j.iv)],
      ['version', edit(envelope, (j) => Object.assign(j, { v: 2 }))],
      ['algorithm', edit(envelope, (j) => Object.assign(j, { alg: 'A128GCM' }))],
      ['upper-case address', utf8ToBytes(text.replace(`"patient":"0x`, `"patient":"0X`))],
      ['checksummed address', utf8ToBytes(text.replaceAll(patient.address.toLowerCase(), patient.address))],
      ['no recipients', edit(envelope, (j) => Object.assign(j, { keys: [] }))],
      [
        'duplicate recipient',
        edit(envelope, (j) =>
          Object.assign(j, { keys: [...(j.keys as unknown[]), (j.keys as unknown[])[1]] }),
        ),
      ],
      ['padded base64url', utf8ToBytes(text.replace(/"iv":"([^"]+)"/, '"iv":"$1=="'))],
      ['unknown category', utf8ToBytes(text.replace('"allergy"', '"astrology"'))],
      ['fractional time', utf8ToBytes(text.replace('1767225600', '1767225600.5'))],
      ['not JSON', utf8ToBytes(text.slice(0, -1))],
      ['not UTF-8', new Uint8Array([0xff, ...envelope])],
    ];
    for (const [name, bytes] of cases) assert.throws(() => parseEnvelope(bytes), InvalidInputError, name);
  });

  it('requires the patient recipient to be the record patient', async () => {
    await assert.rejects(
      sealRecord({
        plaintext,
        metadata: metadata(),
        recipients: [{ kind: 'patient', id: author.address, publicKey: author.encryption.publicKey }],
      }),
      /recipients\[0\]\.id must be the record's patient/,
    );
  });

  it('validates the metadata given to sealRecord', async () => {
    for (const bad of [
      { recordId: '0x1234' as Hex },
      { recordId: zero },
      { patient: '0x1234' as Hex },
      { createdAt: -1 },
      { createdAt: 1.5 },
      { category: 'astrology' as 'allergy' },
      { sensitivity: 'secret' as 'normal' },
    ]) {
      await assert.rejects(
        sealRecord({ plaintext, metadata: metadata(bad), recipients: [...recipients] }),
        InvalidInputError,
        JSON.stringify(bad),
      );
    }
  });

  it('refuses a wrong data key, a wrong secret key and an unknown recipient', async () => {
    const { envelope } = await sealRecord({ plaintext, metadata: metadata(), recipients: [...recipients] });
    assert.throws(() => openRecord(envelope, randomBytes(32)), IntegrityError);
    await assert.rejects(unwrapDataKey(envelope, recipients[1], custodianB.secretKey), InvalidInputError);
    await assert.rejects(
      unwrapDataKey(envelope, { kind: 'custodian', id: 'org-9' }, custodianA.secretKey),
      NotFoundError,
    );
  });

  it('reseals a data key to a reader, bound to the record id', async () => {
    const meta = metadata();
    const { envelope, dataKey } = await sealRecord({
      plaintext,
      metadata: meta,
      recipients: [...recipients],
    });
    const reader = generateEncryptionKeyPair();
    const custodianCopy = await unwrapDataKey(envelope, recipients[1], custodianA.secretKey);
    const sealed = await resealDataKey(custodianCopy, reader.publicKey, meta.recordId);
    const opened = await openResealedDataKey(sealed, reader.secretKey, meta.recordId);
    assert.deepEqual(opened, dataKey);
    assert.deepEqual(openRecord(envelope, opened), plaintext);
    await assert.rejects(
      openResealedDataKey(sealed, reader.secretKey, bytesToHex(randomBytes(32))),
      IntegrityError,
    );
    await assert.rejects(openResealedDataKey(sealed, custodianA.secretKey, meta.recordId), IntegrityError);
    await assert.rejects(resealDataKey(randomBytes(16), reader.publicKey, meta.recordId), InvalidInputError);
  });

  it('throws only MedledgerErrors for garbage input', () => {
    for (const bytes of [new Uint8Array(0), utf8ToBytes('null'), utf8ToBytes('[]'), utf8ToBytes('{"v":1}')]) {
      assert.throws(() => parseEnvelope(bytes), MedledgerError);
    }
  });
});
