/**
 * The fixed vocabularies shared by the contracts, the gateway, the CLI and the web app.
 *
 * On chain every value is a small integer: its index in the list below (categories, roles and
 * organisation kinds start at index 0 or 1 as noted). Changing an order changes the ledger's
 * meaning, so entries are only ever appended. The contracts' codes live in `contracts/src/Vocabulary.sol`;
 * the build copies them to `@medledger/contracts/vocabulary`, and this file fails to typecheck if its lists
 * fall out of step with them.
 */
import { vocabularyCodes as codes } from '@medledger/contracts/vocabulary';

/** Record categories. On chain: `uint8` index; consent scopes use a `uint32` bitmask (bit i = category i). */
export const categories = [
  'condition',
  'medication',
  'allergy',
  'lab',
  'imaging',
  'note',
  'emergency',
  'insurance',
  'immunization',
  'procedure',
  'encounter',
  'vitals',
  'demographics',
  'administrative',
  'careplan',
  'other',
] as const;
export type Category = (typeof categories)[number];

/** Sensitivity levels, ordered: a grant for `restricted` also covers `normal`. On chain: `uint8` index. */
export const sensitivities = ['normal', 'restricted'] as const;
export type Sensitivity = (typeof sensitivities)[number];

/** Consent actions. On chain: a `uint8` bitmask with these bits. */
export const actionBits = {
  read: codes.ACTION_READ,
  append: codes.ACTION_APPEND,
  share: codes.ACTION_SHARE,
} as const;
export type Action = keyof typeof actionBits;
export const actions = Object.keys(actionBits) as Action[];

/** Member roles. On chain: `uint8`, starting at 1 (0 = no role). */
export const roles = ['doctor', 'nurse', 'lab', 'pharmacist', 'insurer', 'admin'] as const;
export type Role = (typeof roles)[number];

/** Organisation kinds. On chain: `uint8`, starting at 1 (0 = none). */
export const organisationKinds = ['hospital', 'lab', 'pharmacy', 'insurer'] as const;
export type OrganisationKind = (typeof organisationKinds)[number];

/** Organisation status on chain: 0 none, 1 pending (awaiting approvals), 2 active. */
export const organisationStatuses = ['none', 'pending', 'active'] as const;
export type OrganisationStatus = (typeof organisationStatuses)[number];

/**
 * Order kinds (see contracts/src/IOrders.sol): a lab order (ServiceRequest -> DiagnosticReport), a
 * prescription (MedicationRequest -> MedicationDispense), an insurance claim (Claim -> ClaimResponse).
 * On chain: `uint8`, starting at 1 (0 = none).
 */
export const orderKinds = ['lab', 'prescription', 'claim'] as const;
export type OrderKind = (typeof orderKinds)[number];

/** The record category of an order kind's request and results. */
export const orderKindCategory = {
  lab: 'lab',
  prescription: 'medication',
  claim: 'insurance',
} as const satisfies Record<OrderKind, Category>;

/**
 * Order statuses; `placed`, `accepted` and `in_progress` are open. A prescription is `in_progress` once
 * partly dispensed. On chain: `uint8`, starting at 1 (0 = none).
 */
export const orderStatuses = [
  'placed',
  'accepted',
  'in_progress',
  'completed',
  'cancelled',
  'rejected',
] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/** Whether an order in `status` can still change (placed, accepted, in progress), as Orders decides. */
export function isOrderOpen(status: OrderStatus): boolean {
  return status === 'placed' || status === 'accepted' || status === 'in_progress';
}

export function orderKindCode(kind: OrderKind): number {
  return orderKinds.indexOf(kind) + 1;
}

export function orderKindOfCode(code: number): OrderKind | undefined {
  return orderKinds[code - 1];
}

export function orderStatusCode(status: OrderStatus): number {
  return orderStatuses.indexOf(status) + 1;
}

export function orderStatusOfCode(code: number): OrderStatus | undefined {
  return orderStatuses[code - 1];
}

export function isOrderKind(value: string): value is OrderKind {
  return (orderKinds as readonly string[]).includes(value);
}

export function isOrderStatus(value: string): value is OrderStatus {
  return (orderStatuses as readonly string[]).includes(value);
}

/**
 * Why a record was erased (see contracts/src/IRecordActions.sol): the patient's request (right to
 * erasure), entered in error (the author's organisation, within the consortium's window), moved to another
 * patient, retention ended (after a soft deletion). On chain: `uint8`, starting at 1 (0 = not erased).
 */
export const erasureReasons = ['patient-request', 'entered-in-error', 'moved', 'retention-ended'] as const;
export type ErasureReason = (typeof erasureReasons)[number];

/** How a record was derived from another: a copy for another organisation, a duplicate, a move. */
export const derivationKinds = ['copy', 'duplicate', 'move'] as const;
export type DerivationKind = (typeof derivationKinds)[number];

