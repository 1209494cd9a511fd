/**
 * Every refusal in plain words, written once: what happened and what to do, keyed by the error's
 * stable `reason` and built from its structured `fields` (never from another message's text). The
 * ledger takes the message of each contract error from here, the gateway answers with it, the CLI
 * prints it and the web app shows it.
 *
 * A reason added to `contractErrors` (packages/ledger) needs its one entry here; the ledger's test
 * fails until it has one.
 */
import type { ErrorFields } from './errors.ts';
import {
  categories,
  categoriesOfMask,
  delegateKinds,
  orderKinds,
  orderStatuses,
  organisationKinds,
  roles,
  sensitivities,
} from './vocabulary.ts';

type Words = (fields: ErrorFields) => string;

/**
 * The plain-word message for a refusal, or undefined when the catalogue has no entry for `reason`
 * (callers keep the error's own message then).
 *
 * @example
 * describeRefusal('consents_inactive_member', { account: '0x8Bd1…' });
 * // '0x8Bd1… is not an active member of any organisation, …'
 */
export function describeRefusal(reason: string | undefined, fields: ErrorFields = {}): string | undefined {
  if (!reason || !Object.hasOwn(refusalWords, reason)) return undefined;
  const text = refusalWords[reason]?.(fields).replace(/ {2,}/g, ' ');
  return text && text.charAt(0).toUpperCase() + text.slice(1);
}

/** The reasons the catalogue has words for. */
export function describedReasons(): string[] {
  return Object.keys(refusalWords);
}

/** `0x8Bd1c3…` shortened to `0x8Bd1…c3F2`; anything else as it is. */
function who(value: unknown, fallback = 'this address'): string {
  if (typeof value !== 'string' || value === '') return fallback;
  return /^0x[0-9a-fA-F]{40}$/.test(value) ? `${value.slice(0, 6)}…${value.slice(-4)}` : value;
}

/** A 32-byte id shortened to its first 10 characters. */
function id(value: unknown, fallback = ''): string {
  if (typeof value !== 'string' && typeof value !== 'number') return fallback;
  const text = String(value);
  return /^0x[0-9a-fA-F]{64}$/.test(text) ? `${text.slice(0, 10)}…` : text;
}

