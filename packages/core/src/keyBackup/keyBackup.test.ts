import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Address, Hex } from 'viem';
import { bytesToHex, concatBytes, hexToBytes, randomBytes, utf8ToBytes } from '../bytes.ts';
import { sealToPublicKey } from '../crypto/hpke.ts';
import {
  generateEncryptionKeyPair,
  generateIdentity,
  type Identity,
  identityFromKeys,
} from '../crypto/keys.ts';
import { combineShares } from '../crypto/shamir.ts';
import { AccessDeniedError, IntegrityError, InvalidInputError } from '../errors.ts';
import {
  checkKeyBackupCommitment,
  createKeyBackup,
  type KeyBackup,
  keyBackupHash,
  keyRecoveryShareInfo,
  openGuardianShare,
  parseKeyBackup,
  type RecoveryShare,
  recoverIdentity,
  resealGuardianShare,
  serializeKeyBackup,
} from './keyBackup.ts';
import { type RecoveryRequest, recoveryRequestCode, sameRecoveryCode } from './recoveryRequest.ts';

const guardiansOf = (identities: Identity[]) =>
  identities.map((g) => ({ guardian: g.address, publicKey: g.encryption.publicKey }));

function newRequest(backup: KeyBackup, recoveryKey: Hex): RecoveryRequest {
  return {
    requestId: bytesToHex(randomBytes(32)),
    patient: backup.patient,
    backupId: backup.backupId,
    recoveryKey,
    createdAt: 1_760_000_000,
  };
}

/** Every subset of `items` of the given size. */
function subsets<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  if (items.length < size) return [];
  const [first, ...rest] = items as [T, ...T[]];
  return [...subsets(rest, size - 1).map((s) => [first, ...s]), ...subsets(rest, size)];
}

