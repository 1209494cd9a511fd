import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Address, Hex } from 'viem';
import {
  action,
  addMember,
  anchorRecords,
  authorisingGrant,
  grant,
  newAccount,
  newRecord,
  randomBytes32,
  revoke,
  role,
  rotatePatientKey,
  signedRecord,
} from './helpers/actions.ts';
import { addDelegate, delegateKind, removeDelegate } from './helpers/delegateActions.ts';
import { type Consortium, setUpConsortium } from './helpers/fixtures.ts';
import {
  assertEvents,
  assertRevert,
  deployLedger,
  isolateEachTest,
  type TestLedger,
} from './helpers/ledger.ts';

const condition = 0;
const medication = 1;
const lab = 3;

describe('Delegates', () => {
  let ledger: TestLedger;
  let c: Consortium;
  before(async () => {
    ledger = await deployLedger();
    c = await setUpConsortium(ledger);
  });
  after(() => ledger.stop());
  isolateEachTest(() => ledger);

  const delegateOf = (patient: Address, delegate: Address) =>
    ledger.read<readonly [number, number, boolean]>('delegates', 'delegateOf', [patient, delegate]);
  const canRead = async (actor: Address, patient: Address, category: number) =>
    (await authorisingGrant(ledger, actor, patient, category, 0, action.read)) !== 0n;

  describe('addDelegate and removeDelegate', () => {
    it('registers a delegate with its kind, limit and key, and removes it', async () => {
      const delegate = newAccount().address;
      const encryptionKey = randomBytes32();
      const added = await addDelegate(ledger, c.patient, {
        delegate,
        kind: delegateKind.caregiver,
        categoryLimit: 0b1011,
        encryptionKey,
      });
      assertEvents(added, [
        {
          eventName: 'DelegateAdded',
          args: {
            patient: c.patient.address,
            delegate,
            kind: delegateKind.caregiver,
            categoryLimit: 0b1011,
            encryptionKey,
          },
        },
      ]);
      assert.deepEqual(await delegateOf(c.patient.address, delegate), [delegateKind.caregiver, 0b1011, true]);
      assert.equal(
        await ledger.read('delegates', 'encryptionKeyOf', [c.patient.address, delegate]),
        encryptionKey,
      );
      assert.deepEqual(
        await ledger.read('delegates', 'delegateScope', [c.patient.address, delegate]),
        [0b1011, 1],
      );

      const removed = await removeDelegate(ledger, c.patient, delegate);
      assertEvents(removed, [
        { eventName: 'DelegateRemoved', args: { patient: c.patient.address, delegate } },
      ]);
      assert.deepEqual(await delegateOf(c.patient.address, delegate), [
        delegateKind.caregiver,
        0b1011,
        false,
      ]);
      assert.deepEqual(
        await ledger.read('delegates', 'delegateScope', [c.patient.address, delegate]),
        [0, 0],
      );
      await assertRevert(removeDelegate(ledger, c.patient, delegate), 'DelegatesUnknownDelegate', [
        c.patient.address,
        delegate,
      ]);
    });

    it('lets one person be the delegate of several patients, each with its own kind, limit and key', async () => {
      const delegate = newAccount().address;
      await addDelegate(ledger, c.patient, { delegate, kind: delegateKind.family, categoryLimit: 0b1 });
      await addDelegate(ledger, c.otherPatient, {
        delegate,
        kind: delegateKind.researcher,
        categoryLimit: 0b1000,
      });
      assert.deepEqual(await delegateOf(c.patient.address, delegate), [delegateKind.family, 0b1, true]);
      assert.deepEqual(await delegateOf(c.otherPatient.address, delegate), [
        delegateKind.researcher,
        0b1000,
        true,
      ]);
      await removeDelegate(ledger, c.patient, delegate);
      assert.deepEqual(await delegateOf(c.otherPatient.address, delegate), [
        delegateKind.researcher,
        0b1000,
        true,
      ]);
    });

    it('accepts the signature of a patient that rotated its key, and refuses the old key', async () => {
      const newKey = newAccount();
      await rotatePatientKey(ledger, c.patient, newKey, { patient: c.patient.address });
      const delegate = newAccount().address;
      await assertRevert(addDelegate(ledger, c.patient, { delegate }), 'SignedActionInvalidSignature', [
        newKey.address,
      ]);
      await addDelegate(ledger, newKey, { patient: c.patient.address, delegate });
      assert.equal((await delegateOf(c.patient.address, delegate))[2], true);
      await removeDelegate(ledger, newKey, delegate, { patient: c.patient.address });
      assert.equal((await delegateOf(c.patient.address, delegate))[2], false);
    });

    it('refuses invalid registrations with the offending value', async () => {
      const delegate = newAccount().address;
      await assertRevert(addDelegate(ledger, c.stranger, { delegate }), 'DelegatesUnknownPatient', [
        c.stranger.address,
      ]);
      await assertRevert(
        addDelegate(ledger, c.patient, { delegate: '0x0000000000000000000000000000000000000000' }),
        'DelegatesZeroAddress',
      );
      for (const kind of [0, 4]) {
        await assertRevert(addDelegate(ledger, c.patient, { delegate, kind }), 'DelegatesInvalidKind', [
          kind,
        ]);
      }
      for (const categoryLimit of [0, 0x10000]) {
        await assertRevert(
          addDelegate(ledger, c.patient, { delegate, categoryLimit }),
          'DelegatesInvalidCategoryLimit',
          [categoryLimit],
        );
      }
      await assertRevert(
        addDelegate(ledger, c.patient, { delegate, encryptionKey: `0x${'0'.repeat(64)}` as Hex }),
        'DelegatesZeroEncryptionKey',
      );
      for (const taken of [c.doctor.address, c.patient.address, c.otherPatient.address]) {
        await assertRevert(addDelegate(ledger, c.patient, { delegate: taken }), 'DelegatesAccountTaken', [
          taken,
        ]);
      }
      await assertRevert(
        addDelegate(ledger, c.otherPatient, { patient: c.patient.address, delegate }),
        'SignedActionInvalidSignature',
        [c.patient.address],
      );
      await assertRevert(removeDelegate(ledger, c.patient, delegate), 'DelegatesUnknownDelegate', [
        c.patient.address,
        delegate,
      ]);
    });
  });

  describe('grants to delegates (Consents)', () => {
    it('lets an active delegate read within its grant and its limit, and nothing else', async () => {
      const delegate = newAccount().address;
      await addDelegate(ledger, c.patient, { delegate, kind: delegateKind.family, categoryLimit: 0b11 });
      const { grantId } = await grant(ledger, c.patient, { grantee: delegate, categories: 1 << medication });
      assert.equal(
        await authorisingGrant(ledger, delegate, c.patient.address, medication, 0, action.read),
        grantId,
      );
      assert.equal(await canRead(delegate, c.patient.address, condition), false);
      assert.equal(await canRead(delegate, c.otherPatient.address, medication), false);
      assert.equal(
        await ledger.read('consents', 'checkGrant', [
          grantId,
          delegate,
          c.patient.address,
          medication,
          1,
          action.read,
        ]),
        false,
        'a normal-sensitivity grant does not cover restricted records',
      );
      assert.deepEqual(
        await ledger.read('consents', 'grantScope', [grantId, delegate, c.patient.address, action.read]),
        [0, 1 << medication, 0],
      );
    });

    it('refuses a grant beyond the delegate limit, beyond reading, or to a stranger, saying why', async () => {
      const researcher = newAccount().address;
      await addDelegate(ledger, c.patient, {
        delegate: researcher,
        kind: delegateKind.researcher,
        categoryLimit: 1 << lab,
      });
      await assertRevert(
        grant(ledger, c.patient, { grantee: researcher, categories: (1 << lab) | (1 << condition) }),
        'ConsentsBeyondDelegateLimit',
        [researcher, (1 << lab) | (1 << condition), 1 << lab],
      );
      await assertRevert(
        grant(ledger, c.patient, {
          grantee: researcher,
          categories: 1 << lab,
          actions: action.read | action.append,
        }),
        'ConsentsDelegateReadOnly',
        [researcher, action.read | action.append],
      );
      // A delegate of one patient is a stranger to another.
      await assertRevert(
        grant(ledger, c.otherPatient, { grantee: researcher, categories: 1 << lab }),
        'ConsentsGranteeNotMemberOrDelegate',
        [researcher],
      );
      await assertRevert(
        grant(ledger, c.patient, { grantee: c.stranger.address }),
        'ConsentsGranteeNotMemberOrDelegate',
        [c.stranger.address],
      );
    });

    it('stops a delegate grant once the delegate is removed, even after it is registered again', async () => {
      const delegate = newAccount().address;
      await addDelegate(ledger, c.patient, { delegate });
      await grant(ledger, c.patient, { grantee: delegate, categories: 1 << lab });
      assert.equal(await canRead(delegate, c.patient.address, lab), true);
      await removeDelegate(ledger, c.patient, delegate);
      assert.equal(await canRead(delegate, c.patient.address, lab), false);
      await addDelegate(ledger, c.patient, { delegate });
      assert.equal(
        await canRead(delegate, c.patient.address, lab),
        false,
        'a new registration starts afresh',
      );
      await grant(ledger, c.patient, { grantee: delegate, categories: 1 << lab });
      assert.equal(await canRead(delegate, c.patient.address, lab), true);
    });

    it('narrows a delegate grant to the current limit; revocation and expiry end it', async () => {
      const delegate = newAccount().address;
      await addDelegate(ledger, c.patient, { delegate, categoryLimit: 0b1111 });
      const { grantId } = await grant(ledger, c.patient, { grantee: delegate, categories: 0b1001 });
      await addDelegate(ledger, c.patient, { delegate, categoryLimit: 0b0001 });
      assert.equal(await canRead(delegate, c.patient.address, condition), true, 'an update keeps the grants');
      assert.equal(await canRead(delegate, c.patient.address, lab), false, 'the new limit narrows them');
      await revoke(ledger, c.patient, grantId);
      assert.equal(await canRead(delegate, c.patient.address, condition), false);

      const expiresAt = (await ledger.now()) + 100n;
      await grant(ledger, c.patient, { grantee: delegate, categories: 0b1, expiresAt });
      assert.equal(await canRead(delegate, c.patient.address, condition), true);
      await ledger.increaseTime(101);
      assert.equal(await canRead(delegate, c.patient.address, condition), false);
    });

    it('does not let a delegate append a record, nor use organisation grants', async () => {
      const delegateAccount = newAccount();
      const delegate = delegateAccount.address;
      await addDelegate(ledger, c.patient, { delegate });
      const { grantId } = await grant(ledger, c.patient, { grantee: delegate, categories: 1 << lab });
      const record = await signedRecord(
        ledger,
        delegateAccount,
        newRecord({ patient: c.patient.address, author: delegate, category: lab }),
        grantId,
      );
      await assertRevert(anchorRecords(ledger, [record]), 'RecordsNotAuthorised', [
        record.record.recordId,
        delegate,
      ]);
      await grant(ledger, c.patient, { granteeOrganisation: c.hospital, categories: 1 << condition });
      assert.equal(await canRead(delegate, c.patient.address, condition), false);
    });

    it('keeps member grants as they were: a delegate address that becomes a member is granted as a member', async () => {
      const account = newAccount();
      await addDelegate(ledger, c.patient, { delegate: account.address, categoryLimit: 0b1 });
      await addMember(ledger, c.hospitalAdmin, {
        organisationId: c.hospital,
        member: account.address,
        role: role.nurse,
      });
      const { grantId } = await grant(ledger, c.patient, { grantee: account.address, categories: 0b1000 });
      assert.ok(grantId > 0n);
      assert.equal(await canRead(account.address, c.patient.address, lab), true);
    });
  });
});
