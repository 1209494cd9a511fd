/** The API contract's types (answers of the gateway), for callers of the client. */
export type * from '@medledger/api';
export type { OrderKind, OrderStatus } from '@medledger/core';
export { accessRecord } from './actions/accessRecord.ts';
export { accessRequest } from './actions/accessRequest.ts';
export { addMember } from './actions/addMember.ts';
export { type AddRecordInput, addRecord } from './actions/addRecord.ts';
export {
  appointmentOf,
  type BookAppointmentParameters,
  bookAppointment,
  type CancelAppointmentParameters,
  cancelAppointment,
  type DayListEntry,
  dayList,
  type ListAppointmentsParameters,
  listAppointments,
  listSlots,
  type PublishSlotsParameters,
  publishSlots,
  rescheduleAppointment,
  revokeEndedAppointmentConsents,
  type SlotQueryParameters,
  slotsAsFhir,
} from './actions/appointments.ts';
export { approveAccessRequest } from './actions/approveAccessRequest.ts';
export { approveAuthorErasureWindow } from './actions/approveAuthorErasureWindow.ts';
export { approveCustody } from './actions/approveCustody.ts';
export { approveEmergencyWindow } from './actions/approveEmergencyWindow.ts';
export { approveKeyRecovery } from './actions/approveKeyRecovery.ts';
export { approveOrganisation } from './actions/approveOrganisation.ts';
export { approvePolicy } from './actions/approvePolicy.ts';
export { type AuditParameters, audit, auditAll } from './actions/audit.ts';
export { auditBatches } from './actions/auditBatches.ts';
export { auditProofs } from './actions/auditProofs.ts';
export { backUpKey } from './actions/backUpKey.ts';
export { confirmOtp } from './actions/confirmOtp.ts';
export { type ConsortiumVotes, consortiumVotes } from './actions/consortiumVotes.ts';
export { coSignRecord } from './actions/coSignRecord.ts';
export { createOrganisation } from './actions/createOrganisation.ts';
export { declareEmergency } from './actions/declareEmergency.ts';
export {
  type AddDelegateParameters,
  addDelegate,
  listDelegates,
  removeDelegate,
} from './actions/delegates.ts';
export { denyAccessRequest } from './actions/denyAccessRequest.ts';
export { type DeriveRecordInput, deriveRecord } from './actions/deriveRecord.ts';
export { disableOtp } from './actions/disableOtp.ts';
export { emergency } from './actions/emergency.ts';
export { emergencyWindow } from './actions/emergencyWindow.ts';
export { eraseChart } from './actions/eraseChart.ts';
export { eraseRecord } from './actions/eraseRecord.ts';
export { eraseRecords, erasuresPerRequest } from './actions/eraseRecords.ts';
export { finishKeyRecovery } from './actions/finishKeyRecovery.ts';
export { type FollowNotificationsOptions, followNotifications } from './actions/followNotifications.ts';
export { type GrantConsentInput, grantConsent } from './actions/grantConsent.ts';
export { health } from './actions/health.ts';
export { hideRecord } from './actions/hideRecord.ts';
export {
  defaultImportConcurrency,
  type ImportBundleErrorType,
  type ImportBundleParameters,
  type ImportBundleReturnType,
  type ImportedRecord,
  type ImportProgress,
  importBundle,
  importRecordIdFor,
  importSecretOf,
} from './actions/importBundle.ts';
export { keepRecordsReadable, type RecordsAfterRotation } from './actions/keepRecordsReadable.ts';
export { keyBackupOf } from './actions/keyBackupOf.ts';
export { type KeyRecoveryRequestDetails, keyRecoveryRequest } from './actions/keyRecoveryRequest.ts';
export { listAccessRequests } from './actions/listAccessRequests.ts';
export { listConsents } from './actions/listConsents.ts';
export { listEmergencies } from './actions/listEmergencies.ts';
export { type ListRecordsOptions, listRecords } from './actions/listRecords.ts';
export { lookupDirectory } from './actions/lookupDirectory.ts';
export { me } from './actions/me.ts';
export { members } from './actions/members.ts';
export { newPatientKeys } from './actions/newPatientKeys.ts';
export { notifications } from './actions/notifications.ts';
export {
  completeOrder,
  dispenseOrder,
  listOrders,
  orderOf,
  type PlaceOrderInput,
  placeOrder,
  setOrderStatus,
} from './actions/orders.ts';
export { organisations } from './actions/organisations.ts';
export { otpStatus } from './actions/otpStatus.ts';
export {
  assignPatientIdentifier,
  type FindPatientsQuery,
  type FindPatientsResult,
  findPatientByIdentifier,
  findPatients,
  formatDeskCode,
  issueDeskCode,
  listPatientIdentifiers,
  normalizeDeskCode,
  profileMatches,
  redeemDeskCode,
} from './actions/patientDirectory.ts';
export {
  type PatientProfile,
  type PatientProfileOfErrorType,
  patientProfileOf,
} from './actions/patientProfileOf.ts';
export { pendingKeyRecoveries } from './actions/pendingKeyRecoveries.ts';
export { policies } from './actions/policies.ts';
export { policyProposals } from './actions/policyProposals.ts';
export { proposeAuthorErasureWindow } from './actions/proposeAuthorErasureWindow.ts';
export { proposeCustody } from './actions/proposeCustody.ts';
export { proposeEmergencyWindow } from './actions/proposeEmergencyWindow.ts';
export { type PolicyRequirementInput, proposePolicy } from './actions/proposePolicy.ts';
export { publishGateway } from './actions/publishGateway.ts';
export { readRecord } from './actions/readRecord.ts';
export { registerPatient } from './actions/registerPatient.ts';
export { rekeyRecord } from './actions/rekeyRecord.ts';
export { type RequestAccessInput, requestAccess } from './actions/requestAccess.ts';
export { reviewEmergency } from './actions/reviewEmergency.ts';
export { revokeConsent } from './actions/revokeConsent.ts';
export { type KeyRotated, rotateKey } from './actions/rotateKey.ts';
export { setEmergencyPrivilege } from './actions/setEmergencyPrivilege.ts';
export { type MemberProfile, setMemberProfile } from './actions/setMemberProfile.ts';
export { type SetPatientProfileInput, setPatientProfile } from './actions/setPatientProfile.ts';
export { signKeyRotation } from './actions/signKeyRotation.ts';
export { signOut } from './actions/signOut.ts';
export { signOutEverywhere } from './actions/signOutEverywhere.ts';
export {
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
export { stamp } from './actions/stamp.ts';
export { type PendingKeyRecovery, startKeyRecovery } from './actions/startKeyRecovery.ts';
export { startOtpEnrolment } from './actions/startOtpEnrolment.ts';
export { suspendMember } from './actions/suspendMember.ts';
export { unhideRecord } from './actions/unhideRecord.ts';
export {
  type AuditEventCheck,
  type AuditTrailReport,
  type VerifyAuditTrailOptions,
  verifyAuditTrail,
} from './actions/verifyAuditTrail.ts';
export { errorFromResponse } from './errorFromResponse.ts';
export { readEventStream, type ServerSentEvent } from './eventStream.ts';
export { createGatewayClient, type GatewayClient, type GatewayClientOptions } from './gatewayClient.ts';
export { purposeCode } from './purposeCode.ts';
export {
  createTransport,
  requestGateway,
  type Session,
  type SignedAction,
  type Transport,
  type TransportOptions,
  type TypedDataTypes,
} from './transport.ts';
export type { VerificationProblem, VerificationProblemKind } from './verificationProblem.ts';
export {
  type ChainRecordAnchor,
  compareIndexWithChain,
  gatewayRecordAnchors,
} from './verifyGatewayIndex.ts';
export {
  type ErasedRecord,
  type VerificationReport,
  type VerifyLedgerOptions,
  verifyLedger,
} from './verifyLedger.ts';