/** Chi-square critical value at upper-tail probability ~1e-6 (Wilson–Hilferty), as in shamir.test.ts. */
function chiSquareCritical(df: number, z = 4.75): number {
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

function chiSquareUniform(counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

async function setUp(n = 3, k = 2) {
  const patient = generateIdentity();
  const guardians = Array.from({ length: n }, () => generateIdentity());
  const created = await createKeyBackup({
    identity: patient,
    guardians: guardiansOf(guardians),
    threshold: k,
  });
  const recovery = generateEncryptionKeyPair();
  const request = newRequest(created.backup, recovery.publicKey);
  const reseal = (guardian: Identity, backup: KeyBackup = created.backup) =>
    resealGuardianShare(backup, guardian.address, guardian.encryption.secretKey, request);
  return { patient, guardians, ...created, recovery, request, reseal };
}

describe('key backups to guardians', () => {
  it('recovers the patient’s keys from any k of n guardians, and not from k − 1', async () => {
    for (const [n, k] of [
      [3, 2],
      [4, 3],
      [2, 2],
    ] as const) {
      const { patient, guardians, backup, recovery, request, reseal } = await setUp(n, k);
      const shares = await Promise.all(guardians.map((g) => reseal(g)));
      for (const size of [k - 1, k, n]) {
        for (const subset of subsets(shares, size)) {
          const attempt = recoverIdentity(request, backup, subset, recovery.secretKey);
          if (size < k) {
            await assert.rejects(attempt, (error: unknown) => {
              assert.ok(error instanceof AccessDeniedError);
              assert.match(error.shortMessage, new RegExp(`Only ${size} of the ${k} guardian shares`));
              return true;
            });
          } else {
            assert.deepEqual(await attempt, patient, `${k}-of-${n} with ${size} shares`);
          }
        }
      }
    }
  });

  it('backs up a rotated key for the patient’s first address', async () => {
    const patient = generateIdentity();
    const rotated = generateIdentity();
    const identity = identityFromKeys({
      signingKey: rotated.signingKey,
      encryptionSecretKey: rotated.encryption.secretKey,
      account: patient.address,
    });
    const guardians = [generateIdentity(), generateIdentity()];
    const { backup } = await createKeyBackup({ identity, guardians: guardiansOf(guardians), threshold: 2 });
    assert.equal(backup.patient, patient.address.toLowerCase());
    assert.equal(backup.signer, rotated.address.toLowerCase());
    const recovery = generateEncryptionKeyPair();
    const request = newRequest(backup, recovery.publicKey);
    const shares = await Promise.all(
      guardians.map((g) => resealGuardianShare(backup, g.address, g.encryption.secretKey, request)),
    );
    assert.deepEqual(await recoverIdentity(request, backup, shares, recovery.secretKey), identity);
  });

  it('gives k − 1 guardians nothing: every value of the key is as likely (exhaustive over one byte)', async () => {
    // The argument of shamir.test.ts, on the shares a backup actually seals: given the k − 1 shares
    // that guardians can open, each candidate first byte of the signing key is consistent with
    // exactly one value of one more share, so what they hold leaves every candidate equally likely.
    for (const k of [2, 3]) {
      const { guardians, backup } = await setUp(k + 1, k);
      const opened = await Promise.all(
        guardians.slice(0, k - 1).map(async (g) => {
          const value = await openGuardianShare(backup, g.address, g.encryption.secretKey);
          const entry = backup.guardians.find((e) => e.guardian === g.address.toLowerCase())!;
          return Uint8Array.of(value[0]!, entry.share);
        }),
      );
      const used = new Set(backup.guardians.map((g) => g.share));
      const x = [...Array(255).keys()].map((i) => i + 1).find((i) => !used.has(i))!;
      const completions = new Array<number>(256).fill(0);
      for (let c = 0; c < 256; c++) {
        const [secretByte] = await combineShares([...opened, Uint8Array.of(c, x)]);
        completions[secretByte!]!++;
      }
      assert.deepEqual(completions, new Array(256).fill(1), `k = ${k}`);
    }
  });

  it('gives one guardian of a 2-of-3 backup of a fixed key bytes that look uniform', async () => {
    // Many backups of one fixed identity: the bytes guardian 0 can open are uniform (chi-square at
    // p ≈ 1e-6), so they do not follow the key's bytes.
    const patient = generateIdentity();
    const guardians = [generateIdentity(), generateIdentity(), generateIdentity()];
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 160; i++) {
      const { backup } = await createKeyBackup({
        identity: patient,
        guardians: guardiansOf(guardians),
        threshold: 2,
      });
      const value = await openGuardianShare(
        backup,
        guardians[0]!.address,
        guardians[0]!.encryption.secretKey,
      );
      for (const byte of value) counts[byte]!++;
    }
    const statistic = chiSquareUniform(counts);
    assert.ok(statistic < chiSquareCritical(255), `chi-square ${statistic}: not uniform`);
  });

  it('lets no guardian open another guardian’s share', async () => {
    const { guardians, backup, request } = await setUp();
    const [a, b] = guardians as [Identity, Identity];
    // Through the API: b's key is not the key a's share is sealed to.
    await assert.rejects(
      resealGuardianShare(backup, a.address, b.encryption.secretKey, request),
      InvalidInputError,
    );
    // Even relabelled to b's key, a's sealed share does not open with it.
    const relabelled: KeyBackup = {
      ...backup,
      guardians: backup.guardians.map((g) =>
        g.guardian === a.address.toLowerCase() ? { ...g, publicKey: b.encryption.publicKey } : g,
      ),
    };
    await assert.rejects(openGuardianShare(relabelled, a.address, b.encryption.secretKey), IntegrityError);
    // And someone who is no guardian holds no share at all.
    const stranger = generateIdentity();
    await assert.rejects(
      resealGuardianShare(backup, stranger.address, stranger.encryption.secretKey, request),
      AccessDeniedError,
    );
  });

  it('rejects tampered shares, in the backup and on their way to the recovery key', async () => {
    const { guardians, backup, recovery, request, reseal, patient } = await setUp();
    const [a, b, c] = guardians as [Identity, Identity, Identity];
    const flip = (bytes: Uint8Array) => {
      const copy = bytes.slice();
      copy[copy.length - 1]! ^= 1;
      return copy;
    };
    // A sealed share changed in the stored backup does not open.
    const tampered: KeyBackup = {
      ...backup,
      guardians: backup.guardians.map((g, i) => (i === 0 ? { ...g, ct: flip(g.ct) } : g)),
    };
    await assert.rejects(reseal(a, tampered), IntegrityError);
    // A share moved to another index does not open either (the index is bound).
    const moved: KeyBackup = {
      ...backup,
      guardians: backup.guardians.map((g, i) => (i === 0 ? { ...g, share: (g.share % 255) + 1 } : g)),
    };
    await assert.rejects(reseal(a, moved), IntegrityError);

    const [shareA, shareB, shareC] = await Promise.all([reseal(a), reseal(b), reseal(c)]);
    const opensNot = (shares: RecoveryShare[], pattern: RegExp) =>
      assert.rejects(recoverIdentity(request, backup, shares, recovery.secretKey), (error: unknown) => {
        assert.ok(error instanceof IntegrityError, String(error));
        assert.match(error.shortMessage, pattern);
        return true;
      });
    await opensNot([{ ...shareA!, ct: flip(shareA!.ct) }, shareB!], /index \d+ does not open/);
    await opensNot([{ ...shareA!, share: shareC!.share }, shareB!], /does not open/);
    // A share sealed for another request is refused.
    const other = { ...request, requestId: bytesToHex(randomBytes(32)) };
    const forOther = await resealGuardianShare(backup, a.address, a.encryption.secretKey, other);
    await opensNot([forOther, shareB!], /does not open/);
    // A guardian that seals a wrong value (well formed) is caught by the check against the backup…
    const wrong: RecoveryShare = {
      share: shareA!.share,
      ...(await sealWrongValue(request, backup, shareA!.share, recovery.publicKey)),
    };
    await opensNot([wrong, shareB!], /do not rebuild the backed-up key/);
    // …and outvoted when more than k guardians answered.
    assert.deepEqual(
      await recoverIdentity(request, backup, [wrong, shareB!, shareC!], recovery.secretKey),
      patient,
    );
  });

  it('parses only the canonical form, with 2 ≤ k ≤ n ≤ 16 distinct guardians other than the patient', async () => {
    const { backup, bytes, backupHash, patient, guardians } = await setUp();
    assert.deepEqual(parseKeyBackup(bytes), backup);
    assert.deepEqual(serializeKeyBackup(backup), bytes);
    assert.equal(keyBackupHash(bytes), backupHash);
    const text = new TextDecoder().decode(bytes);
    assert.throws(() => parseKeyBackup(utf8ToBytes(` ${text}`)), InvalidInputError);
    assert.throws(() => parseKeyBackup(utf8ToBytes(text.replace('"v":1', '"v":2'))), InvalidInputError);
    const reordered = JSON.stringify({ ...JSON.parse(text), v: undefined, extra: 1 });
    assert.throws(() => parseKeyBackup(utf8ToBytes(reordered)), InvalidInputError);
    const withThreshold = (k: number) => utf8ToBytes(text.replace('"threshold":2', `"threshold":${k}`));
    assert.throws(() => parseKeyBackup(withThreshold(1)), /no guardian alone/);
    assert.throws(() => parseKeyBackup(withThreshold(4)), InvalidInputError);
    assert.notEqual(keyBackupHash(withThreshold(3)), backupHash, 'the hash covers every byte');

    const create = (threshold: number, list: { guardian: Address; publicKey: Hex }[]) =>
      createKeyBackup({ identity: patient, guardians: list, threshold });
    const [g0, g1] = guardiansOf(guardians) as [
      { guardian: Address; publicKey: Hex },
      { guardian: Address; publicKey: Hex },
    ];
    await assert.rejects(create(2, [g0]), /2 to 16 guardians/);
    await assert.rejects(create(2, [g0, g0]), /named twice/);
    await assert.rejects(
      create(2, [g0, { guardian: patient.address, publicKey: g1.publicKey }]),
      /its own guardian/,
    );
    await assert.rejects(create(1, [g0, g1]), /no guardian alone/);
    const many = Array.from({ length: 17 }, () => guardiansOf([generateIdentity()])[0]!);
    await assert.rejects(create(2, many), /2 to 16 guardians/);
  });

  it('checks a backup against the hash, id and key the patient committed on chain', async () => {
    const { backup, bytes, backupHash } = await setUp();
    const committed = { backupId: backup.backupId, backupHash, signer: backup.signer };
    assert.deepEqual(checkKeyBackupCommitment(bytes, committed), backup);
    // A share swapped for another well-formed one keeps the form but not the hash.
    const swapped = serializeKeyBackup({
      ...backup,
      guardians: backup.guardians.map((g, i) => (i === 0 ? { ...g, ct: randomBytes(80) } : g)),
    });
    assert.throws(() => checkKeyBackupCommitment(swapped, committed), IntegrityError);
    assert.throws(
      () => checkKeyBackupCommitment(bytes, { ...committed, backupId: bytesToHex(randomBytes(32)) }),
      IntegrityError,
    );
    assert.throws(
      () => checkKeyBackupCommitment(bytes, { ...committed, signer: generateIdentity().address }),
      IntegrityError,
    );
  });

  it('refuses to reseal for a request about another patient or backup', async () => {
    const { guardians, backup, request } = await setUp();
    const g = guardians[0]!;
    for (const other of [
      { ...request, patient: generateIdentity().address },
      { ...request, backupId: bytesToHex(randomBytes(32)) },
    ]) {
      await assert.rejects(
        resealGuardianShare(backup, g.address, g.encryption.secretKey, other),
        InvalidInputError,
      );
    }
  });
});

describe('recovery request codes', () => {
  const request: RecoveryRequest = {
    requestId: `0x${'11'.repeat(32)}`,
    patient: '0x00000000000000000000000000000000000000AA',
    backupId: `0x${'22'.repeat(32)}`,
    recoveryKey: `0x${'33'.repeat(32)}`,
    createdAt: 1_760_000_000,
  };

  it('is 16 Crockford base32 characters in groups of four, a hash of the whole request', () => {
    const code = recoveryRequestCode(request);
    assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    assert.equal(
      recoveryRequestCode({ ...request, patient: request.patient.toLowerCase() as Address }),
      code,
    );
    for (const changed of [
      { recoveryKey: `0x${'34'.repeat(32)}` },
      { requestId: `0x${'12'.repeat(32)}` },
      { backupId: `0x${'23'.repeat(32)}` },
      { patient: '0x00000000000000000000000000000000000000ab' },
      { createdAt: 1_760_000_001 },
    ]) {
      assert.notEqual(recoveryRequestCode({ ...request, ...changed } as RecoveryRequest), code);
    }
    assert.throws(() => recoveryRequestCode({ ...request, recoveryKey: '0x12' }), InvalidInputError);
  });

  it('accepts the code as a person types it', () => {
    const code = recoveryRequestCode(request);
    assert.ok(sameRecoveryCode(code.toLowerCase().replace(/-/g, ' '), code));
    assert.ok(sameRecoveryCode(code.replace(/-/g, ''), code));
    assert.ok(
      !sameRecoveryCode(
        code.replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A')),
        code,
      ),
    );
  });
});

/** A share sealed exactly as a guardian would, but of a random value: well formed, wrong. */
async function sealWrongValue(request: RecoveryRequest, backup: KeyBackup, index: number, recoveryKey: Hex) {
  const aad = concatBytes(
    hexToBytes(request.requestId, 32),
    hexToBytes(backup.backupId, 32),
    hexToBytes(backup.patient, 20),
    Uint8Array.of(backup.threshold, index),
  );
  const sealed = await sealToPublicKey(recoveryKey, randomBytes(64), { info: keyRecoveryShareInfo, aad });
  return { enc: sealed.enc, ct: sealed.ciphertext };
}
