/**
 * Cross-user matrix: every route of the OpenAPI document × every role, called with patient A's ids,
 * against a gateway in its own process. A role the ledger's rules do not entitle gets a 4xx, an
 * entitled one a 2xx, and no answer to anyone contains one of A's private texts (access-request
 * reason, emergency justification, health content) unless the table below says that role may read
 * it. The table is the reviewable statement of who may do what.
 *
 * Record ids, CIDs, the patient's address and the envelopes' ciphertext are public by design (the
 * chain's RecordAnchored events, `GET /api/ledger/records`, `GET /api/blobs/{cid}`), so they are
 * not canaries; what protects a record is the sealed data key, which only `POST
 * /api/records/{id}/access` releases, and that route's rows say who gets a 2xx.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { approveKeyRecovery, type GatewayClient, keyRecoveryRequest } from '@medledger/client';
import {
  accountOf,
  actionMask,
  categoryMask,
  coSignaturesTypes,
  derivationKindCode,
  generateIdentity,
  ledgerDomain,
  recordActionsTypes,
} from '@medledger/core';
import type { Hex } from 'viem';
import { signAction, siweMessage } from '../test/helpers/actors.ts';
import { call } from '../test/helpers/http.ts';
import { buildRecord } from '../test/helpers/records.ts';
import { type GatewayProcess, startGatewayProcess } from './helpers/gatewayProcess.ts';
import { type ApiRoute, openApiRoutes } from './helpers/openApi.ts';
import { type Actor, buildWorld, fhirNote, type Role, roles, type World } from './helpers/world.ts';

type Access = 'allowed' | 'denied';
type Entitlement = Record<Role, Access>;

/** A delegate A registers (then removes) in the matrix: a key that is registered as nothing else. */
const delegateOfA = generateIdentity();

const everyone: Entitlement = Object.fromEntries(roles.map((role) => [role, 'allowed'])) as Entitlement;
/** Each signed-in caller, about itself (the answer holds the caller's own data only). */
const signedIn: Entitlement = { ...everyone, anonymous: 'denied' };
function only(...allowed: Role[]): Entitlement {
  return Object.fromEntries(
    roles.map((role) => [role, allowed.includes(role) ? 'allowed' : 'denied']),
  ) as Entitlement;
}

/** Who may read each private text of A's (in any answer). */
const readersOf = {
  requestReason: ['patientA', 'clinician1'],
  // The patient sees its emergencies, not the justification: the declaring member and the admins
  // of its organisation review it (operations/emergencies.ts, accessControl.emergencyStanding).
  justification: ['clinician1', 'admin1'],
  // Health content is encrypted by the client: it is in no answer, to anyone.
  health: [],
} as const satisfies Record<string, readonly Role[]>;

interface Row {
  /** `METHOD /openapi/{template}` */
  route: string;
  /** What of A's the call names, when the route has several rows. */
  what?: string;
  access: Entitlement;
  /**
   * Calls the route as `actor` (with the client library, or by hand where the client cannot send
   * what the row needs), with A's ids.
   */
  call: (actor: Actor, world: World) => Promise<unknown>;
  /** Allowed calls that change A's world run after every other call. */
  changesWorld?: boolean;
  /**
   * Leaks in a 2xx answer that no canary string shows (e.g. A's notifications by id); lines that
   * start with `missing` are what an entitled caller should have got and did not.
   */
  leaksIn?: (role: Role, answer: unknown, world: World) => string[];
}

/** A's notifications, in a list answered to someone else. */
function notificationsOfA(role: Role, answer: unknown, w: World): string[] {
  const ids = ((answer as { notifications?: { id: number }[] }).notifications ?? []).map((n) => n.id);
  if (role === 'patientA') {
    return w.a.notificationIds
      .filter((id) => !ids.includes(id))
      .map((id) => `missing: A’s notification ${id}`);
  }
  return ids.filter((id) => w.a.notificationIds.includes(id)).map((id) => `A’s notification ${id}`);
}

const get = (path: (w: World) => string) => (actor: Actor, w: World) =>
  call(w.url, 'GET', path(w), actor.token ? { token: actor.token } : {});
const post =
  (path: (w: World) => string, body: (actor: Actor, w: World) => unknown = () => ({})) =>
  async (actor: Actor, w: World) =>
    call(w.url, 'POST', path(w), {
      body: await body(actor, w),
      ...(actor.token ? { token: actor.token } : {}),
    });
/** With the actor's client; without a session (anonymous), the same route by hand with `body`. */
const asClient =
  (
    use: (client: GatewayClient, w: World) => Promise<unknown>,
    anonymous: { method: string; path: (w: World) => string; body?: unknown },
  ) =>
  (actor: Actor, w: World) =>
    actor.client
      ? use(actor.client, w)
      : call(
          w.url,
          anonymous.method,
          anonymous.path(w),
          anonymous.body === undefined ? {} : { body: anonymous.body },
        );