export function erasureReasonCode(reason: ErasureReason): number {
  return erasureReasons.indexOf(reason) + 1;
}

export function erasureReasonOfCode(code: number): ErasureReason | undefined {
  return erasureReasons[code - 1];
}

export function isErasureReason(value: string): value is ErasureReason {
  return (erasureReasons as readonly string[]).includes(value);
}

export function derivationKindCode(kind: DerivationKind): number {
  return derivationKinds.indexOf(kind) + 1;
}

export function derivationKindOfCode(code: number): DerivationKind | undefined {
  return derivationKinds[code - 1];
}

export function categoryIndex(category: Category): number {
  return categories.indexOf(category);
}

export function categoryMask(list: readonly Category[]): number {
  return list.reduce((mask, category) => mask | (1 << categoryIndex(category)), 0);
}

export function categoriesOfMask(mask: number): Category[] {
  return categories.filter((_, index) => (mask & (1 << index)) !== 0);
}

export function actionMask(list: readonly Action[]): number {
  return list.reduce((mask, action) => mask | actionBits[action], 0);
}

export function actionsOfMask(mask: number): Action[] {
  return actions.filter((action) => (mask & actionBits[action]) !== 0);
}

export function roleCode(role: Role): number {
  return roles.indexOf(role) + 1;
}

export function roleOfCode(code: number): Role | undefined {
  return roles[code - 1];
}

export function organisationKindCode(kind: OrganisationKind): number {
  return organisationKinds.indexOf(kind) + 1;
}

export function organisationKindOfCode(code: number): OrganisationKind | undefined {
  return organisationKinds[code - 1];
}

export function isCategory(value: string): value is Category {
  return (categories as readonly string[]).includes(value);
}

export function isSensitivity(value: string): value is Sensitivity {
  return (sensitivities as readonly string[]).includes(value);
}

export function isAction(value: string): value is Action {
  return value in actionBits;
}

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export function isOrganisationKind(value: string): value is OrganisationKind {
  return (organisationKinds as readonly string[]).includes(value);
}

