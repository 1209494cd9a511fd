/**
 * Turns a contract's custom error (decoded from revert data) into the medledger error a user
 * understands: a denial stays a denial (exit 3 / HTTP 403), a duplicate a conflict, and so on.
 *
 * `contractErrors` names every custom error of the generated ABIs, with its medledger error and a
 * stable reason: an error added to a contract does not compile until it is given its entry here, and
 * its test fails until the reason has its plain words in core's catalogue (`describeRefusal`, in
 * packages/core/src/refusalWords.ts). The error's arguments become its `fields`, by their ABI names.
 */
import {
  AccessDeniedError,
  ConflictError,
  describeRefusal,
  type ErrorFields,
  GoneError,
  InvalidInputError,
  type MedledgerError,
  NotFoundError,
} from '@medledger/core';
import { BaseError, type ContractErrorName, decodeErrorResult, type Hex, isHex } from 'viem';
import { combinedAbi } from './ledgerAbis.ts';

/** The name of a custom error of any of the contracts (`ConsentsAlreadyRevoked`, `SignedActionExpired`, ...). */
export type LedgerContractErrorName = ContractErrorName<typeof combinedAbi>;

/** A contract's refusal, decoded. */
export interface DecodedContractError {
  name: LedgerContractErrorName;
  args: readonly unknown[];
}

/** The medledger errors a contract's refusal can become. */
type RefusalClass =
  | typeof AccessDeniedError
  | typeof ConflictError
  | typeof GoneError
  | typeof InvalidInputError
  | typeof NotFoundError;

/** What a contract error becomes: its medledger error class, and its reason within that error's code. */
export interface ContractErrorMapping {
  error: RefusalClass;
  /** Stable snake_case reason (`MedledgerError.reason`); its message is `describeRefusal`'s entry for it. */
  reason: string;
}

const denied = (reason: string): ContractErrorMapping => ({ error: AccessDeniedError, reason });
const conflict = (reason: string): ContractErrorMapping => ({ error: ConflictError, reason });
const gone = (reason: string): ContractErrorMapping => ({ error: GoneError, reason });
const notFound = (reason: string): ContractErrorMapping => ({ error: NotFoundError, reason });
const invalid = (reason: string): ContractErrorMapping => ({ error: InvalidInputError, reason });