/** The entitlement table: route × role → allowed or denied, with the call that checks it. */
function matrix(): Row[] {
  return [
    // Public by design: the chain's facts, the sign-in challenge, ciphertext by content address.
    { route: 'GET /api/health', access: everyone, call: get(() => '/api/health') },
    { route: 'GET /api/ledger', access: everyone, call: get(() => '/api/ledger') },
    { route: 'POST /api/auth/challenge', access: everyone, call: post(() => '/api/auth/challenge') },
    { route: 'GET /api/ledger/records', access: everyone, call: get(() => '/api/ledger/records') },
    { route: 'GET /api/organisations', access: everyone, call: get(() => '/api/organisations') },
    {
      route: 'GET /api/organisations/{id}',
      access: everyone,
      call: get((w) => `/api/organisations/${w.organisation1}`),
    },
    {
      route: 'GET /api/co-signature-policies',
      access: everyone,
      call: get(() => '/api/co-signature-policies'),
    },
    {
      route: 'GET /api/co-signature-policies/proposals',
      access: everyone,
      call: get(() => '/api/co-signature-policies/proposals'),
    },
    { route: 'GET /api/emergency-window', access: everyone, call: get(() => '/api/emergency-window') },
    { route: 'GET /api/consortium/votes', access: everyone, call: get(() => '/api/consortium/votes') },
    {
      route: 'GET /api/blobs/{cid}',
      what: 'A’s restricted note’s envelope (ciphertext)',
      access: everyone,
      call: get((w) => `/api/blobs/${w.a.noteCid}`),
    },
    // Signing in as A takes A's key.
    {
      route: 'POST /api/auth/session',
      what: 'a sign-in message for A’s address, signed by the caller',
      access: only('patientA'),
      call: async (actor, w) => {
        const a = w.actors.patientA.identity as NonNullable<Actor['identity']>;
        const message = await siweMessage(w.url, a);
        const signer = actor.identity ?? generateIdentity();
        const signature = await accountOf(signer).signMessage({ message });
        return call(w.url, 'POST', '/api/auth/session', { body: { message, signature } });
      },
    },
    // The caller's own things: each sees its own, never A's.
    {
      route: 'DELETE /api/auth/session',
      what: 'a second session of the caller’s own (without one: a no-op, 204 by design)',
      access: everyone,
      call: async (actor, w) => {
        const token = actor.identity
          ? (
              (await call(w.url, 'POST', '/api/auth/session', { body: await signedSiwe(w, actor) })).body as {
                token: string;
              }
            ).token
          : undefined;
        return call(w.url, 'DELETE', '/api/auth/session', token ? { token } : {});
      },
    },
    { route: 'GET /api/me', access: signedIn, call: get(() => '/api/me') },
    { route: 'GET /api/consents', access: signedIn, call: get(() => '/api/consents') },
    { route: 'GET /api/access-requests', access: signedIn, call: get(() => '/api/access-requests') },
    { route: 'GET /api/emergencies', access: signedIn, call: get(() => '/api/emergencies') },
    {
      route: 'GET /api/orders',
      what: 'A’s orders (each caller gets those it may see only; who sees which order: orders.test.ts)',
      access: signedIn,
      call: get((w) => `/api/orders?view=patient&patient=${w.a.address}`),
    },
    {
      route: 'GET /api/notifications',
      what: 'after the one before A’s first (each caller gets its own only)',
      access: signedIn,
      call: get((w) => `/api/notifications?after=${Math.min(...w.a.notificationIds) - 1}`),
      leaksIn: notificationsOfA,
    },
    { route: 'GET /api/notifications/stream', access: signedIn, call: stream },
    // Appointments: free slots are availability, not health data (every signed-in caller); the
    // appointment lists are the caller's own (as patient, as practitioner), never A's.
    { route: 'GET /api/slots', access: signedIn, call: get(() => '/api/slots') },
    {
      route: 'GET /api/appointments',
      what: 'the caller’s own (as a patient)',
      access: signedIn,
      call: get(() => '/api/appointments?view=patient'),
    },
    { route: 'GET /api/otp', access: signedIn, call: get(() => '/api/otp') },
    {
      route: 'GET /api/staff-otp',
      what: 'the caller’s own sign-in code (members only)',
      access: only('clinician1', 'clinician2', 'admin1', 'admin2'),
      call: get(() => '/api/staff-otp'),
    },
    {
      route: 'GET /api/staff-otp/attestation',
      what: 'the caller’s own second-factor attestation (organisation 2 published no relayer: 409 for its members)',
      access: only('clinician1', 'admin1'),
      call: get(() => '/api/staff-otp/attestation'),
      leaksIn: (role, answer, w) => {
        const member = (answer as { message?: { member?: string } }).message?.member;
        return member === w.actors[role].client?.address ? [] : [`an attestation for ${member}`];
      },
    },
    { route: 'GET /api/audit', what: 'the caller’s own', access: signedIn, call: get(() => '/api/audit') },
    { route: 'GET /api/audit/proofs', access: signedIn, call: get(() => '/api/audit/proofs') },
    { route: 'GET /api/audit/batches', access: signedIn, call: get(() => '/api/audit/batches') },
    {
      route: 'GET /api/key-recovery/requests',
      what: 'requests the caller guards',
      access: signedIn,
      call: get(() => '/api/key-recovery/requests'),
    },
    // The directory of people: what A's address is, to anyone signed in: only "a patient", never a
    // name, an organisation or anything else of A's.
    {
      route: 'POST /api/directory/lookup',
      what: 'A’s address',
      access: signedIn,
      call: post(
        () => '/api/directory/lookup',
        (_actor, w) => ({ addresses: [w.a.address] }),
      ),
      leaksIn: (_role, answer, w) => {
        const entries = (answer as { entries?: unknown[] }).entries ?? [];
        const expected = { address: w.a.address.toLowerCase(), kind: 'patient', label: 'a patient' };
        return JSON.stringify(entries) === JSON.stringify([expected])
          ? []
          : [`more than "a patient" about A: ${JSON.stringify(entries)}`];
      },
    },
    // A's registration and public keys: writers need them to seal records to A.
    {
      route: 'GET /api/patients/{address}',
      access: signedIn,
      call: get((w) => `/api/patients/${w.a.address}`),
    },
    {
      route: 'GET /api/accounts/{address}/encryption-key',
      access: signedIn,
      call: get((w) => `/api/accounts/${w.a.address}/encryption-key`),
    },
    // A's chart.
    {
      route: 'GET /api/records',
      what: '?patient=A (to those with a consent or emergency on A)',
      access: only('patientA', 'clinician1'),
      call: get((w) => `/api/records?patient=${w.a.address}`),
    },
    {
      route: 'POST /api/records/{id}/access',
      what: 'A’s restricted note',
      access: only('patientA'),
      call: post((w) => `/api/records/${w.a.noteRecordId}/access`),
    },
    {
      route: 'POST /api/records/{id}/access',
      what: 'A’s lab result (granted to clinician 1)',
      access: only('patientA', 'clinician1'),
      call: post((w) => `/api/records/${w.a.labRecordId}/access`),
    },
    {
      route: 'POST /api/records/{id}/access',
      what: 'A’s condition (in clinician 1’s emergency set)',
      access: only('patientA', 'clinician1'),
      call: post((w) => `/api/records/${w.a.conditionRecordId}/access`),
    },
    {
      route: 'GET /api/records/{id}/stamp',
      what: 'A’s restricted note',
      access: only('patientA'),
      call: get((w) => `/api/records/${w.a.noteRecordId}/stamp`),
    },
    {
      route: 'GET /api/records/{id}/stamp',
      what: 'A’s lab result',
      access: only('patientA', 'clinician1'),
      call: get((w) => `/api/records/${w.a.labRecordId}/stamp`),
    },
    {
      route: 'POST /api/records',
      what: 'a note into A’s chart (nobody holds an append grant)',
      access: only('patientA'),
      call: asClient(
        (client, w) =>
          client.addRecord({ patient: w.a.address, category: 'note', resource: fhirNote('appended') }),
        { method: 'POST', path: () => '/api/records', body: {} },
      ),
    },
    {
      route: 'POST /api/records/{id}/derive',
      what: 'a duplicate of A’s restricted note (only A reads it; copy and move: recordDerivations.test.ts)',
      access: only('patientA'),
      changesWorld: true,
      // Built by hand: the client's deriveRecord reads the source first, so a refused reader never reaches the route.
      call: asClient(
        async (client, w) => {
          const record = await buildRecord({
            url: w.url,
            author: identityOf(w, roleOf(w, client.address)),
            patient: identityOf(w, 'patientA'),
            category: 'note',
            sensitivity: 'restricted',
            resource: fhirNote('a duplicate'),
          });
          const signed = await client.signAction('recordActions', recordActionsTypes, 'Derivation', {
            kind: derivationKindCode('duplicate'),
            sourceId: w.a.noteRecordId,
            newRecordId: record.leaf.recordId,
            by: client.address,
            toOrganisation: 0,
          });
          return client.call('POST', `/api/records/${w.a.noteRecordId}/derive`, {
            kind: 'duplicate',
            by: client.address,
            toOrganisation: 0,
            record,
            ...signed,
          });
        },
        { method: 'POST', path: (w) => `/api/records/${w.a.noteRecordId}/derive`, body: {} },
      ),
    },
    {
      route: 'POST /api/records/{id}/co-signatures',
      what: 'A’s restricted note, written by A: no one co-signs it (A is its author: 409)',
      access: only(),
      call: post(
        (w) => `/api/records/${w.a.noteRecordId}/co-signatures`,
        async (actor, w) => {
          const signer = actor.identity ?? generateIdentity();
          const info = (await call(w.url, 'GET', '/api/ledger')).body as {
            chainId: number;
            contracts: Record<'coSignatures', Hex>;
          };
          const signature = await accountOf(signer).signTypedData({
            domain: ledgerDomain('coSignatures', info.chainId, info.contracts.coSignatures),
            types: coSignaturesTypes,
            primaryType: 'CoSignature',
            message: { recordId: w.a.noteRecordId, contentDigest: w.a.noteDigest, signer: signer.address },
          });
          return { signer: signer.address, signature };
        },
      ),
    },
    // A's grants and requests.
    {
      route: 'POST /api/consents',
      what: 'a grant of A’s lab results to the caller, with patient A, signed by the caller',
      access: only('patientA'),
      call: post(
        () => '/api/consents',
        async (actor, w) => {
          const message = {
            patient: w.a.address,
            grantee: w.actors.clinician2.client?.address,
            granteeOrganisation: 0,
            categories: categoryMask(['lab']),
            maxSensitivity: 0,
            actions: actionMask(['read']),
            purpose: `0x${'00'.repeat(32)}`,
            expiresAt: BigInt(Math.floor(Date.now() / 1000) + 600),
            requestId: 0n,
          };
          const signed = await signAction(w.url, identityOf(w, 'patientA'), 'consents', 'Grant', message, {
            signer: actor.identity ?? generateIdentity(),
          });
          return { ...message, expiresAt: Number(message.expiresAt), requestId: '0', ...signed };
        },
      ),
      changesWorld: true,
    },
    {
      route: 'POST /api/consents/{id}/revocation',
      what: 'A’s grant to clinician 1, with patient A, signed by the caller',
      access: only('patientA'),
      call: post(
        (w) => `/api/consents/${w.a.grantId}/revocation`,
        async (actor, w) => ({
          patient: w.a.address,
          ...(await signAction(
            w.url,
            identityOf(w, 'patientA'),
            'consents',
            'Revoke',
            { patient: w.a.address, grantId: BigInt(w.a.grantId) },
            { signer: actor.identity ?? generateIdentity() },
          )),
        }),
      ),
      changesWorld: true,
    },
    {
      route: 'GET /api/access-requests/{id}',
      access: only('patientA', 'clinician1'),
      call: get((w) => `/api/access-requests/${w.a.requestId}`),
    },
    {
      route: 'POST /api/access-requests',
      what: 'a request to A (members may ask any patient)',
      access: only('clinician1', 'clinician2', 'admin1', 'admin2'),
      call: asClient(
        (client, w) => client.requestAccess({ patient: w.a.address, categories: ['note'], reason: 'matrix' }),
        { method: 'POST', path: () => '/api/access-requests', body: {} },
      ),
    },
    {
      route: 'POST /api/access-requests/{id}/denial',
      what: 'clinician 1’s request to A',
      access: only('patientA'),
      call: asClient((client, w) => client.denyAccessRequest(w.a.requestId), {
        method: 'POST',
        path: (w) => `/api/access-requests/${w.a.requestId}/denial`,
        body: {},
      }),
      changesWorld: true,
    },
    // A's delegates (family, caregivers, researchers): A's to register, remove and list (and a
    // delegate's own entries, delegates.test.ts).
    {
      route: 'GET /api/delegates',
      what: '?patient=A',
      access: only('patientA'),
      call: get((w) => `/api/delegates?patient=${w.a.address}`),
    },
    {
      route: 'POST /api/delegates',
      what: 'a delegate of A, with patient A, signed by the caller',
      access: only('patientA'),
      call: post(
        () => '/api/delegates',
        async (actor, w) => {
          const message = {
            patient: w.a.address,
            delegate: delegateOfA.address,
            kind: 1,
            categoryLimit: categoryMask(['lab']),
            encryptionKey: delegateOfA.encryption.publicKey,
          };
          const signed = await signAction(
            w.url,
            identityOf(w, 'patientA'),
            'delegates',
            'AddDelegate',
            message,
            {
              signer: actor.identity ?? generateIdentity(),
            },
          );
          return { ...message, ...signed };
        },
      ),
      changesWorld: true,
    },
    {
      route: 'DELETE /api/delegates/{address}',
      what: 'A’s delegate, with patient A, signed by the caller',
      access: only('patientA'),
      call: async (actor, w) => {
        const message = { patient: w.a.address, delegate: delegateOfA.address };
        const signed = await signAction(
          w.url,
          identityOf(w, 'patientA'),
          'delegates',
          'RemoveDelegate',
          message,
          {
            signer: actor.identity ?? generateIdentity(),
          },
        );
        return call(w.url, 'DELETE', `/api/delegates/${delegateOfA.address}`, {
          body: { patient: w.a.address, ...signed },
          ...(actor.token ? { token: actor.token } : {}),
        });
      },
      changesWorld: true,
    },
    // A's audit trail: A's alone; an organisation's members' activity, its admin's alone.
    {
      route: 'GET /api/audit',
      what: '?patient=A',
      access: only('patientA'),
      call: get((w) => `/api/audit?patient=${w.a.address}`),
    },
    {
      route: 'GET /api/audit',
      what: '?patient=A&outcome=denied (the attempts refused on A’s records)',
      access: only('patientA'),
      call: get((w) => `/api/audit?patient=${w.a.address}&outcome=denied`),
    },
    {
      route: 'GET /api/audit',
      what: '?organisation=1 (clinician 1’s reads of A’s chart)',
      access: only('admin1'),
      call: get((w) => `/api/audit?organisation=${w.organisation1}`),
    },
    // The emergency on A.
    {
      route: 'GET /api/emergencies/{id}',
      access: only('patientA', 'clinician1', 'admin1'),
      call: get((w) => `/api/emergencies/${w.a.emergencyId}`),
    },
    {
      route: 'POST /api/emergencies',
      what: 'an emergency on A (clinician 1, the one privileged member, has one open already: refused)',
      access: only(),
      call: asClient(
        (client, w) =>
          client.declareEmergency({ patient: w.a.address, reason: 'unconscious', justification: 'matrix' }),
        { method: 'POST', path: () => '/api/emergencies', body: {} },
      ),
    },
    {
      route: 'POST /api/emergencies/{id}/review',
      what: 'clinician 1’s emergency on A (reviewed by an admin of clinician 1’s organisation)',
      access: only('admin1'),
      call: asClient((client, w) => client.reviewEmergency(w.a.emergencyId, 'justified'), {
        method: 'POST',
        path: (w) => `/api/emergencies/${w.a.emergencyId}/review`,
        body: {},
      }),
      changesWorld: true,
    },
    // A's key backup and its recovery.
    {
      route: 'GET /api/key-backups/{patient}',
      what: 'A’s (guardians: clinician 1 and patient B)',
      access: only('patientA', 'clinician1', 'patientB'),
      call: get((w) => `/api/key-backups/${w.a.address}`),
    },
    {
      route: 'POST /api/key-recovery/requests',
      what: 'a recovery of A’s key (anyone may start one: the guardians check its code out of band)',
      access: everyone,
      call: async (_actor, w) => {
        const { startKeyRecovery } = await import('@medledger/client');
        return startKeyRecovery(w.url, w.a.address);
      },
    },
    {
      route: 'GET /api/key-recovery/requests/{id}',
      what: 'A’s recovery, to its guardians',
      access: only('clinician1', 'patientB'),
      call: get((w) => `/api/key-recovery/requests/${w.a.recoveryRequestId}`),
    },
    {
      route: 'POST /api/key-recovery/requests/{id}/approvals',
      what: 'A’s recovery (guardians: clinician 1 and patient B; others send a well-formed share of nothing)',
      access: only('clinician1', 'patientB'),
      call: async (actor, w) => {
        if (actor.role === 'clinician1' || actor.role === 'patientB') {
          const { code } = await keyRecoveryRequest(actor.client as GatewayClient, w.a.recoveryRequestId);
          return approveKeyRecovery(actor.client as GatewayClient, w.a.recoveryRequestId, code);
        }
        return call(w.url, 'POST', `/api/key-recovery/requests/${w.a.recoveryRequestId}/approvals`, {
          body: { share: 1, enc: 'A'.repeat(43), ct: 'A'.repeat(100) },
          ...(actor.token ? { token: actor.token } : {}),
        });
      },
      changesWorld: true,
    },
    {
      route: 'POST /api/key-recovery/requests/{id}/shares',
      what: 'the guardians’ shares of A’s key, without the request’s one-time token (no role holds it)',
      access: only(),
      call: post(
        (w) => `/api/key-recovery/requests/${w.a.recoveryRequestId}/shares`,
        () => ({ token: 'A'.repeat(43) }),
      ),
    },
    // The members of A's custodian organisation: to its members.
    {
      route: 'GET /api/organisations/{id}/members',
      access: only('clinician1', 'admin1'),
      call: get((w) => `/api/organisations/${w.organisation1}/members`),
    },
    // Finding A without an address (patient directory): a desk code A shows, the MRN organisation 1
    // keeps of A. They name A (public by design), never A's health data; the gateway serves both
    // organisations, so every member of either may redeem a code A shows (it grants nothing).
    {
      route: 'POST /api/patient-directory/desk-codes',
      what: 'the caller’s own desk code (a patient’s)',
      access: only('patientA', 'patientB'),
      call: post(() => '/api/patient-directory/desk-codes'),
      changesWorld: true,
    },
    {
      route: 'POST /api/patient-directory/desk-codes/redemption',
      what: 'a desk code A shows',
      access: only('clinician1', 'clinician2', 'admin1', 'admin2'),
      call: async (actor, w) => {
        const { code } = await (w.actors.patientA.client as GatewayClient).issueDeskCode();
        return post(
          () => '/api/patient-directory/desk-codes/redemption',
          () => ({ code }),
        )(actor, w);
      },
    },
    {
      route: 'POST /api/patient-directory/identifiers',
      what: 'an MRN of the caller’s organisation for A (A registered with organisation 1)',
      access: only('clinician1', 'admin1'),
      call: post(
        () => '/api/patient-directory/identifiers',
        (actor, w) => ({ patient: w.a.address, system: 'urn:matrix:mrn', value: `MRN-${actor.role}` }),
      ),
      changesWorld: true,
    },
    {
      route: 'POST /api/patient-directory/identifier-lookups',
      what: 'the MRN organisation 1 keeps of A',
      access: only('clinician1', 'admin1'),
      call: async (actor, w) => {
        await (w.actors.admin1.client as GatewayClient).assignPatientIdentifier({
          patient: w.a.address,
          system: 'urn:matrix:mrn',
          value: 'MRN-A',
        });
        return post(
          () => '/api/patient-directory/identifier-lookups',
          () => ({ system: 'urn:matrix:mrn', value: 'MRN-A' }),
        )(actor, w);
      },
    },
    {
      route: 'GET /api/patient-directory/identifiers',
      what: '?patient=A',
      access: only('patientA', 'clinician1', 'admin1'),
      call: get((w) => `/api/patient-directory/identifiers?patient=${w.a.address}`),
    },
    // Organisation 1's second factors at sign-in (A's custodian): its admin alone. The policy is set
    // to what it is (optional: nobody's sign-in changes). The reset ends clinician 1's sessions, so
    // it comes after every other allowed change that clinician 1 makes.
    {
      route: 'GET /api/organisations/{id}/second-factor',
      access: only('admin1'),
      call: get((w) => `/api/organisations/${w.organisation1}/second-factor`),
    },
    {
      route: 'PUT /api/organisations/{id}/second-factor/policy',
      access: only('admin1'),
      call: async (actor, w) =>
        call(w.url, 'PUT', `/api/organisations/${w.organisation1}/second-factor/policy`, {
          body: { policy: 'optional' },
          ...(actor.token ? { token: actor.token } : {}),
        }),
      changesWorld: true,
    },
    {
      route: 'POST /api/organisations/{id}/second-factor/members/{address}/enrolment',
      what: 'clinician 1’s (a pending enrolment: under optional, its key alone still signs in)',
      access: only('admin1'),
      call: post(
        (w) =>
          `/api/organisations/${w.organisation1}/second-factor/members/${identityOf(w, 'clinician1').address.toLowerCase()}/enrolment`,
      ),
      changesWorld: true,
    },
    {
      route: 'DELETE /api/organisations/{id}/second-factor/members/{address}',
      what: 'clinician 1’s',
      access: only('admin1'),
      call: async (actor, w) =>
        call(
          w.url,
          'DELETE',
          `/api/organisations/${w.organisation1}/second-factor/members/${identityOf(w, 'clinician1').address.toLowerCase()}`,
          actor.token ? { token: actor.token } : {},
        ),
      changesWorld: true,
    },
    // Last: it changes A's signing key, so A's signed calls after it would fail.
    {
      route: 'GET /api/records/erasure-window',
      access: everyone,
      call: get(() => '/api/records/erasure-window'),
    },
    {
      route: 'POST /api/records/{id}/hide',
      what: 'A’s lab record, hidden for patient A, signed by the caller',
      access: only('patientA'),
      call: post(
        (w) => `/api/records/${w.a.labRecordId}/hide`,
        async (actor, w) => ({
          by: w.a.address,
          retainUntil: 0,
          ...(await signAction(
            w.url,
            identityOf(w, 'patientA'),
            'recordActions',
            'Hide',
            { recordId: w.a.labRecordId, by: w.a.address, retainUntil: 0n },
            { signer: actor.identity ?? generateIdentity() },
          )),
        }),
      ),
      changesWorld: true,
    },
    {
      route: 'POST /api/records/{id}/unhide',
      what: 'A’s lab record (hidden by A last), shown again for patient A, signed by the caller',
      access: only('patientA'),
      call: post(
        (w) => `/api/records/${w.a.labRecordId}/unhide`,
        async (actor, w) => ({
          by: w.a.address,
          ...(await signAction(
            w.url,
            identityOf(w, 'patientA'),
            'recordActions',
            'Unhide',
            { recordId: w.a.labRecordId, by: w.a.address },
            { signer: actor.identity ?? generateIdentity() },
          )),
        }),
      ),
      changesWorld: true,
    },
    {
      route: 'POST /api/records/erase',
      what: 'A’s note, erased at patient A’s request, signed by the caller',
      access: only('patientA'),
      call: post(
        () => '/api/records/erase',
        async (actor, w) => {
          const message = { recordId: w.a.noteRecordId, by: w.a.address, reason: 1 };
          const signed = await signAction(
            w.url,
            identityOf(w, 'patientA'),
            'recordActions',
            'Erasure',
            message,
            {
              signer: actor.identity ?? generateIdentity(),
            },
          );
          return { erasures: [{ ...message, ...signed }] };
        },
      ),
      changesWorld: true,
    },
    {
      route: 'POST /api/patients/{address}/key-rotation',
      what: 'A’s key, rotated to a new one, with patient A, signed by the caller',
      access: only('patientA'),
      call: post(
        (w) => `/api/patients/${w.a.address}/key-rotation`,
        async (actor, w) => {
          const next = generateIdentity();
          const message = {
            patient: w.a.address,
            newSigner: next.address,
            newEncryptionKey: next.encryption.publicKey,
          };
          const signer = actor.identity ?? generateIdentity();
          const signed = await signAction(
            w.url,
            identityOf(w, 'patientA'),
            'consortium',
            'RotatePatientKey',
            message,
            {
              signer,
            },
          );
          const bySigner = await signAction(
            w.url,
            identityOf(w, 'patientA'),
            'consortium',
            'RotatePatientKey',
            message,
            {
              signer: next,
              nonce: BigInt(signed.nonce),
              deadline: BigInt(signed.deadline),
            },
          );
          return {
            newSigner: next.address,
            encryptionKey: next.encryption.publicKey,
            ...signed,
            newSignerSignature: bySigner.signature,
          };
        },
      ),
      changesWorld: true,
    },
  ];
}