/** `true` if `A` and `B` are the same type, else `false`. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<Condition extends true> = Condition;
type IndexOf<List extends readonly unknown[], Item> = {
  [Index in keyof List]: List[Index] extends Item ? Index : never;
}[number];

/** Fails to typecheck unless the lists above have the codes of `contracts/src/Vocabulary.sol`. */
export type VocabularyInStepWithContracts = [
  Expect<Same<(typeof categories)['length'], typeof codes.CATEGORY_COUNT>>,
  Expect<Same<IndexOf<typeof categories, 'condition'>, `${typeof codes.CATEGORY_CONDITION}`>>,
  Expect<Same<IndexOf<typeof categories, 'medication'>, `${typeof codes.CATEGORY_MEDICATION}`>>,
  Expect<Same<IndexOf<typeof categories, 'allergy'>, `${typeof codes.CATEGORY_ALLERGY}`>>,
  Expect<Same<IndexOf<typeof categories, 'lab'>, `${typeof codes.CATEGORY_LAB}`>>,
  Expect<Same<IndexOf<typeof categories, 'emergency'>, `${typeof codes.CATEGORY_EMERGENCY}`>>,
  Expect<Same<IndexOf<typeof categories, 'insurance'>, `${typeof codes.CATEGORY_INSURANCE}`>>,
  Expect<Same<IndexOf<typeof sensitivities, 'normal'>, `${typeof codes.SENSITIVITY_NORMAL}`>>,
  Expect<Same<IndexOf<typeof sensitivities, 'restricted'>, `${typeof codes.SENSITIVITY_RESTRICTED}`>>,
  Expect<Same<(typeof roles)['length'], typeof codes.ROLE_COUNT>>,
  Expect<Same<IndexOf<[undefined, ...typeof roles], 'admin'>, `${typeof codes.ROLE_ADMIN}`>>,
  Expect<Same<IndexOf<[undefined, ...typeof roles], 'doctor'>, `${typeof codes.ROLE_DOCTOR}`>>,
  Expect<Same<IndexOf<[undefined, ...typeof roles], 'nurse'>, `${typeof codes.ROLE_NURSE}`>>,
  Expect<Same<IndexOf<[undefined, ...typeof roles], 'pharmacist'>, `${typeof codes.ROLE_PHARMACIST}`>>,
  Expect<Same<(typeof organisationKinds)['length'], typeof codes.KIND_COUNT>>,
  Expect<
    Same<IndexOf<[undefined, ...typeof organisationKinds], 'hospital'>, `${typeof codes.KIND_HOSPITAL}`>
  >,
  Expect<Same<IndexOf<[undefined, ...typeof organisationKinds], 'lab'>, `${typeof codes.KIND_LAB}`>>,
  Expect<
    Same<IndexOf<[undefined, ...typeof organisationKinds], 'pharmacy'>, `${typeof codes.KIND_PHARMACY}`>
  >,
  Expect<Same<IndexOf<[undefined, ...typeof organisationKinds], 'insurer'>, `${typeof codes.KIND_INSURER}`>>,
  Expect<Same<IndexOf<typeof organisationStatuses, 'pending'>, `${typeof codes.ORGANISATION_PENDING}`>>,
  Expect<Same<IndexOf<typeof organisationStatuses, 'active'>, `${typeof codes.ORGANISATION_ACTIVE}`>>,
  Expect<Same<(typeof orderKinds)['length'], typeof codes.ORDER_KIND_COUNT>>,
  Expect<Same<IndexOf<[undefined, ...typeof orderKinds], 'lab'>, `${typeof codes.ORDER_KIND_LAB}`>>,
  Expect<
    Same<
      IndexOf<[undefined, ...typeof orderKinds], 'prescription'>,
      `${typeof codes.ORDER_KIND_PRESCRIPTION}`
    >
  >,
  Expect<Same<IndexOf<[undefined, ...typeof orderKinds], 'claim'>, `${typeof codes.ORDER_KIND_CLAIM}`>>,
  Expect<Same<(typeof orderStatuses)['length'], typeof codes.ORDER_STATUS_COUNT>>,
  Expect<Same<IndexOf<[undefined, ...typeof orderStatuses], 'placed'>, `${typeof codes.ORDER_PLACED}`>>,
  Expect<Same<IndexOf<[undefined, ...typeof orderStatuses], 'accepted'>, `${typeof codes.ORDER_ACCEPTED}`>>,
  Expect<
    Same<IndexOf<[undefined, ...typeof orderStatuses], 'in_progress'>, `${typeof codes.ORDER_IN_PROGRESS}`>
  >,
  Expect<Same<IndexOf<[undefined, ...typeof orderStatuses], 'completed'>, `${typeof codes.ORDER_COMPLETED}`>>,
  Expect<Same<IndexOf<[undefined, ...typeof orderStatuses], 'cancelled'>, `${typeof codes.ORDER_CANCELLED}`>>,
  Expect<Same<IndexOf<[undefined, ...typeof orderStatuses], 'rejected'>, `${typeof codes.ORDER_REJECTED}`>>,
  Expect<Same<(typeof erasureReasons)['length'], typeof codes.ERASURE_REASON_COUNT>>,
  Expect<
    Same<
      IndexOf<[undefined, ...typeof erasureReasons], 'patient-request'>,
      `${typeof codes.ERASURE_PATIENT_REQUEST}`
    >
  >,
  Expect<
    Same<
      IndexOf<[undefined, ...typeof erasureReasons], 'entered-in-error'>,
      `${typeof codes.ERASURE_ENTERED_IN_ERROR}`
    >
  >,
  Expect<Same<IndexOf<[undefined, ...typeof erasureReasons], 'moved'>, `${typeof codes.ERASURE_MOVED}`>>,
  Expect<
    Same<
      IndexOf<[undefined, ...typeof erasureReasons], 'retention-ended'>,
      `${typeof codes.ERASURE_RETENTION_ENDED}`
    >
  >,
  Expect<Same<(typeof derivationKinds)['length'], typeof codes.DERIVATION_KIND_COUNT>>,
  Expect<Same<IndexOf<[undefined, ...typeof derivationKinds], 'copy'>, `${typeof codes.DERIVATION_COPY}`>>,
  Expect<
    Same<IndexOf<[undefined, ...typeof derivationKinds], 'duplicate'>, `${typeof codes.DERIVATION_DUPLICATE}`>
  >,
  Expect<Same<IndexOf<[undefined, ...typeof derivationKinds], 'move'>, `${typeof codes.DERIVATION_MOVE}`>>,
];

/** Why a member breaks the glass (see emergency.ts). On chain: `uint8`, starting at 1. */
export const emergencyReasons = ['unconscious', 'cannot-consent', 'life-threatening', 'other'] as const;
export type EmergencyReason = (typeof emergencyReasons)[number];

/**
 * Kinds of a patient's delegate (code = index + 1, as `Delegates.sol` numbers them): people who are not
 * members of the consortium's organisations and whom a patient lets hold its consents, read only.
 */
export const delegateKinds = ['family', 'caregiver', 'researcher'] as const;
export type DelegateKind = (typeof delegateKinds)[number];

export function delegateKindCode(kind: DelegateKind): number {
  return delegateKinds.indexOf(kind) + 1;
}

export function delegateKindOfCode(code: number): DelegateKind | undefined {
  return delegateKinds[code - 1];
}

export function isDelegateKind(value: string): value is DelegateKind {
  return (delegateKinds as readonly string[]).includes(value);
}
