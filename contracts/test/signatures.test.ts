import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { consortiumAbi, consortiumBytecode, recordsAbi, recordsBytecode } from '@medledger/contracts';
import { consentsTypes, ledgerDomain } from '@medledger/core';
import { type Abi, type Address, type Hex, recoverTypedDataAddress } from 'viem';
import { compileSolidity } from '../scripts/compile.ts';
import {
  anchorRecords,
  farDeadline,
  grant,
  highS,
  newAccount,
  newRecord,
  proposeOrganisation,
  randomBytes32,
  registerPatient,
  revoke,
  signedRecord,
} from './helpers/actions.ts';
import { type Consortium, setUpConsortium } from './helpers/fixtures.ts';
import { assertRevert, deployLedger, isolateEachTest, type TestLedger } from './helpers/ledger.ts';

describe('signed actions', () => {
  let ledger: TestLedger;
  let c: Consortium;
  before(async () => {
    ledger = await deployLedger();
    c = await setUpConsortium(ledger);
  });
  after(() => ledger.stop());
  isolateEachTest(() => ledger);

  const invalidSignature = (signer: Address) => ['SignedActionInvalidSignature', [signer]] as const;

  it('uses each nonce once per signer, in any order', async () => {
    const patient = newAccount();
    assert.equal(await ledger.read('consortium', 'nonceUsed', [patient.address, 7n]), false);
    await registerPatient(ledger, patient, {}, { nonce: 7n });
    assert.equal(await ledger.read('consortium', 'nonceUsed', [patient.address, 7n]), true);

    // Replaying the very same signed grant creates no second grant.
    const signed = { nonce: 3n };
    await grant(ledger, patient, { grantee: c.doctor.address }, signed);
    await assertRevert(
      grant(ledger, patient, { grantee: c.doctor.address }, signed),
      'SignedActionNonceUsed',
      [patient.address, 3n],
    );
    assert.equal(await ledger.read('consents', 'grantCount'), 1n);

    // A revocation uses no nonce (it cannot take effect twice): replaying it fails as already revoked.
    const revocation = { nonce: 3n };
    await revoke(ledger, patient, 1n, {}, revocation);
    assert.equal(await ledger.read('consents', 'nonceUsed', [patient.address, 3n]), true);
    await assertRevert(revoke(ledger, patient, 1n, {}, revocation), 'ConsentsAlreadyRevoked', [1n]);

    // Lower nonces remain usable, other signers and other contracts have nonces of their own.
    await grant(ledger, patient, { grantee: c.doctor.address }, { nonce: 1n });
    await grant(ledger, c.patient, { grantee: c.doctor.address }, signed);
    assert.equal(await ledger.read('consents', 'nonceUsed', [patient.address, 7n]), false);
  });

  it('rejects actions relayed after their deadline', async () => {
    const deadline = (await ledger.now()) - 1n;
    await assertRevert(registerPatient(ledger, newAccount(), {}, { deadline }), 'SignedActionExpired', [
      deadline,
    ]);
    await assertRevert(
      grant(ledger, c.patient, { grantee: c.doctor.address }, { deadline }),
      'SignedActionExpired',
      [deadline],
    );
    // Signed with a minute to go, relayed two minutes later.
    const soon = (await ledger.now()) + 60n;
    await ledger.increaseTime(120);
    await assertRevert(registerPatient(ledger, newAccount(), {}, { deadline: soon }), 'SignedActionExpired', [
      soon,
    ]);
  });

  it('rejects signatures by anyone but the named signer', async () => {
    await assertRevert(
      grant(ledger, c.stranger, { patient: c.patient.address, grantee: c.stranger.address }),
      ...invalidSignature(c.patient.address),
    );
    await assertRevert(
      revoke(ledger, c.doctor, 1n, { patient: c.patient.address }),
      ...invalidSignature(c.patient.address),
    );
    const named = newAccount().address;
    await assertRevert(registerPatient(ledger, c.stranger, { patient: named }), ...invalidSignature(named));
    await assertRevert(
      proposeOrganisation(ledger, c.stranger, { admin: '0x0000000000000000000000000000000000000000' }),
      ...invalidSignature('0x0000000000000000000000000000000000000000'),
    );
  });

  it('rejects signatures made for another chain', async () => {
    await assertRevert(
      registerPatient(ledger, c.stranger, {}, { chainId: 1 }),
      ...invalidSignature(c.stranger.address),
    );
    const record = newRecord({ patient: c.patient.address, author: c.patient.address });
    await assertRevert(
      anchorRecords(ledger, [await signedRecord(ledger, c.patient, record, 0n, { chainId: 1 })]),
      'RecordsInvalidSignature',
      [record.recordId, c.patient.address],
    );
  });

  it('rejects signatures made for another deployment of the contract', async () => {
    const otherConsortium = await ledger.deploy(consortiumAbi as Abi, consortiumBytecode, []);
    const admin = newAccount();
    await assertRevert(
      proposeOrganisation(ledger, admin, {}, { verifyingContract: otherConsortium }),
      ...invalidSignature(admin.address),
    );
    // The same kind of signature is valid where it was meant to go.
    const founded = await proposeOrganisation(ledger, admin, {}, { address: otherConsortium });
    assert.equal(founded.organisationId, 1);

    const otherRecords = await ledger.deploy(recordsAbi as Abi, recordsBytecode, [
      ledger.addresses.consortium,
      ledger.addresses.consents,
    ]);
    const record = newRecord({ patient: c.patient.address, author: c.patient.address });
    const signed = await signedRecord(ledger, c.patient, record, 0n, { verifyingContract: otherRecords });
    await assertRevert(anchorRecords(ledger, [signed]), 'RecordsInvalidSignature', [
      record.recordId,
      c.patient.address,
    ]);
    await anchorRecords(ledger, [signed], { address: otherRecords });
  });

  it('rejects the high-s twin of a valid signature', async () => {
    const nonce = 11n;
    const message = {
      patient: c.patient.address,
      grantee: c.doctor.address,
      granteeOrganisation: 0,
      categories: 1,
      maxSensitivity: 0,
      actions: 1,
      purpose: randomBytes32(),
      expiresAt: farDeadline,
      requestId: 0n,
    };
    // The twin is a genuine ECDSA signature of the same digest by the same key...
    const domain = ledgerDomain('consents', ledger.chainId, ledger.addresses.consents);
    const signature = await ledger.sign(c.patient, 'consents', 'Grant', {
      ...message,
      nonce,
      deadline: farDeadline,
    });
    const twin = highS(signature);
    assert.notEqual(twin, signature);
    const recovered = await recoverTypedDataAddress({
      domain,
      types: consentsTypes,
      primaryType: 'Grant',
      message: { ...message, nonce, deadline: farDeadline },
      signature: twin,
    });
    assert.equal(recovered, c.patient.address);
    // ...which the contracts refuse, so a signature cannot be replayed in another form.
    await assertRevert(
      grant(ledger, c.patient, message, { nonce, transformSignature: highS }),
      ...invalidSignature(c.patient.address),
    );
    await grant(ledger, c.patient, message, { nonce });

    const record = newRecord({ patient: c.patient.address, author: c.patient.address });
    await assertRevert(
      anchorRecords(ledger, [
        await signedRecord(ledger, c.patient, record, 0n, { transformSignature: highS }),
      ]),
      'RecordsInvalidSignature',
      [record.recordId, c.patient.address],
    );
  });

  it('rejects malformed signatures', async () => {
    const truncate = (signature: Hex): Hex => signature.slice(0, 130) as Hex;
    const zeroed = (): Hex => `0x${'00'.repeat(65)}`;
    for (const transformSignature of [truncate, zeroed, (): Hex => '0x']) {
      await assertRevert(
        registerPatient(ledger, c.stranger, {}, { transformSignature }),
        ...invalidSignature(c.stranger.address),
      );
    }
  });

  it('accepts ERC-1271 signatures of smart-contract wallets', async () => {
    const source = readFileSync(new URL('./mocks/ERC1271WalletMock.sol', import.meta.url), 'utf8');
    const {
      contracts: [mock],
    } = compileSolidity({ 'ERC1271WalletMock.sol': source });
    assert.ok(mock);
    const owner = newAccount();
    const wallet = await ledger.deploy(mock.abi as Abi, mock.bytecode as Hex, [owner.address]);

    await registerPatient(ledger, owner, { patient: wallet });
    const { grantId } = await grant(ledger, owner, { patient: wallet, grantee: c.doctor.address });
    await assertRevert(revoke(ledger, c.stranger, grantId, { patient: wallet }), ...invalidSignature(wallet));
    await revoke(ledger, owner, grantId, { patient: wallet });

    const record = newRecord({ patient: wallet, author: wallet });
    const [event] = (await anchorRecords(ledger, [await signedRecord(ledger, owner, record)])).events;
    assert.equal(event?.args.author, wallet);
    const forged = newRecord({ patient: wallet, author: wallet });
    await assertRevert(
      anchorRecords(ledger, [await signedRecord(ledger, c.stranger, forged)]),
      'RecordsInvalidSignature',
      [forged.recordId, wallet],
    );
  });
});
