/**
 * The world the cross-user matrix and the canary test exercise, built through the real API and the
 * client library: a consortium of two organisations, actors of every role, and patient A's records,
 * grant, access request, emergency, key backup and recovery request, notifications and audit events,
 * with a unique canary string in each private text.
 */
import { randomBytes } from 'node:crypto';
import {
  backUpKey,
  createGatewayClient,
  type GatewayClient,
  keyBackupOf,
  startKeyRecovery,
} from '@medledger/client';
import { generateIdentity, type Identity } from '@medledger/core';
import type { Address, Hex } from 'viem';
import {
  type Consortium,
  foundConsortium,
  newActor,
  newMember,
  newPatient,
  signIn,
} from '../../test/helpers/actors.ts';
import { eventually } from '../../test/helpers/emergencies.ts';

/** The roles of the matrix. */
export const roles = [
  'patientA',
  'patientB',
  'clinician1',
  'clinician2',
  'admin1',
  'admin2',
  'outsider',
  'anonymous',
] as const;
export type Role = (typeof roles)[number];

export const roleDescriptions: Record<Role, string> = {
  patientA: 'the patient whose data it all is (custodian: organisation 1)',
  patientB: 'another patient of organisation 1; a guardian of A’s key backup',
  clinician1:
    'doctor of organisation 1 with the emergency privilege: holds A’s lab grant, asked A for access, declared an emergency on A; a guardian of A’s key backup',
  clinician2: 'doctor of organisation 2, nothing from A',
  admin1: 'admin of organisation 1 (A’s custodian, clinician 1’s organisation)',
  admin2: 'admin of organisation 2',
  outsider: 'a key that signs in but is registered as nothing',
  anonymous: 'no session at all',
};

export interface Actor {
  role: Role;
  /** Undefined for `anonymous`. */
  client?: GatewayClient;
  identity?: Identity;
  /** A session token of its own (signed in by hand), undefined for `anonymous`. */
  token?: string;
}

/** Unique strings that must not appear where they do not belong. */
export interface Canaries {
  /** In the FHIR resources A writes, encrypted by the client. */
  health: string[];
  /** The reason of clinician 1's access request to A. */
  requestReason: string;
  /** The justification of clinician 1's emergency on A. */
  justification: string;
}

export interface World {
  url: string;
  organisation1: number;
  organisation2: number;
  actors: Record<Role, Actor>;
  canaries: Canaries;
  /** A's ids, as the routes take them. */
  a: {
    address: Address;
    /** A lab result: A and clinician 1 (grantee) may read it. */
    labRecordId: Hex;
    labCid: string;
    /** A restricted note: A alone may read it. */
    noteRecordId: Hex;
    noteCid: string;
    noteDigest: Hex;
    /** A condition, in the emergency set: clinician 1 reads it under the emergency. */
    conditionRecordId: Hex;
    grantId: number;
    requestId: number;
    emergencyId: number;
    recoveryRequestId: Hex;
    notificationIds: number[];
  };
}

/** A fresh unique canary string. */
export function canary(what: string): string {
  return `CANARY-${what}-${randomBytes(12).toString('hex')}`;
}

export function fhirNote(text: string) {
  return {
    resourceType: 'DocumentReference',
    status: 'current',
    description: text,
    content: [{ attachment: { contentType: 'text/plain', data: Buffer.from(text).toString('base64') } }],
    subject: { reference: 'Patient/example' },
  };
}

export function fhirObservation(text: string) {
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { text },
    valueQuantity: { value: 13.5, unit: 'g/dL' },
  };
}

export function fhirCondition(text: string) {
  return { resourceType: 'Condition', code: { text }, subject: { reference: 'Patient/example' } };
}

