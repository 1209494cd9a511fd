/**
 * A client of one gateway, acting as one identity: a transport (`transport.ts`) with every action
 * of `actions/` bound to it, so that `client.addRecord(input)` is `addRecord(transport, input)`.
 * Everything secret happens in the actions, on the caller's side: signing EIP-712 actions,
 * encrypting records before upload and decrypting them after download. The gateway only relays
 * signatures and stores ciphertext.
 *
 * Uses only `fetch` and the core library, so the CLI, the benchmarks and the web app share it.
 */

import type { Actor, Identity } from '@medledger/core';
import { accessRecord } from './actions/accessRecord.ts';
import { accessRequest } from './actions/accessRequest.ts';
import { addMember } from './actions/addMember.ts';
import { addRecord } from './actions/addRecord.ts';
import { approveAccessRequest } from './actions/approveAccessRequest.ts';
import { approveAuthorErasureWindow } from './actions/approveAuthorErasureWindow.ts';
import { approveCustody } from './actions/approveCustody.ts';
import { approveEmergencyWindow } from './actions/approveEmergencyWindow.ts';
import { approveOrganisation } from './actions/approveOrganisation.ts';
import { approvePolicy } from './actions/approvePolicy.ts';
import { audit } from './actions/audit.ts';
import { auditBatches } from './actions/auditBatches.ts';
import { auditProofs } from './actions/auditProofs.ts';
import { confirmOtp } from './actions/confirmOtp.ts';
import { coSignRecord } from './actions/coSignRecord.ts';
import { createOrganisation } from './actions/createOrganisation.ts';
import { declareEmergency } from './actions/declareEmergency.ts';
import { addDelegate, listDelegates, removeDelegate } from './actions/delegates.ts';
import { denyAccessRequest } from './actions/denyAccessRequest.ts';
import { disableOtp } from './actions/disableOtp.ts';
import { emergency } from './actions/emergency.ts';
import { emergencyWindow } from './actions/emergencyWindow.ts';
import { eraseChart } from './actions/eraseChart.ts';
import { eraseRecord } from './actions/eraseRecord.ts';
import { eraseRecords } from './actions/eraseRecords.ts';
import { followNotifications } from './actions/followNotifications.ts';
import { grantConsent } from './actions/grantConsent.ts';
import { health } from './actions/health.ts';
import { hideRecord } from './actions/hideRecord.ts';
import { importBundle } from './actions/importBundle.ts';
import { listAccessRequests } from './actions/listAccessRequests.ts';
import { listConsents } from './actions/listConsents.ts';
import { listEmergencies } from './actions/listEmergencies.ts';
import { listRecords } from './actions/listRecords.ts';
import { lookupDirectory } from './actions/lookupDirectory.ts';
import { me } from './actions/me.ts';
import { members } from './actions/members.ts';
import { notifications } from './actions/notifications.ts';
import {
  completeOrder,
  dispenseOrder,
  listOrders,
  orderOf,
  placeOrder,
  setOrderStatus,
} from './actions/orders.ts';
import { organisations } from './actions/organisations.ts';
import { otpStatus } from './actions/otpStatus.ts';
import {
  assignPatientIdentifier,
  findPatientByIdentifier,
  findPatients,
  issueDeskCode,
  listPatientIdentifiers,
  redeemDeskCode,
} from './actions/patientDirectory.ts';
import { patientProfileOf } from './actions/patientProfileOf.ts';
import { policies } from './actions/policies.ts';
import { policyProposals } from './actions/policyProposals.ts';
import { proposeAuthorErasureWindow } from './actions/proposeAuthorErasureWindow.ts';
import { proposeCustody } from './actions/proposeCustody.ts';
import { proposeEmergencyWindow } from './actions/proposeEmergencyWindow.ts';
import { proposePolicy } from './actions/proposePolicy.ts';
import { publishGateway } from './actions/publishGateway.ts';
import { readRecord } from './actions/readRecord.ts';
import { registerPatient } from './actions/registerPatient.ts';
import { rekeyRecord } from './actions/rekeyRecord.ts';
import { requestAccess } from './actions/requestAccess.ts';
import { reviewEmergency } from './actions/reviewEmergency.ts';
import { revokeConsent } from './actions/revokeConsent.ts';
import { setEmergencyPrivilege } from './actions/setEmergencyPrivilege.ts';
import { setMemberProfile } from './actions/setMemberProfile.ts';
import { setPatientProfile } from './actions/setPatientProfile.ts';
import { signOut } from './actions/signOut.ts';
import { signOutEverywhere } from './actions/signOutEverywhere.ts';
import {
  confirmStaffOtp,
  disableStaffOtp,
  enrolMemberOtp,
  organisationSecondFactors,
  resetMemberOtp,
  setStaffOtpPolicy,
  staffAttestation,
  staffOtpStatus,
  startStaffOtpEnrolment,
} from './actions/staffSecondFactor.ts';
import { stamp } from './actions/stamp.ts';
import { startOtpEnrolment } from './actions/startOtpEnrolment.ts';
import { suspendMember } from './actions/suspendMember.ts';
import { unhideRecord } from './actions/unhideRecord.ts';
import { createTransport, type Transport, type TransportOptions } from './transport.ts';

export type GatewayClientOptions<A extends Actor = Identity> = TransportOptions<A>;