/** Every custom error of the contracts, and what it becomes. */
export const contractErrors: Record<LedgerContractErrorName, ContractErrorMapping> = {
  AuditAnchorsGap: invalid('audit_anchors_gap'),
  AuditAnchorsNotAnchored: invalid('audit_anchors_not_anchored'),
  AuditAnchorsNotGateway: invalid('audit_anchors_not_gateway'),
  AuditAnchorsOrganisationNotActive: invalid('audit_anchors_organisation_not_active'),
  AuditAnchorsSequenceOverflow: invalid('audit_anchors_sequence_overflow'),
  AuditAnchorsUnknownBatch: notFound('audit_anchors_unknown_batch'),
  AuditAnchorsZeroCount: invalid('audit_anchors_zero_count'),
  AuditAnchorsZeroRoot: invalid('audit_anchors_zero_root'),
  CoSignaturesAlreadyApproved: conflict('co_signatures_already_approved'),
  CoSignaturesAlreadySigned: conflict('co_signatures_already_signed'),
  CoSignaturesDuplicateRole: invalid('co_signatures_duplicate_role'),
  CoSignaturesEmptyBatch: invalid('co_signatures_empty_batch'),
  CoSignaturesInvalidCategory: invalid('co_signatures_invalid_category'),
  CoSignaturesInvalidCount: invalid('co_signatures_invalid_count'),
  CoSignaturesInvalidRole: invalid('co_signatures_invalid_role'),
  CoSignaturesInvalidSignature: invalid('co_signatures_invalid_signature'),
  CoSignaturesNotActiveAdmin: denied('co_signatures_not_active_admin'),
  CoSignaturesNotActiveMember: denied('co_signatures_not_active_member'),
  CoSignaturesNotAuthorised: denied('co_signatures_not_authorised'),
  CoSignaturesProposalNotPending: invalid('co_signatures_proposal_not_pending'),
  CoSignaturesRecordMismatch: invalid('co_signatures_record_mismatch'),
  CoSignaturesTooManySigners: invalid('co_signatures_too_many_signers'),
  CoSignaturesUnknownPolicy: notFound('co_signatures_unknown_policy'),
  CoSignaturesUnknownRecord: notFound('co_signatures_unknown_record'),
  ConsentsAlreadyRevoked: conflict('consents_already_revoked'),
  ConsentsBeyondDelegateLimit: invalid('consents_beyond_delegate_limit'),
  ConsentsDelegateReadOnly: invalid('consents_delegate_read_only'),
  ConsentsGranteeNotMemberOrDelegate: invalid('consents_grantee_not_member_or_delegate'),
  ConsentsInactiveMember: invalid('consents_inactive_member'),
  ConsentsInactiveOrganisation: invalid('consents_inactive_organisation'),
  ConsentsInvalidActions: invalid('consents_invalid_actions'),
  ConsentsInvalidCategories: invalid('consents_invalid_categories'),
  ConsentsInvalidExpiry: invalid('consents_invalid_expiry'),
  ConsentsInvalidGrantee: invalid('consents_invalid_grantee'),
  ConsentsInvalidSensitivity: invalid('consents_invalid_sensitivity'),
  ConsentsNoHomeGateway: invalid('consents_no_home_gateway'),
  ConsentsNotAuthorisedRelayer: denied('consents_not_authorised_relayer'),
  ConsentsNotGrantPatient: denied('consents_not_grant_patient'),
  ConsentsNotRequestPatient: denied('consents_not_request_patient'),
  ConsentsNotRequester: denied('consents_not_requester'),
  ConsentsRequestNotPending: invalid('consents_request_not_pending'),
  ConsentsUnknownGrant: notFound('consents_unknown_grant'),
  ConsentsUnknownPatient: notFound('consents_unknown_patient'),
  ConsentsUnknownRequest: notFound('consents_unknown_request'),
  ConsortiumAddressTaken: conflict('consortium_address_taken'),
  ConsortiumAlreadyApproved: conflict('consortium_already_approved'),
  ConsortiumCannotSuspendSelf: invalid('consortium_cannot_suspend_self'),
  ConsortiumCustodyAlreadyApproved: conflict('consortium_custody_already_approved'),
  ConsortiumCustodyProposalNotPending: invalid('consortium_custody_proposal_not_pending'),
  ConsortiumDuplicateCustodian: invalid('consortium_duplicate_custodian'),
  ConsortiumEmptyName: invalid('consortium_empty_name'),
  ConsortiumInvalidCustodyThreshold: invalid('consortium_invalid_custody_threshold'),
  ConsortiumInvalidKind: invalid('consortium_invalid_kind'),
  ConsortiumInvalidProfile: invalid('consortium_invalid_profile'),
  ConsortiumInvalidRole: invalid('consortium_invalid_role'),
  ConsortiumMemberAlreadySuspended: conflict('consortium_member_already_suspended'),
  ConsortiumNotActiveAdmin: denied('consortium_not_active_admin'),
  ConsortiumOrganisationNotActive: invalid('consortium_organisation_not_active'),
  ConsortiumOrganisationNotPending: invalid('consortium_organisation_not_pending'),
  ConsortiumTooManyCustodians: invalid('consortium_too_many_custodians'),
  ConsortiumUnknownMember: notFound('consortium_unknown_member'),
  ConsortiumZeroAddress: invalid('consortium_zero_address'),
  ConsortiumZeroEncryptionKey: invalid('consortium_zero_encryption_key'),
  DelegatesAccountTaken: invalid('delegates_account_taken'),
  DelegatesInvalidCategoryLimit: invalid('delegates_invalid_category_limit'),
  DelegatesInvalidKind: invalid('delegates_invalid_kind'),
  DelegatesUnknownDelegate: notFound('delegates_unknown_delegate'),
  DelegatesUnknownPatient: notFound('delegates_unknown_patient'),
  DelegatesZeroAddress: invalid('delegates_zero_address'),
  DelegatesZeroEncryptionKey: invalid('delegates_zero_encryption_key'),
  EmergenciesAlreadyActive: conflict('emergencies_already_active'),
  EmergenciesAlreadyReviewed: conflict('emergencies_already_reviewed'),
  EmergenciesEmptyJustification: invalid('emergencies_empty_justification'),
  EmergenciesInvalidReason: invalid('emergencies_invalid_reason'),
  EmergenciesInvalidVerdict: invalid('emergencies_invalid_verdict'),
  EmergenciesInvalidWindow: invalid('emergencies_invalid_window'),
  EmergenciesNotActiveAdmin: denied('emergencies_not_active_admin'),
  EmergenciesNotActiveMember: denied('emergencies_not_active_member'),
  EmergenciesNotPrivileged: denied('emergencies_not_privileged'),
  EmergenciesPrivilegeAlreadySet: conflict('emergencies_privilege_already_set'),
  EmergenciesSelfReview: denied('emergencies_self_review'),
  EmergenciesUnknownEmergency: notFound('emergencies_unknown_emergency'),
  EmergenciesUnknownMember: notFound('emergencies_unknown_member'),
  EmergenciesUnknownPatient: notFound('emergencies_unknown_patient'),
  EmergenciesWindowAlreadyApproved: conflict('emergencies_window_already_approved'),
  EmergenciesWindowProposalNotPending: invalid('emergencies_window_proposal_not_pending'),
  InvalidShortString: invalid('invalid_short_string'),
  OrdersAlreadyPlaced: conflict('order_already_placed'),
  OrdersFillsUsed: conflict('order_fills_used'),
  OrdersInvalidKind: invalid('order_invalid_kind'),
  OrdersInvalidPerformer: invalid('order_invalid_performer'),
  OrdersInvalidQuantity: invalid('order_invalid_quantity'),
  OrdersInvalidTransition: conflict('order_invalid_transition'),
  OrdersNoResults: invalid('order_no_results'),
  OrdersNotOpen: conflict('order_not_open'),
  OrdersNotPerformer: denied('order_not_performer'),
  OrdersNotRequester: denied('order_not_requester'),
  OrdersNotRequesterOrPatient: denied('order_not_requester_or_patient'),
  OrdersQuantityExceeded: conflict('order_quantity_exceeded'),
  OrdersRecordMismatch: invalid('order_record_mismatch'),
  OrdersUnknownOrder: notFound('order_unknown_order'),
  OrdersWrongKind: invalid('order_wrong_kind'),
  PatientKeysEmptyBackup: invalid('patient_keys_empty_backup'),
  PatientKeysInvalidNewSignerSignature: invalid('patient_keys_invalid_new_signer_signature'),
  PatientKeysUnknownPatient: notFound('patient_keys_unknown_patient'),
  PatientKeysZeroEncryptionKey: invalid('patient_keys_zero_encryption_key'),
  PatientKeysZeroSigner: invalid('patient_keys_zero_signer'),
  RecordActionsAlreadyErased: gone('record_erased'),
  RecordActionsAlreadyHidden: conflict('record_already_hidden'),
  RecordActionsErasureWindowClosed: denied('record_erasure_window_closed'),
  RecordActionsInvalidBatch: invalid('record_actions_invalid_batch'),
  RecordActionsInvalidDerivedRecord: invalid('record_invalid_derived_record'),
  RecordActionsInvalidKind: invalid('record_invalid_derivation_kind'),
  RecordActionsInvalidOrganisation: invalid('record_invalid_derivation_organisation'),
  RecordActionsInvalidReason: invalid('record_invalid_erasure_reason'),
  RecordActionsInvalidRetention: invalid('record_invalid_retention'),
  RecordActionsInvalidWindow: invalid('record_invalid_erasure_window'),
  RecordActionsNotActiveAdmin: denied('record_actions_not_active_admin'),
  RecordActionsNotAnchored: notFound('record_not_anchored'),
  RecordActionsNotAuthorised: denied('record_action_not_authorised'),
  RecordActionsNotHidden: conflict('record_not_hidden'),
  RecordActionsRecordMismatch: invalid('record_fields_mismatch'),
  RecordActionsRetentionEnded: conflict('record_retention_ended'),
  RecordActionsRetentionNotEnded: conflict('record_retention_not_ended'),
  RecordActionsWindowAlreadyApproved: conflict('record_erasure_window_already_approved'),
  RecordActionsWindowProposalNotPending: invalid('record_erasure_window_proposal_not_pending'),
  RecordsAlreadyAnchored: conflict('records_already_anchored'),
  RecordsAlreadySuperseded: conflict('records_already_superseded'),
  RecordsEmptyBatch: invalid('records_empty_batch'),
  RecordsInvalidCategory: invalid('records_invalid_category'),
  RecordsInvalidRecordId: invalid('records_invalid_record_id'),
  RecordsInvalidSensitivity: invalid('records_invalid_sensitivity'),
  RecordsInvalidSignature: invalid('records_invalid_signature'),
  RecordsNotAuthorised: denied('records_not_authorised'),
  RecordsSupersedesOtherPatient: invalid('records_supersedes_other_patient'),
  RecordsUnknownPatient: notFound('records_unknown_patient'),
  RecordsUnknownSupersedes: notFound('records_unknown_supersedes'),
  RecordsZeroContent: invalid('records_zero_content'),
  SignedActionExpired: invalid('signed_action_expired'),
  SignedActionInvalidSignature: invalid('signed_action_invalid_signature'),
  SignedActionNonceUsed: conflict('signed_action_nonce_used'),
  StringTooLong: invalid('string_too_long'),
};