export async function buildWorld(url: string): Promise<World> {
  const first: Consortium = await foundConsortium(url, 'Security Hospital One');
  const admin2 = newActor(url);
  const { organisationId: organisation2 } = await admin2.createOrganisation({
    name: 'Security Hospital Two',
    kind: 'hospital',
  });
  await first.admin.approveOrganisation(organisation2);
  const second: Consortium = { admin: admin2, organisationId: organisation2 };
  const [patientA, patientB, clinician1, clinician2] = await Promise.all([
    newPatient(url, first),
    newPatient(url, first),
    newMember(url, first, 'doctor'),
    newMember(url, second, 'doctor'),
  ]);
  await first.admin.setEmergencyPrivilege(clinician1.address, true);
  const outsider = newActor(url);

  const canaries: Canaries = {
    health: [canary('health-lab'), canary('health-note'), canary('health-condition')],
    requestReason: canary('access-request-reason'),
    justification: canary('emergency-justification'),
  };
  const [labHealth, noteHealth, conditionHealth] = canaries.health as [string, string, string];
  const lab = await patientA.addRecord({
    patient: patientA.address,
    category: 'lab',
    resource: fhirObservation(labHealth),
  });
  const note = await patientA.addRecord({
    patient: patientA.address,
    category: 'note',
    sensitivity: 'restricted',
    resource: fhirNote(noteHealth),
  });
  const condition = await patientA.addRecord({
    patient: patientA.address,
    category: 'condition',
    resource: fhirCondition(conditionHealth),
  });
  const { grantId } = await patientA.grantConsent({
    grantee: clinician1.address,
    categories: ['lab'],
    actions: ['read'],
    purpose: 'TREAT',
    expiresInSeconds: 3600,
  });
  const { requestId } = await clinician1.requestAccess({
    patient: patientA.address,
    categories: ['medication'],
    reason: canaries.requestReason,
  });
  const { emergencyId } = await clinician1.declareEmergency({
    patient: patientA.address,
    reason: 'unconscious',
    justification: canaries.justification,
  });
  // Reads that leave audit events and notifications behind.
  await clinician1.readRecord(lab.recordId);
  await clinician1.readRecord(condition.recordId);
  await patientA.readRecord(note.recordId);
  await backUpKey(patientA, { guardians: [clinician1.address, patientB.address], threshold: 2 });
  await keyBackupOf(patientA, patientA.address);
  const recovery = await startKeyRecovery(url, patientA.address);
  const notificationIds = await eventually(async () => {
    const { notifications } = await patientA.notifications();
    const kinds = new Set(notifications.map((n) => n.kind));
    return kinds.has('access-requested') && kinds.has('emergency-declared')
      ? notifications.map((n) => n.id)
      : undefined;
  }, 'patient A’s notifications of the access request and the emergency');

  const clients: Record<Exclude<Role, 'anonymous'>, GatewayClient> = {
    patientA,
    patientB,
    clinician1,
    clinician2,
    admin1: first.admin,
    admin2,
    outsider,
  };
  const actors = { anonymous: { role: 'anonymous' } } as Record<Role, Actor>;
  for (const [role, client] of Object.entries(clients) as [Exclude<Role, 'anonymous'>, GatewayClient][]) {
    actors[role] = { role, client, identity: client.identity, token: await signIn(url, client.identity) };
  }
  const listed = (await patientA.listRecords(patientA.address)).records;
  const cidOf = (recordId: Hex) => {
    const record = listed.find((r) => r.recordId === recordId) as { cid?: string } | undefined;
    if (!record?.cid) throw new Error(`no cid for ${recordId}`);
    return record.cid;
  };
  return {
    url,
    organisation1: first.organisationId,
    organisation2,
    actors,
    canaries,
    a: {
      address: patientA.address,
      labRecordId: lab.recordId,
      labCid: cidOf(lab.recordId),
      noteRecordId: note.recordId,
      noteCid: cidOf(note.recordId),
      noteDigest: (listed.find((r) => r.recordId === note.recordId) as { contentDigest: Hex }).contentDigest,
      conditionRecordId: condition.recordId,
      grantId: grantId as number,
      requestId,
      emergencyId,
      recoveryRequestId: recovery.request.requestId,
      notificationIds,
    },
  };
}

/** A client of another identity at the same gateway (e.g. a second device's key). */
export function freshClient(url: string): GatewayClient {
  return createGatewayClient({ url, identity: generateIdentity() });
}