/** A client acting as an `Identity` holding its keys (by default) or as any `Actor` (`GatewayClient<Actor>`, e.g. a wallet identity). */
export type GatewayClient<A extends Actor = Identity> = ReturnType<typeof createGatewayClient<A>>;

/**
 * @example
 * const client = createGatewayClient({ url: 'http://127.0.0.1:8080', identity });
 * const { recordId } = await client.addRecord({ patient, category: 'lab', resource: observation });
 * const { resource } = await client.readRecord(recordId);
 */
export function createGatewayClient<A extends Actor = Identity>(options: GatewayClientOptions<A>) {
  const transport = createTransport(options);
  /** `action` with this client's transport as its first argument. */
  const bind =
    <A extends unknown[], R>(action: (client: Transport, ...args: A) => R) =>
    (...args: A): R =>
      action(transport, ...args);
  return {
    ...transport,
    health: bind(health),
    me: bind(me),
    signOut: bind(signOut),
    signOutEverywhere: bind(signOutEverywhere),
    // Consortium
    createOrganisation: bind(createOrganisation),
    publishGateway: bind(publishGateway),
    approveOrganisation: bind(approveOrganisation),
    proposeCustody: bind(proposeCustody),
    approveCustody: bind(approveCustody),
    organisations: bind(organisations),
    members: bind(members),
    addMember: bind(addMember),
    suspendMember: bind(suspendMember),
    setMemberProfile: bind(setMemberProfile),
    lookupDirectory: bind(lookupDirectory),
    registerPatient: bind(registerPatient),
    // Records
    addRecord: bind(addRecord),
    importBundle: bind(importBundle),
    readRecord: bind(readRecord),
    accessRecord: bind(accessRecord),
    rekeyRecord: bind(rekeyRecord),
    listRecords: bind(listRecords),
    eraseRecord: bind(eraseRecord),
    eraseRecords: bind(eraseRecords),
    eraseChart: bind(eraseChart),
    hideRecord: bind(hideRecord),
    unhideRecord: bind(unhideRecord),
    proposeAuthorErasureWindow: bind(proposeAuthorErasureWindow),
    approveAuthorErasureWindow: bind(approveAuthorErasureWindow),
    // Orders: lab orders, prescriptions, claims
    placeOrder: bind(placeOrder),
    setOrderStatus: bind(setOrderStatus),
    completeOrder: bind(completeOrder),
    dispenseOrder: bind(dispenseOrder),
    listOrders: bind(listOrders),
    orderOf: bind(orderOf),
    // Consents and access requests
    grantConsent: bind(grantConsent),
    revokeConsent: bind(revokeConsent),
    listConsents: bind(listConsents),
    requestAccess: bind(requestAccess),
    accessRequest: bind(accessRequest),
    listAccessRequests: bind(listAccessRequests),
    approveAccessRequest: bind(approveAccessRequest),
    denyAccessRequest: bind(denyAccessRequest),
    // Delegates: family, caregivers, researchers
    addDelegate: bind(addDelegate),
    removeDelegate: bind(removeDelegate),
    listDelegates: bind(listDelegates),
    // Audit
    audit: bind(audit),
    auditProofs: bind(auditProofs),
    auditBatches: bind(auditBatches),
    // Co-signatures
    coSignRecord: bind(coSignRecord),
    stamp: bind(stamp),
    policies: bind(policies),
    policyProposals: bind(policyProposals),
    proposePolicy: bind(proposePolicy),
    approvePolicy: bind(approvePolicy),
    // Second factor
    otpStatus: bind(otpStatus),
    startOtpEnrolment: bind(startOtpEnrolment),
    confirmOtp: bind(confirmOtp),
    disableOtp: bind(disableOtp),
    // Staff second factor at sign-in
    staffOtpStatus: bind(staffOtpStatus),
    staffAttestation: bind(staffAttestation),
    startStaffOtpEnrolment: bind(startStaffOtpEnrolment),
    confirmStaffOtp: bind(confirmStaffOtp),
    disableStaffOtp: bind(disableStaffOtp),
    organisationSecondFactors: bind(organisationSecondFactors),
    setStaffOtpPolicy: bind(setStaffOtpPolicy),
    enrolMemberOtp: bind(enrolMemberOtp),
    resetMemberOtp: bind(resetMemberOtp),
    // Emergencies
    setEmergencyPrivilege: bind(setEmergencyPrivilege),
    declareEmergency: bind(declareEmergency),
    listEmergencies: bind(listEmergencies),
    emergency: bind(emergency),
    reviewEmergency: bind(reviewEmergency),
    emergencyWindow: bind(emergencyWindow),
    proposeEmergencyWindow: bind(proposeEmergencyWindow),
    approveEmergencyWindow: bind(approveEmergencyWindow),
    // Notifications
    notifications: bind(notifications),
    followNotifications: bind(followNotifications),
    // Patient profile and directory
    setPatientProfile: bind(setPatientProfile),
    patientProfileOf: bind(patientProfileOf),
    issueDeskCode: bind(issueDeskCode),
    redeemDeskCode: bind(redeemDeskCode),
    assignPatientIdentifier: bind(assignPatientIdentifier),
    findPatientByIdentifier: bind(findPatientByIdentifier),
    listPatientIdentifiers: bind(listPatientIdentifiers),
    findPatients: bind(findPatients),
  };
}