/** Routes the matrix does not call, and why. */
const outOfScope: Record<string, string> = {
  'POST /api/slots':
    'a clinician publishes its own free slots, an admin its members’: no patient data; refusals: appointments.test.ts',
  'POST /api/appointments':
    'a patient books a slot for itself: takes no one else’s ids (appointments.test.ts)',
  'GET /api/appointments/{id}':
    'A’s world has no slots; only its patient and practitioner see one, others get 404: appointments.test.ts',
  'POST /api/appointments/{id}/confirmation':
    'only the booking patient confirms, with its own grant (appointments.test.ts)',
  'POST /api/appointments/{id}/cancellation':
    'only its patient and practitioner cancel, others get 404: appointments.test.ts',
  'POST /api/organisations': 'consortium governance: takes no patient’s ids, answers no patient data',
  'POST /api/organisations/{id}/approvals': 'consortium governance (consortium.test.ts)',
  'POST /api/organisations/{id}/gateway': 'consortium governance (consortium.test.ts)',
  'POST /api/custody/proposals': 'consortium governance (thresholdCustody.test.ts)',
  'POST /api/custody/proposals/{id}/approvals': 'consortium governance (thresholdCustody.test.ts)',
  'POST /api/members': 'an admin adds a member: no patient data (consortium.test.ts)',
  'POST /api/members/{address}/profile':
    'an admin sets a member’s public profile: no patient data (directory.test.ts)',
  'POST /api/members/{address}/suspension':
    'an admin suspends a member: no patient data (consortium.test.ts)',
  'POST /api/members/{address}/emergency-privilege': 'an admin sets a member’s privilege (emergency.test.ts)',
  'POST /api/patients': 'a patient registers itself, signed by itself: no one else’s ids',
  'DELETE /api/auth/sessions':
    'ends the caller’s own sessions, takes no ids (it would end the matrix’s sessions); another account’s are untouched: sessions.test.ts',
  'POST /api/key-backups': 'a patient stores its own backup, signed by itself (keyRecovery.test.ts)',
  'POST /api/otp/enrolment':
    'the caller’s own second factor (secondFactor.test.ts; canaries.test.ts for its secret)',
  'POST /api/otp/confirmation': 'the caller’s own second factor (secondFactor.test.ts)',
  'POST /api/otp/deactivation': 'the caller’s own second factor (secondFactor.test.ts)',
  'POST /api/staff-otp/enrolment': 'the member’s own sign-in code (staffSecondFactor.test.ts)',
  'POST /api/staff-otp/confirmation': 'the member’s own sign-in code (staffSecondFactor.test.ts)',
  'POST /api/staff-otp/deactivation': 'the member’s own sign-in code (staffSecondFactor.test.ts)',
  'GET /api/staff-otp/requirement/{address}':
    'public by design, asked by other gateways: whether a member needs a code at sign-in, no patient data (staffSecondFactorPeers.test.ts)',
  'POST /api/emergency-window/proposals': 'consortium governance (emergency.test.ts)',
  'POST /api/emergency-window/proposals/{id}/approvals': 'consortium governance (emergency.test.ts)',
  'POST /api/co-signature-policies/proposals': 'consortium governance (coSignatures.test.ts)',
  'POST /api/co-signature-policies/proposals/{id}/approvals': 'consortium governance (coSignatures.test.ts)',
  'GET /api/orders/{orderId}':
    'A’s world has no lab, pharmacy or insurer to send an order to; who sees an order: orders.test.ts',
  'POST /api/orders':
    'each step is signed by its actor and decided by the chain (orders.test.ts, contracts orders.test.ts)',
  'POST /api/orders/{orderId}/status': 'signed by its actor, decided by the chain (orders.test.ts)',
  'POST /api/orders/{orderId}/complete':
    'signed by its actor, decided by the chain: a lab not sent the order is refused (orders.test.ts)',
  'POST /api/orders/{orderId}/dispense':
    'signed by its actor, decided by the chain: two pharmacies at once, one wins (orders.test.ts)',
  'POST /api/records/erasure-window/proposals': 'consortium governance (erasure.test.ts)',
  'POST /api/records/erasure-window/proposals/{id}/approvals': 'consortium governance (erasure.test.ts)',
  'POST /rpc':
    'read-only JSON-RPC to the chain, public by design; the chain holds hashes, not private texts (readOnlyRpc.test.ts)',
};

