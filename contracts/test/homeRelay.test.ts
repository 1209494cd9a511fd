/** Consents.setHomeRelayOnly: a patient's grants relayed only by its home gateway (so its second factor holds). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  grant,
  newAccount,
  randomNonce,
  registerPatient,
  revoke,
  setGateway,
  setHomeRelayOnly,
} from './helpers/actions.ts';
import { type Consortium, setUpConsortium } from './helpers/fixtures.ts';
import {
  assertEvents,
  assertRevert,
  deployLedger,
  isolateEachTest,
  otherSenders,
  relayerAddress,
  type TestLedger,
} from './helpers/ledger.ts';

describe('Consents: home relay', () => {
  let ledger: TestLedger;
  let c: Consortium;
  const elsewhere = otherSenders[0]!;
  before(async () => {
    ledger = await deployLedger();
    c = await setUpConsortium(ledger);
  });
  after(() => ledger.stop());
  isolateEachTest(() => ledger);

  const grantToDoctor = (from?: `0x${string}`) =>
    grant(ledger, c.patient, { grantee: c.doctor.address }, from ? { from } : {});

  it('needs a home gateway that relays from a published address', async () => {
    await assertRevert(setHomeRelayOnly(ledger, c.patient, true), 'ConsentsNoHomeGateway', [
      c.patient.address,
    ]);
    await assertRevert(setHomeRelayOnly(ledger, c.otherPatient, true), 'ConsentsNoHomeGateway', [
      c.otherPatient.address,
    ]);
    await assertRevert(setHomeRelayOnly(ledger, c.stranger, true), 'ConsentsUnknownPatient', [
      c.stranger.address,
    ]);
    assert.equal(await ledger.read('consents', 'homeRelayOnly', [c.patient.address]), false);
  });

  it('once enabled, lets only the home gateway relay grants and lift the rule; revocations go anywhere', async () => {
    await setGateway(ledger, c.hospitalAdmin, c.hospital, { relayer: relayerAddress });
    // Any gateway may relay the rule itself: it only restricts.
    const enabled = await setHomeRelayOnly(ledger, c.patient, true, {}, { from: elsewhere });
    assertEvents(enabled, [
      { eventName: 'HomeRelaySet', args: { patient: c.patient.address, enabled: true } },
    ]);
    assert.equal(await ledger.read('consents', 'homeRelayOnly', [c.patient.address]), true);

    await assertRevert(grantToDoctor(elsewhere), 'ConsentsNotAuthorisedRelayer', [
      c.patient.address,
      elsewhere,
    ]);
    const { grantId } = await grantToDoctor();
    await revoke(ledger, c.patient, grantId, {}, { from: elsewhere });

    await assertRevert(
      setHomeRelayOnly(ledger, c.patient, false, {}, { from: elsewhere }),
      'ConsentsNotAuthorisedRelayer',
      [c.patient.address, elsewhere],
    );
    await setHomeRelayOnly(ledger, c.patient, false);
    assert.equal(await ledger.read('consents', 'homeRelayOnly', [c.patient.address]), false);
    await grantToDoctor(elsewhere);
  });

  it('follows the home gateway to its new relayer', async () => {
    await setGateway(ledger, c.hospitalAdmin, c.hospital, { relayer: relayerAddress });
    await setHomeRelayOnly(ledger, c.patient, true);
    await setGateway(ledger, c.hospitalAdmin, c.hospital, { relayer: elsewhere });
    await assertRevert(grantToDoctor(), 'ConsentsNotAuthorisedRelayer', [c.patient.address, relayerAddress]);
    await grantToDoctor(elsewhere);
  });

  it('leaves other patients alone and rejects replayed and forged signatures', async () => {
    await setGateway(ledger, c.hospitalAdmin, c.hospital, { relayer: relayerAddress });
    const neighbour = newAccount();
    await registerPatient(ledger, neighbour, { organisationId: c.hospital });
    const nonce = randomNonce();
    await setHomeRelayOnly(ledger, c.patient, true, {}, { nonce });
    await grant(ledger, neighbour, { grantee: c.doctor.address }, { from: elsewhere });
    await assertRevert(setHomeRelayOnly(ledger, c.patient, true, {}, { nonce }), 'SignedActionNonceUsed', [
      c.patient.address,
      nonce,
    ]);
    await assertRevert(
      setHomeRelayOnly(ledger, c.stranger, false, { patient: c.patient.address }),
      'SignedActionInvalidSignature',
      [c.patient.address],
    );
  });
});