type ErrorItem = Extract<(typeof combinedAbi)[number], { type: 'error' }>;
const errorAbi = combinedAbi.filter((item): item is ErrorItem => item.type === 'error');

/** Finds revert data in a viem error and decodes it with the contracts' ABIs. */
export function decodeContractError(error: unknown): DecodedContractError | undefined {
  const data = revertData(error);
  if (!data || data === '0x') return undefined;
  try {
    const decoded = decodeErrorResult({ abi: errorAbi, data });
    return { name: decoded.errorName as LedgerContractErrorName, args: decoded.args ?? [] };
  } catch {
    return undefined;
  }
}

/**
 * The medledger error for a contract's refusal carried by `error` (its table entry, with the
 * refusal's arguments as fields and the catalogue's plain words as message), or undefined when
 * `error` carries none. The raw `Name(args)` stays in `details`, for programs and logs.
 *
 * @example
 * const refusal = contractErrorFrom(error); // ConflictError, reason 'consents_already_revoked', fields { contractError: 'ConsentsAlreadyRevoked', grantId: '3' }
 */
export function contractErrorFrom(error: unknown): MedledgerError | undefined {
  const decoded = decodeContractError(error);
  if (!decoded) return undefined;
  const mapping = contractErrors[decoded.name];
  const fields = contractErrorFields(decoded);
  const result = new mapping.error(describeContractError(decoded), {
    details: `${decoded.name}(${decoded.args.map(String).join(', ')})`,
    reason: mapping.reason,
    fields,
    cause: error,
  });
  return Object.assign(result, { contractError: decoded });
}