/** The role of the actor signed in as `address`. */
function roleOf(w: World, address: string): Role {
  const role = roles.find((candidate) => w.actors[candidate].client?.address === address);
  if (!role) throw new Error(`no actor ${address}`);
  return role;
}

function identityOf(w: World, role: Role) {
  const identity = w.actors[role].identity;
  if (!identity) throw new Error(`${role} has no identity`);
  return identity;
}

async function signedSiwe(w: World, actor: Actor) {
  const identity = actor.identity as NonNullable<Actor['identity']>;
  const message = await siweMessage(w.url, identity);
  return { message, signature: await accountOf(identity).signMessage({ message }) };
}

/**
 * The notification stream: its status and, when it is served, the backlog (as many events as
 * `GET /api/notifications` lists for the caller), then the connection is closed.
 */
async function stream(actor: Actor, w: World) {
  const backlog = actor.token
    ? (
        (await call(w.url, 'GET', '/api/notifications', { token: actor.token })).body as {
          notifications: unknown[];
        }
      ).notifications.length
    : 0;
  const controller = new AbortController();
  const response = await fetch(`${w.url}/api/notifications/stream?after=0`, {
    headers: actor.token ? { authorization: `Bearer ${actor.token}` } : {},
    signal: controller.signal,
  });
  if (response.status !== 200) return response.text();
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let text = '';
  while ((text.match(/^event: notification$/gm) ?? []).length < backlog || !text.includes('retry:')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  controller.abort();
  streamTexts.push(text);
  return text;
}
/** What the streams sent, for the canary check (the capture sees only their headers). */
const streamTexts: string[] = [];

interface Captured {
  method: string;
  url: string;
  status: number;
  text: string;
}

/** Every HTTP answer this process receives while `capturing` is set: the client library's too. */
let capturing: Captured[] | undefined;
const realFetch = globalThis.fetch;
globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
  const response = await realFetch(input, init);
  if (capturing) {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = init?.method ?? 'GET';
    const eventStream = /^text\/event-stream/.test(response.headers.get('content-type') ?? '');
    capturing.push({
      method,
      url,
      status: response.status,
      text: eventStream ? '' : await response.clone().text(),
    });
  }
  return response;
};

