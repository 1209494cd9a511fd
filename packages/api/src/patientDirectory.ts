/**
 * The patient directory area: finding a patient without an address, off chain. A patient asks its
 * gateway for a one-time desk code and shows it; a member of an organisation the gateway serves
 * redeems it for the patient's address. An organisation keeps its own identifiers (MRNs) of its
 * patients in its gateway's database. Names never come here: a patient's profile is an encrypted
 * record, and searching by name happens in the member's client.
 */
import type { ApiType } from './apiType.ts';
import { address, object } from './schemaParts.ts';

/** The characters of a desk code: no 0/O, 1/I/L, so that it is read out and typed without doubt. */
export const deskCodeAlphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
/** How many characters a desk code has: 31^8 ≈ 8.5 × 10^11 codes. */
export const deskCodeLength = 8;
/** How long a desk code stays live after it is issued. */
export const deskCodeLifetimeSeconds = 600;

const deskCode = {
  type: 'string',
  pattern: `^[${deskCodeAlphabet}]{${deskCodeLength}}$`,
  description: `${deskCodeLength} characters of ${deskCodeAlphabet} (shown as XXXX-XXXX; send without the hyphen)`,
} as const;

/** `POST /api/patient-directory/desk-codes`: nothing to say; the signed-in patient gets a code. */
export const issueDeskCodeBody = object({});

/** A new desk code: the patient's one live code (an earlier one no longer works). */
export const deskCodeIssued = object(
  { code: deskCode, expiresAt: { type: 'integer', description: 'unix seconds' } },
  ['code', 'expiresAt'],
);
export type DeskCodeIssued = ApiType<typeof deskCodeIssued>;

/** `POST /api/patient-directory/desk-codes/redemption`: a code a patient showed. */
export const redeemDeskCodeBody = object({ code: deskCode }, ['code']);
export type RedeemDeskCodeBody = ApiType<typeof redeemDeskCodeBody>;

/** Whose code it was, for the organisation of the member who redeemed it. */
export const deskCodeRedeemed = object({ patient: address, organisationId: { type: 'integer' } }, [
  'patient',
  'organisationId',
]);
export type DeskCodeRedeemed = ApiType<typeof deskCodeRedeemed>;

const identifierSystem = {
  type: 'string',
  minLength: 1,
  maxLength: 200,
  pattern: '^[\\x21-\\x7e]+$',
  description: 'the identifier system, e.g. urn:oid:… or the organisation’s MRN namespace (printable ASCII)',
} as const;
const identifierValue = {
  type: 'string',
  minLength: 1,
  maxLength: 100,
  pattern: '^[\\x21-\\x7e]+$',
  description: 'the identifier, e.g. an MRN (printable ASCII, no spaces)',
} as const;

/** `POST /api/patient-directory/identifiers`: an identifier of the caller's organisation for a patient. */
export const assignIdentifierBody = object(
  { patient: address, system: identifierSystem, value: identifierValue },
  ['patient', 'system', 'value'],
);
export type AssignIdentifierBody = ApiType<typeof assignIdentifierBody>;

/** An identifier an organisation keeps for a patient. */
export const patientIdentifier = object(
  {
    organisationId: { type: 'integer' },
    system: { type: 'string' },
    value: { type: 'string' },
    patient: address,
    assignedBy: address,
    assignedAt: { type: 'integer', description: 'unix seconds' },
  },
  ['organisationId', 'system', 'value', 'patient', 'assignedBy', 'assignedAt'],
);
export type PatientIdentifier = ApiType<typeof patientIdentifier>;

/** `POST /api/patient-directory/identifier-lookups`: which patient the caller's organisation keeps under it. */
export const lookUpIdentifierBody = object({ system: identifierSystem, value: identifierValue }, [
  'system',
  'value',
]);
export type LookUpIdentifierBody = ApiType<typeof lookUpIdentifierBody>;

/** `GET /api/patient-directory/identifiers?patient=`: whose identifiers. */
export const identifierListQuery = object({ patient: address }, ['patient']);

/** The identifiers the caller may see of a patient: all of them for the patient, its organisation's for a member. */
export const identifierList = object({ identifiers: { type: 'array', items: patientIdentifier } }, [
  'identifiers',
]);
export type IdentifierList = ApiType<typeof identifierList>;