/**
 * A contract's refusal in plain words: `ConsentsAlreadyRevoked` with args [3] becomes "Consent 3 was
 * revoked already. …" (see `describeRefusal`).
 */
export function describeContractError(decoded: DecodedContractError): string {
  const { reason } = contractErrors[decoded.name];
  return describeRefusal(reason, contractErrorFields(decoded)) ?? `The ledger refused this (${reason}).`;
}

/** The error's name and its arguments by their ABI names (numbers that may exceed 2^53 as decimal strings). */
function contractErrorFields({ name, args }: DecodedContractError): ErrorFields {
  const inputs = errorAbi.find((item) => item.name === name)?.inputs ?? [];
  const fields: ErrorFields = { contractError: name };
  inputs.forEach((input, index) => {
    const value = args[index];
    fields[input.name || `arg${index}`] =
      typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string'
        ? value
        : String(value);
  });
  return fields;
}

function revertData(error: unknown): Hex | undefined {
  if (!(error instanceof BaseError)) return findData(error);
  let found: Hex | undefined;
  error.walk((cause) => {
    found ??= findData(cause);
    return false;
  });
  return found ?? findData(error);
}

function findData(value: unknown): Hex | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const data = (value as { data?: unknown }).data;
  if (isHex(data)) return data;
  if (data && typeof data === 'object' && isHex((data as { data?: unknown }).data)) {
    return (data as { data: Hex }).data;
  }
  return undefined;
}