/** Unix seconds as `2026-12-03 16:30 UTC`. */
function when(value: unknown): string {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) return 'an earlier time';
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Seconds as whole days or hours or minutes. */
function span(value: unknown): string {
  const seconds = Number(value);
  if (!Number.isFinite(seconds)) return 'the allowed time';
  if (seconds >= 86_400 && seconds % 86_400 === 0) return plural(seconds / 86_400, 'day');
  if (seconds >= 3600 && seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  return plural(Math.round(seconds / 60), 'minute');
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** `organisation 3` (or `its organisation` when unknown). */
function organisation(value: unknown): string {
  return value === undefined || value === null || value === 0 ? 'its organisation' : `organisation ${value}`;
}

function named(list: readonly string[], value: unknown, offset = 0): string | undefined {
  const index = Number(value) - offset;
  return Number.isInteger(index) ? list[index] : undefined;
}

const orderStatus = (value: unknown) => named(orderStatuses, value) ?? `in state ${value}`;
const order = (fields: ErrorFields) => (fields.orderId ? `Order ${id(fields.orderId)}` : 'This order');
const record = (fields: ErrorFields) => (fields.recordId ? `Record ${id(fields.recordId)}` : 'This record');
const actionWords: Record<string, string> = { read: 'read', append: 'add', share: 'share' };
const restart = 'Nothing was changed; start again from the beginning.';
const notYours = 'It may have been mistyped, or belong to someone else.';

const refusalWords: Record<string, Words> = {
  // Consent, as the gateway's access control finds it.
  no_consent: (f) =>
    f.category !== undefined
      ? `The patient has not given you consent to ${actionWords[String(f.action)] ?? 'add'} ${named(categories, f.category) ?? 'these'} records` +
        `${f.sensitivity === 1 ? ' (restricted)' : ''}. Ask the patient for access (an access request).`
      : 'The patient has not given you consent to see this. Ask the patient for access (an access request).',
  consent_revoked: (f) =>
    `The patient revoked your consent${f.revokedAt ? ` on ${when(f.revokedAt)}` : ''}, so you can no longer see or add these records. ` +
    'If you still need access, ask the patient again (an access request).',
  consent_expired: (f) =>
    `Your consent from this patient expired${f.expiredAt ? ` on ${when(f.expiredAt)}` : ''}. If you still need access, ask the patient to grant it again (an access request).`,
  emergency_expired: () =>
    'Your emergency access to this patient is over. If the emergency continues, open a new one (break the glass again).',

  // The gateway's own refusals.
  not_a_guardian: () =>
    'You are not one of the guardians of this key backup, so you cannot help recover it. Ask the patient which guardians they chose.',
  wrong_share_index: (f) =>
    `This is not your share of the backup: yours has number ${f.share ?? '(see your backup)'}. Send your own share.`,
  wrong_recovery_token: () =>
    'This recovery token does not belong to this recovery request. Use the token shown when the request was made.',
  not_the_patient: () => 'A patient’s access history is shown to that patient only.',
  not_patient_or_delegate: () =>
    'Only the patient and the family members, caregivers or researchers they registered can see who these are.',
  not_grant_patient: (f) =>
    `Consent ${f.grantId ?? ''} was given by another patient: only the patient who gave a consent can revoke it.`,
  not_request_patient: () => 'Only the patient asked can answer this access request.',
  not_the_signer: () =>
    'This action is signed by another account than the one you are signed in as. Sign it with your own key, or sign in as its signer.',
  no_such_emergency: (f) => `There is no emergency ${f.emergencyId ?? ''} that you may see. ${notYours}`,
  no_such_order: (f) => `There is no order ${id(f.orderId)} of yours. ${notYours}`,
  no_such_appointment: (f) => `There is no appointment ${f.appointmentId ?? ''} of yours. ${notYours}`,
  no_such_key_backup: () =>
    'There is no key backup of this patient that you may see. The patient may not have made one yet.',
  no_such_recovery_request: (f) =>
    `There is no open key recovery request ${f.requestId ?? ''} that you guard. It may be finished, or the id mistyped.`,
  no_such_desk_code: () =>
    'This desk code is not valid: it is mistyped, already used or expired. Ask the patient for a new code.',
  no_such_identifier: () => 'Your organisation keeps no patient under this identifier. Check the identifier.',
  no_patient_relationship: () =>
    'Your organisation keeps identifiers only of its own patients and of patients who share their demographics with you.',
  record_erased: (f) =>
    `${record(f)} was erased${f.erasedAt ? ` on ${when(f.erasedAt)}` : ''}: its content and keys were destroyed, and it cannot be brought back.`,

  // AuditAnchors
  audit_anchors_gap: (f) =>
    `The audit log of ${organisation(f.organisationId)} must be anchored without gaps: the next batch starts at event ${f.expected}, not ${f.given}. The gateway will anchor the missing events first.`,
  audit_anchors_not_anchored: (f) =>
    `Event ${f.sequence} of the audit log of ${organisation(f.organisationId)} is not anchored on the ledger yet. Wait for the next anchoring and check again.`,
  audit_anchors_not_gateway: (f) =>
    `${who(f.sender)} is not the gateway that ${organisation(f.organisationId)} published, so it cannot anchor its audit log. Check the gateway's relayer key.`,
  audit_anchors_organisation_not_active: (f) =>
    `${organisation(f.organisationId)} is not active, so its audit log cannot be anchored. It must be approved first.`,
  audit_anchors_sequence_overflow: (f) =>
    `A batch of ${f.count} audit events from event ${f.firstSequence} is too large to anchor. Anchor a smaller batch.`,
  audit_anchors_unknown_batch: (f) =>
    `${organisation(f.organisationId)} has anchored no audit batch number ${f.batchIndex}. Check the batch number.`,
  audit_anchors_zero_count: () => 'An audit batch must hold at least one event. Nothing was anchored.',
  audit_anchors_zero_root: () => 'An audit batch needs the root of its events. Nothing was anchored.',

  // CoSignatures
  co_signatures_already_approved: (f) =>
    `Organisation ${f.approverOrganisationId} has already approved co-signature proposal ${f.proposalId}. Each organisation approves once; wait for the others.`,
  co_signatures_already_signed: (f) =>
    `${who(f.signer)} has already co-signed ${record(f).toLowerCase()}. One signature per person is enough.`,
  co_signatures_duplicate_role: (f) =>
    `The co-signature policy names the role ${named(roles, f.role, 1) ?? f.role} twice. Name each role once.`,
  co_signatures_empty_batch: () => 'There is nothing to co-sign: choose at least one record.',
  co_signatures_invalid_category: (f) =>
    `There is no record category number ${f.category}. Choose one of the known categories.`,
  co_signatures_invalid_count: (f) =>
    `A co-signature policy cannot ask for ${f.count} signatures of ${named(roles, f.role, 1) ?? 'this role'}s. Ask for between 1 and the number allowed.`,
  co_signatures_invalid_role: (f) => `There is no role number ${f.role}. Choose one of the known roles.`,
  co_signatures_invalid_signature: (f) =>
    `The co-signature of ${who(f.signer)} on ${record(f).toLowerCase()} does not check out. Sign the record again.`,
  co_signatures_not_active_admin: (f) =>
    `${who(f.admin)} is not an active administrator of an organisation, so it cannot propose or approve co-signature policies.`,
  co_signatures_not_active_member: (f) =>
    `${who(f.signer)} is not an active member of an organisation, so it cannot co-sign ${record(f).toLowerCase()}.`,
  co_signatures_not_authorised: (f) =>
    `${who(f.signer)} may not co-sign ${record(f).toLowerCase()}: it has no consent from the patient to add records of this kind. Ask the patient for access.`,
  co_signatures_proposal_not_pending: (f) =>
    `Co-signature proposal ${f.proposalId} is no longer waiting for approval: it was decided already. Refresh the list of proposals.`,
  co_signatures_record_mismatch: (f) =>
    `The co-signature does not match ${record(f).toLowerCase()} as it is on the ledger. Sign the record as it is now.`,
  co_signatures_too_many_signers: (f) =>
    `${record(f)} has all the co-signatures it can hold; ${who(f.signer)} cannot add another.`,
  co_signatures_unknown_policy: (f) =>
    `There is no co-signature policy version ${f.version} for ${named(categories, f.category) ?? 'this category'} records. Check the version.`,
  co_signatures_unknown_record: (f) =>
    `${record(f)} is not on the ledger, so ${who(f.signer)} cannot co-sign it. Check the record id.`,

  // Consents
  consents_already_revoked: (f) =>
    `Consent ${f.grantId} was revoked already. Nothing more to do: the list of consents shows it as revoked.`,
  consents_beyond_delegate_limit: (f) =>
    `${who(f.delegate)} may be given only ${categoriesOfMask(Number(f.categoryLimit)).join(', ') || 'no'} records (its limit), and this consent asks for more. Grant fewer categories, or change its limit (Settings → Family, caregivers and researchers).`,
  consents_delegate_read_only: (f) =>
    `${who(f.delegate)} is a family member, caregiver or researcher: it can be given reading only, not adding or sharing records. Grant reading only.`,
  consents_grantee_not_member_or_delegate: (f) =>
    `${who(f.grantee)} is neither an active member of an organisation nor a registered family member, caregiver or researcher of this patient, so it cannot be given access. Register it as a delegate first (Settings → Family, caregivers and researchers).`,
  consents_inactive_member: (f) =>
    `${who(f.account)} is not an active member of an organisation (it is suspended or not registered), so it cannot be given access. Check the address, or ask its organisation.`,
  consents_inactive_organisation: (f) =>
    `Organisation ${f.organisationId} is not active (not yet approved, or unknown), so it cannot be given access. Check its number.`,
  consents_invalid_actions: () =>
    'A consent must allow reading, adding or sharing, and nothing else. Choose at least one of them.',
  consents_invalid_categories: () => 'A consent must cover at least one known record category. Choose one.',
  consents_invalid_expiry: (f) =>
    `A consent cannot end on ${when(f.expiresAt)}: its end must lie in the future. Choose a later end.`,
  consents_invalid_grantee: () =>
    'A consent goes either to one person or to one organisation, not both and not neither. Choose one.',
  consents_invalid_sensitivity: (f) =>
    `There is no sensitivity level number ${f.maxSensitivity}. Choose ${sensitivities.join(' or ')}.`,
  consents_no_home_gateway: (f) =>
    `Patient ${who(f.patient)} has no home gateway on the ledger, so no gateway can act for them. The patient should register again.`,
  consents_not_authorised_relayer: (f) =>
    `${who(f.sender)} is not the gateway of patient ${who(f.patient)}, so it cannot pass on their consents. Use the patient's own gateway.`,
  consents_not_grant_patient: (f) =>
    `Consent ${f.grantId} was given by another patient than ${who(f.patient)}: only the patient who gave a consent can revoke it.`,
  consents_not_request_patient: (f) =>
    `Access request ${f.requestId} was made to another patient than ${who(f.patient)}: only the patient asked can answer it.`,
  consents_not_requester: (f) =>
    `Access request ${f.requestId} was made by someone else than ${who(f.grantee)}, so it cannot be withdrawn or used by them.`,
  consents_request_not_pending: (f) =>
    `Access request ${f.requestId} has already been answered. Refresh the list of requests.`,
  consents_unknown_grant: (f) =>
    `There is no consent ${f.grantId}. Check its number in the list of consents.`,
  consents_unknown_patient: (f) =>
    `${who(f.patient)} is not a registered patient. Check the address, or register the patient first.`,
  consents_unknown_request: (f) =>
    `There is no access request ${f.requestId}. Check its number in the list of requests.`,

  // Consortium
  consortium_address_taken: (f) =>
    `${who(f.account)} is already registered in the consortium (as a member or administrator of an organisation, or as a patient). One address can have one place: use another key for this one.`,
  consortium_already_approved: (f) =>
    `Organisation ${f.approverOrganisationId} has already approved organisation ${f.organisationId}. Each organisation approves once; wait for the others.`,
  consortium_cannot_suspend_self: (f) =>
    `${who(f.admin)} cannot suspend itself. Ask another administrator of the organisation to do it.`,
  consortium_custody_already_approved: (f) =>
    `Organisation ${f.approverOrganisationId} has already approved custody proposal ${f.proposalId}. Each organisation approves once; wait for the others.`,
  consortium_custody_proposal_not_pending: (f) =>
    `Custody proposal ${f.proposalId} is no longer waiting for approval: it was decided already. Refresh the list of proposals.`,
  consortium_duplicate_custodian: (f) =>
    `Organisation ${f.organisationId} is named twice as a custodian. Name each custodian once.`,
  consortium_empty_name: () => 'An organisation needs a name. Give it one.',
  consortium_invalid_custody_threshold: (f) =>
    `With ${f.custodianCount} custodians, the number of key shares needed must be between 1 and ${f.custodianCount}, not ${f.threshold}. Choose a number in that range.`,
  consortium_invalid_kind: (f) =>
    `There is no kind of organisation number ${f.kind}. Choose ${organisationKinds.join(', ')}.`,
  consortium_invalid_profile: (f) =>
    `A member's profile needs a name of 1 to 80 bytes (this one has ${f.nameLength}), a title of at most 32 (${f.titleLength}) and a department of at most 80 (${f.departmentLength}). Shorten what is too long.`,
  consortium_invalid_role: (f) => `There is no role number ${f.role}. Choose ${roles.join(', ')}.`,
  consortium_member_already_suspended: (f) => `${who(f.member)} is suspended already. Nothing more to do.`,
  consortium_not_active_admin: (f) =>
    `${who(f.admin)} is not an active administrator of ${organisation(f.organisationId)}, so it cannot do this. Ask one of its administrators.`,
  consortium_organisation_not_active: (f) =>
    `Organisation ${f.organisationId} is not active: it has not been approved yet, or does not exist. Wait for its approval, or check its number.`,
  consortium_organisation_not_pending: (f) =>
    `Organisation ${f.organisationId} is not waiting for approval: it is approved already, or was never proposed. Check its number in the list of organisations.`,
  consortium_too_many_custodians: (f) =>
    `${f.custodianCount} custodians are more than the consortium allows. Choose fewer custodians.`,
  consortium_unknown_member: (f) =>
    `${who(f.member)} is not a member of any organisation. Check the address.`,
  consortium_zero_address: () => 'The address is empty (all zeros). Give a real address.',
  consortium_zero_encryption_key: () =>
    'The encryption key is empty. Give the key of the member or organisation.',

  // Delegates
  delegates_account_taken: (f) =>
    `${who(f.account)} is already registered (as a member, a patient or another patient's delegate), so it cannot become this patient's delegate. Use another key for the delegate.`,
  delegates_invalid_category_limit: () =>
    "A delegate's limit must allow at least one known record category. Choose one.",
  delegates_invalid_kind: (f) =>
    `There is no kind of delegate number ${f.kind}. Choose ${delegateKinds.join(', ')}.`,
  delegates_unknown_delegate: (f) =>
    `${who(f.delegate)} is not a registered delegate of patient ${who(f.patient)}. Register it first (Settings → Family, caregivers and researchers).`,
  delegates_unknown_patient: (f) =>
    `${who(f.patient)} is not a registered patient, so it has no delegates. Check the address.`,
  delegates_zero_address: () => "The delegate's address is empty (all zeros). Give a real address.",
  delegates_zero_encryption_key: () => "The delegate's encryption key is empty. Give its key.",

  // Emergencies
  emergencies_already_active: (f) =>
    `An emergency (${f.emergencyId}) is already open for this patient until ${when(f.expiresAt)}. Use it; there is no need to open another.`,
  emergencies_already_reviewed: (f) =>
    `Emergency ${f.emergencyId} has been reviewed already. Nothing more to do.`,
  emergencies_empty_justification: () =>
    'Opening an emergency needs a justification: say why the patient cannot consent.',
  emergencies_invalid_reason: (f) =>
    `There is no emergency reason number ${f.reasonCode}. Choose one of the listed reasons.`,
  emergencies_invalid_verdict: (f) =>
    `There is no review verdict number ${f.verdict}. Say whether the emergency access was justified or not.`,
  emergencies_invalid_window: (f) =>
    `An emergency cannot last ${span(f.windowSeconds)}. Propose a window within the allowed range.`,
  emergencies_not_active_admin: (f) =>
    `${who(f.admin)} is not an active administrator of ${organisation(f.organisationId)}, so it cannot review emergencies or change who may open them.`,
  emergencies_not_active_member: (f) =>
    `${who(f.member)} is not an active member of an organisation, so it cannot open an emergency.`,
  emergencies_not_privileged: (f) =>
    `${who(f.member)} is not allowed to open emergencies ("break the glass"). An administrator of its organisation can allow it.`,
  emergencies_privilege_already_set: (f) =>
    `${who(f.member)} is ${f.privileged === true || f.privileged === 'true' ? 'already allowed' : 'already not allowed'} to open emergencies. Nothing to change.`,
  emergencies_self_review: (f) =>
    `${who(f.reviewer)} opened emergency ${f.emergencyId} and cannot review it. Another administrator reviews it.`,
  emergencies_unknown_emergency: (f) => `There is no emergency ${f.emergencyId}. Check its number.`,
  emergencies_unknown_member: (f) =>
    `${who(f.member)} is not a member of any organisation. Check the address.`,
  emergencies_unknown_patient: (f) => `${who(f.patient)} is not a registered patient. Check the address.`,
  emergencies_window_already_approved: (f) =>
    `Organisation ${f.approverOrganisationId} has already approved emergency window proposal ${f.proposalId}. Each organisation approves once; wait for the others.`,
  emergencies_window_proposal_not_pending: (f) =>
    `Emergency window proposal ${f.proposalId} is no longer waiting for approval: it was decided already. Refresh the list of proposals.`,

  invalid_short_string: () => 'A text is too long to be stored on the ledger. Shorten it.',

  // Orders
  order_already_placed: (f) => `${order(f)} was placed already. Refresh the list of orders.`,
  order_fills_used: (f) =>
    `${order(f)} has been dispensed ${plural(Number(f.fills), 'time')}, all it allows. A new prescription is needed.`,
  order_invalid_kind: (f) => `There is no kind of order number ${f.kind}. Choose ${orderKinds.join(', ')}.`,
  order_invalid_performer: (f) =>
    `Organisation ${f.performerOrganisation} cannot carry out this order: it is not active or not of the right kind (a lab for lab orders, a pharmacy for prescriptions, an insurer for claims). Choose another organisation.`,
  order_invalid_quantity: (f) =>
    `A quantity of ${f.quantity} to be dispensed in ${plural(Number(f.fills), 'fill')} does not work. Give a quantity of at least 1 and at least one fill.`,
  order_invalid_transition: (f) =>
    `${order(f)} is ${orderStatus(f.status)} and cannot become ${orderStatus(f.newStatus)}. Refresh it to see its state.`,
  order_no_results: (f) =>
    `${order(f)} cannot be completed without a result. Attach at least one result record.`,
  order_not_open: (f) =>
    `${order(f)} is ${f.status === undefined ? 'not open' : orderStatus(f.status)}, so nothing more can be done with it.`,
  order_not_performer: (f) =>
    `${who(f.actor)} is not at the organisation this order was sent to, so it cannot work on ${order(f).toLowerCase()}.`,
  order_not_requester: (f) =>
    `Only the person who placed ${order(f).toLowerCase()} can do this, not ${who(f.requester)}.`,
  order_not_requester_or_patient: (f) =>
    `Only the person who placed ${order(f).toLowerCase()} or its patient can cancel it, not ${who(f.actor)}.`,
  order_quantity_exceeded: (f) =>
    `${order(f)} has ${f.remaining} left to dispense, fewer than the ${f.requested} asked for. Dispense at most ${f.remaining}.`,
  order_record_mismatch: (f) =>
    `Record ${id(f.recordId)} is not the record of ${order(f).toLowerCase()}. Check the record.`,
  order_unknown_order: (f) =>
    `There is no ${f.orderId ? `order ${id(f.orderId)}` : 'such order'} on the ledger. Check the order id.`,
  order_wrong_kind: (f) =>
    `${order(f)} is a ${named(orderKinds, f.kind) ?? 'different kind of'} order, and this step is for another kind. Use the step for its kind.`,

  // PatientKeys
  patient_keys_empty_backup: () => 'The key backup is empty. Make the backup again.',
  patient_keys_invalid_new_signer_signature: (f) =>
    `The new key ${who(f.newSigner)} did not sign the change itself, so it cannot take over. Sign with the new key too.`,
  patient_keys_unknown_patient: (f) => `${who(f.patient)} is not a registered patient. Check the address.`,
  patient_keys_zero_encryption_key: () => 'The new encryption key is empty. Give the new key.',
  patient_keys_zero_signer: () => 'The new signing key is empty (all zeros). Give a real address.',

  // RecordActions
  record_already_hidden: (f) =>
    `${record(f)} is hidden already (kept until ${when(f.retainUntil)}). Nothing more to do.`,
  record_erasure_window_closed: (f) =>
    `${record(f)} was added on ${when(f.anchoredAt)}; records can be erased only within ${span(f.windowSeconds)} of being added. Hide it instead.`,
  record_actions_invalid_batch: () =>
    'The batch lists a different number of records and signatures. Send one signature per record.',
  record_invalid_derived_record: (f) =>
    `The new record ${id(f.newRecordId)} cannot be made from ${id(f.sourceId)}: it must be a new, different record. Make a new one.`,
  record_invalid_derivation_kind: (f) =>
    `There is no such kind of record copy (${f.kind}). Choose copy, duplicate or move.`,
  record_invalid_derivation_organisation: (f) =>
    `Organisation ${f.toOrganisation} is not active, so a copy cannot be made for it. Choose an active organisation.`,
  record_invalid_erasure_reason: (f) =>
    `There is no erasure reason number ${f.reason}. Choose one of the listed reasons.`,
  record_invalid_retention: (f) =>
    `A record cannot be kept until ${when(f.retainUntil)}: the date must lie in the future. Choose a later date.`,
  record_invalid_erasure_window: (f) =>
    `An erasure window of ${span(f.windowSeconds)} is not allowed. Propose a window within the allowed range.`,
  record_actions_not_active_admin: (f) =>
    `${who(f.admin)} is not an active administrator of ${organisation(f.organisationId)}, so it cannot do this.`,
  record_not_anchored: (f) => `${record(f)} is not on the ledger. Check the record id.`,
  record_action_not_authorised: (f) =>
    `${who(f.by)} may not do this to ${record(f).toLowerCase()}: only its patient, its author's organisation or someone with the patient's consent to share may.`,
  record_not_hidden: (f) => `${record(f)} is not hidden, so there is nothing to show again.`,
  record_fields_mismatch: (f) =>
    `The details given for ${record(f).toLowerCase()} do not match the ledger. Use the record as it is on the ledger.`,
  record_retention_ended: (f) =>
    `${record(f)} had to be kept until ${when(f.retainUntil)}, and that time has passed. Erase it instead.`,
  record_retention_not_ended: (f) =>
    `${record(f)} must be kept until ${when(f.retainUntil)}; it cannot be erased before then.`,
  record_erasure_window_already_approved: (f) =>
    `Organisation ${f.organisationId} has already approved erasure window proposal ${f.proposalId}. Each organisation approves once; wait for the others.`,
  record_erasure_window_proposal_not_pending: (f) =>
    `Erasure window proposal ${f.proposalId} is no longer waiting for approval: it was decided already. Refresh the list of proposals.`,

  // Records
  records_already_anchored: (f) => `${record(f)} is on the ledger already. Nothing more to do.`,
  records_already_superseded: (f) =>
    `Record ${id(f.supersedes)} was already replaced by ${id(f.supersededBy)}. Correct the newer record instead.`,
  records_empty_batch: () => 'There are no records to add. Choose at least one.',
  records_invalid_category: (f) =>
    `There is no record category number ${f.category}. Choose a known category.`,
  records_invalid_record_id: (f) => `${record(f)} does not have a valid id. Make the record again.`,
  records_invalid_sensitivity: (f) =>
    `There is no sensitivity level number ${f.sensitivity}. Choose ${sensitivities.join(' or ')}.`,
  records_invalid_signature: (f) =>
    `The signature of ${who(f.author)} on ${record(f).toLowerCase()} does not check out. Sign the record again.`,
  records_not_authorised: (f) =>
    `${who(f.author)} has no consent from the patient to add this kind of record. Ask the patient for access.`,
  records_supersedes_other_patient: () =>
    "A record can only correct a record in the same patient's chart. Choose a record of this patient.",
  records_unknown_patient: (f) => `${who(f.patient)} is not a registered patient. Check the address.`,
  records_unknown_supersedes: (f) =>
    `Record ${id(f.supersedes)}, which this one would correct, is not on the ledger. Check its id.`,
  records_zero_content: (f) => `${record(f)} has no content. Add its content.`,

  // Signed actions
  signed_action_expired: (f) =>
    `The signature was valid until ${when(f.deadline)} and has expired. ${restart}`,
  signed_action_invalid_signature: (f) =>
    `The signature does not come from ${who(f.signer)}. Sign again with that account's key.`,
  signed_action_nonce_used: (f) =>
    `This signed action of ${who(f.signer)} was used already (a signature counts once). ${restart}`,
  string_too_long: () => 'A text is too long to be stored on the ledger. Shorten it.',
};