function templateRegex(template: string): RegExp {
  return new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`);
}

describe('cross-user matrix: every route × every role, with patient A’s ids', () => {
  let gateway: GatewayProcess;
  let world: World;
  let routes: ApiRoute[];
  before(async () => {
    gateway = await startGatewayProcess({ logLevel: 'warn' });
    world = await buildWorld(gateway.url);
    routes = await openApiRoutes(gateway.url);
  });
  after(async () => {
    globalThis.fetch = realFetch;
    await gateway?.stopAndRemove();
  });

  it('covers every route of the OpenAPI document, or says why not', () => {
    const rows = new Set(matrix().map((row) => row.route));
    const uncovered = routes.map((r) => r.key).filter((key) => !rows.has(key) && !outOfScope[key]);
    assert.deepEqual(uncovered, [], 'routes neither in the matrix nor listed as out of scope (with a why)');
    const stale = [...rows, ...Object.keys(outOfScope)].filter((key) => !routes.some((r) => r.key === key));
    assert.deepEqual(stale, [], 'rows for routes the gateway no longer has');
    const both = [...rows].filter((key) => outOfScope[key]);
    assert.deepEqual(both, [], 'routes both in the matrix and out of scope');
  });

  it('refuses every unentitled role, serves every entitled one, and leaks none of A’s private texts', async () => {
    const rows = matrix();
    const calls = rows.flatMap((row) => roles.map((role) => ({ row, role })));
    // Allowed calls that change A's world go last, so that every other call sees the world as built.
    const ordered = [
      ...calls.filter(({ row, role }) => !(row.changesWorld && row.access[role] === 'allowed')),
      ...calls.filter(({ row, role }) => row.changesWorld && row.access[role] === 'allowed'),
    ];
    const counts = { calls: 0, allowed: 0, denied: 0, leaks: 0, wrong: 0 };
    /** Answers to an entitled reader that held a canary: proof that the check looks where they are. */
    const sightings = new Map<string, number>();
    /** Why the denied calls were denied: `status reason` → calls, for signed-in roles and for no session. */
    const denials = new Map<string, number>();
    const problems: string[] = [];
    const canaryReaders: [string, readonly Role[]][] = [
      [world.canaries.requestReason, readersOf.requestReason],
      [world.canaries.justification, readersOf.justification],
      ...world.canaries.health.map((text) => [text, readersOf.health] as [string, readonly Role[]]),
    ];
    for (const { row, role } of ordered) {
      const label = `${row.route}${row.what ? ` [${row.what}]` : ''} as ${role}`;
      const captured: Captured[] = [];
      capturing = captured;
      streamTexts.length = 0;
      let thrown: unknown;
      try {
        await row.call(world.actors[role], world);
      } catch (error) {
        thrown = error;
      } finally {
        capturing = undefined;
      }
      counts.calls++;
      const [method, template] = row.route.split(' ') as [string, string];
      const pattern = templateRegex(template);
      const answer = captured
        .filter((c) => c.method === method && pattern.test(new URL(c.url).pathname))
        .at(-1);
      const expected = row.access[role];
      if (!answer) {
        counts.wrong++;
        problems.push(`${label}: the route was not reached (${thrown ? String(thrown) : 'no request'})`);
        continue;
      }
      const outcome: Access | 'error' =
        answer.status < 300 ? 'allowed' : answer.status < 500 ? 'denied' : 'error';
      counts[outcome === 'allowed' ? 'allowed' : 'denied']++;
      if (outcome === 'denied') {
        const reason = (JSON.parse(answer.text || '{}') as { error?: { reason?: string } }).error?.reason;
        const key = `${role === 'anonymous' ? 'anonymous' : 'signed-in'} ${answer.status} ${reason}`;
        denials.set(key, (denials.get(key) ?? 0) + 1);
      }
      if (outcome !== expected) {
        counts.wrong++;
        problems.push(`${label}: expected ${expected}, got ${answer.status} ${answer.text.slice(0, 200)}`);
      }
      if (row.leaksIn && outcome === 'allowed') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(answer.text);
        } catch {
          parsed = undefined;
        }
        for (const leak of row.leaksIn(role, parsed, world)) {
          if (leak.startsWith('missing')) {
            counts.wrong++;
            problems.push(`${label}: ${leak}`);
          } else {
            counts.leaks++;
            problems.push(`${label}: LEAK of ${leak}`);
          }
        }
      }
      for (const text of [...captured.map((c) => c.text), ...streamTexts]) {
        for (const [secret, readers] of canaryReaders) {
          if (text.includes(secret) && readers.includes(role)) {
            sightings.set(secret, (sightings.get(secret) ?? 0) + 1);
          }
          if (text.includes(secret) && !readers.includes(role)) {
            counts.leaks++;
            problems.push(
              `${label}: LEAK of ${secret.replace(/-[0-9a-f]{24}$/, '')} in ${text.slice(0, 200)}`,
            );
          }
        }
      }
    }
    console.log(
      `matrix: ${rows.length} rows (${new Set(rows.map((r) => r.route)).size} routes, ${Object.keys(outOfScope).length} out of scope) × ${roles.length} roles: ` +
        `${counts.calls} calls, ${counts.allowed} allowed, ${counts.denied} denied, ${counts.leaks} leaks, ${counts.wrong} not as the table says`,
    );
    console.log(
      `matrix: denials by status and reason ${JSON.stringify(Object.fromEntries([...denials].sort()))}`,
    );
    console.log(
      `matrix: canaries seen by their entitled readers: reason ${sightings.get(world.canaries.requestReason) ?? 0}, ` +
        `justification ${sightings.get(world.canaries.justification) ?? 0}`,
    );
    assert.deepEqual(problems, []);
    assert.equal(counts.calls, rows.length * roles.length);
    // A signed-in caller's calls are well formed: each denial is the ledger's rules, not a bad body.
    const malformed = [...denials.keys()].filter((key) =>
      /^signed-in \d+ (schema_violation|malformed_request)$/.test(key),
    );
    assert.deepEqual(malformed, [], 'signed-in calls refused for their form, not their entitlement');
    // The reason and the justification do reach their readers: the leak check looks where they are.
    assert.ok(sightings.get(world.canaries.requestReason), 'no entitled reader saw the request reason');
    assert.ok(sightings.get(world.canaries.justification), 'no entitled reader saw the justification');
  });
});
