import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addMember,
  newAccount,
  proposeOrganisation,
  role,
  setGateway,
  suspendMember,
  zeroAddress,
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

describe('Consortium gateways', () => {
  let ledger: TestLedger;
  let c: Consortium;
  before(async () => {
    ledger = await deployLedger();
    c = await setUpConsortium(ledger);
  });
  after(() => ledger.stop());
  isolateEachTest(() => ledger);

  const gatewayOf = (organisationId: number) =>
    ledger.read<readonly [string, string]>('consortium', 'gatewayOf', [organisationId]);

  it('starts with the proposed URL and no relayer', async () => {
    const admin = newAccount();
    const { organisationId } = await proposeOrganisation(ledger, admin, {
      gatewayUrl: 'https://new.example',
    });
    assert.deepEqual(await gatewayOf(organisationId), ['https://new.example', zeroAddress]);
    assert.deepEqual(await gatewayOf(c.hospital), ['https://gateway.example', zeroAddress]);
    assert.equal(await ledger.read('consortium', 'gatewayRelayerOf', [c.hospital]), zeroAddress);
    assert.deepEqual(await gatewayOf(99), ['', zeroAddress]);
  });

  it('sets the gateway URL and relayer, signed by an active admin of the organisation', async () => {
    const result = await setGateway(ledger, c.hospitalAdmin, c.hospital, {
      gatewayUrl: 'https://stmary.example:8443',
      relayer: relayerAddress,
    });
    assertEvents(result, [
      {
        eventName: 'GatewaySet',
        args: {
          organisationId: c.hospital,
          gatewayUrl: 'https://stmary.example:8443',
          relayer: relayerAddress,
        },
      },
    ]);
    assert.deepEqual(await gatewayOf(c.hospital), ['https://stmary.example:8443', relayerAddress]);
    assert.equal(await ledger.read('consortium', 'gatewayRelayerOf', [c.hospital]), relayerAddress);
    const organisation = await ledger.read<{ gatewayUrl: string }>('consortium', 'organisation', [
      c.hospital,
    ]);
    assert.equal(organisation.gatewayUrl, 'https://stmary.example:8443');
    // The other organisation is untouched.
    assert.deepEqual(await gatewayOf(c.lab), ['https://gateway.example', zeroAddress]);

    // Any admin of the organisation can move it, share a relayer with another organisation, or clear it.
    const secondAdmin = newAccount();
    await addMember(ledger, c.hospitalAdmin, {
      organisationId: c.hospital,
      member: secondAdmin.address,
      role: role.admin,
    });
    await setGateway(ledger, secondAdmin, c.hospital, { relayer: otherSenders[0] });
    await setGateway(ledger, c.labAdmin, c.lab, {
      gatewayUrl: 'https://lab.example',
      relayer: otherSenders[0],
    });
    assert.deepEqual(await gatewayOf(c.hospital), ['https://gateway.example', otherSenders[0]]);
    assert.deepEqual(await gatewayOf(c.lab), ['https://lab.example', otherSenders[0]]);
    assertEvents(
      await setGateway(ledger, c.hospitalAdmin, c.hospital, { gatewayUrl: '', relayer: zeroAddress }),
      [
        {
          eventName: 'GatewaySet',
          args: { organisationId: c.hospital, gatewayUrl: '', relayer: zeroAddress },
        },
      ],
    );
    assert.deepEqual(await gatewayOf(c.hospital), ['', zeroAddress]);
  });

  it('rejects gateways set by anyone but an active admin of an active organisation', async () => {
    await assertRevert(setGateway(ledger, c.doctor, c.hospital), 'ConsortiumNotActiveAdmin', [
      c.doctor.address,
      c.hospital,
    ]);
    await assertRevert(setGateway(ledger, c.labAdmin, c.hospital), 'ConsortiumNotActiveAdmin', [
      c.labAdmin.address,
      c.hospital,
    ]);
    await assertRevert(setGateway(ledger, c.stranger, c.hospital), 'ConsortiumNotActiveAdmin', [
      c.stranger.address,
      c.hospital,
    ]);
    await assertRevert(setGateway(ledger, c.patient, c.hospital), 'ConsortiumNotActiveAdmin', [
      c.patient.address,
      c.hospital,
    ]);
    await assertRevert(setGateway(ledger, c.hospitalAdmin, 0), 'ConsortiumNotActiveAdmin', [
      c.hospitalAdmin.address,
      0,
    ]);
    await assertRevert(setGateway(ledger, c.hospitalAdmin, 99), 'ConsortiumNotActiveAdmin', [
      c.hospitalAdmin.address,
      99,
    ]);

    const pendingAdmin = newAccount();
    const { organisationId: pending } = await proposeOrganisation(ledger, pendingAdmin);
    await assertRevert(setGateway(ledger, pendingAdmin, pending), 'ConsortiumNotActiveAdmin', [
      pendingAdmin.address,
      pending,
    ]);

    const secondAdmin = newAccount();
    await addMember(ledger, c.hospitalAdmin, {
      organisationId: c.hospital,
      member: secondAdmin.address,
      role: role.admin,
    });
    await suspendMember(ledger, secondAdmin, c.hospitalAdmin.address);
    await assertRevert(setGateway(ledger, c.hospitalAdmin, c.hospital), 'ConsortiumNotActiveAdmin', [
      c.hospitalAdmin.address,
      c.hospital,
    ]);
    assert.deepEqual(await gatewayOf(c.hospital), ['https://gateway.example', zeroAddress]);
  });

  it('rejects replayed, forged, expired and misdirected signatures', async () => {
    await setGateway(ledger, c.hospitalAdmin, c.hospital, {}, { nonce: 5n });
    await assertRevert(
      setGateway(ledger, c.hospitalAdmin, c.hospital, {}, { nonce: 5n }),
      'SignedActionNonceUsed',
      [c.hospitalAdmin.address, 5n],
    );
    // A stranger cannot set a gateway in an admin's name, nor point it at itself.
    await assertRevert(
      setGateway(ledger, c.stranger, c.hospital, {
        admin: c.hospitalAdmin.address,
        relayer: otherSenders[1],
      }),
      'SignedActionInvalidSignature',
      [c.hospitalAdmin.address],
    );
    const deadline = (await ledger.now()) - 1n;
    await assertRevert(
      setGateway(ledger, c.hospitalAdmin, c.hospital, {}, { deadline }),
      'SignedActionExpired',
      [deadline],
    );
    await assertRevert(
      setGateway(ledger, c.hospitalAdmin, c.hospital, {}, { chainId: 1 }),
      'SignedActionInvalidSignature',
      [c.hospitalAdmin.address],
    );
    assert.deepEqual(await gatewayOf(c.hospital), ['https://gateway.example', relayerAddress]);
  });
});
