/**
 * The record actions copy, duplicate and move make a new record from an existing one (the source):
 * the same content under a new FHIR id, with a note of where it came from. The note is the
 * extension `derivationExtensionUrl` (sub-extensions `action`, `source`, for a move `relation` =
 * `replaces`, and an optional `reason` such as `referral`) and a `meta.tag` of system `ledgerSystems.derivation`, so a reader of
 * the decrypted resource alone sees the provenance; the chain holds the same facts
 * (`RecordActions.derivationOf`). A move also rewrites every reference to the wrong patient into
 * the right one.
 */
import { InvalidInputError } from '../errors.ts';
import { type DerivationKind, derivationKinds } from '../vocabulary.ts';
import { ledgerSystems } from './ledgerResources.ts';
import type { FhirResource } from './types.ts';

/** The extension naming a derived resource's source record and the action that made it. */
export const derivationExtensionUrl = 'http://medledger.example/fhir/StructureDefinition/derived-from';
/** The system of the `meta.tag` a derived resource carries, coded with its action. */
export const derivationTagSystem = 'urn:medledger:derivation';

export interface DeriveResourceInput {
  /** The decrypted FHIR resource of the source record. */
  resource: unknown;
  kind: DerivationKind;
  /** The source record's id (0x and 64 hex digits). */
  sourceRecordId: string;
  /** For a move: the patient whose chart the source was wrongly filed in. */
  fromPatient?: string;
  /** For a move: the patient the record belongs to. */
  toPatient?: string;
  /** The new resource's FHIR id; a random UUID by default. */
  id?: string;
  /** Why, as a code noted with the derivation, e.g. `referral` for a copy into a referral. */
  reason?: string;
}

/** What a derived resource says about its origin (`derivationOfResource`). */
export interface ResourceDerivation {
  kind: DerivationKind;
  sourceRecordId: string;
  /** `replaces` for a move: the new record takes the place of the erased source. */
  relation?: 'replaces';
  /** The reason noted with it (`DeriveResourceInput.reason`). */
  reason?: string;
}

const addressPattern = /^0x[0-9a-fA-F]{40}$/;
const recordIdPattern = /^0x[0-9a-fA-F]{64}$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Builds the resource of a new record derived from `resource`: a deep copy with a new `id`, without
 * the source's `meta.versionId`/`meta.lastUpdated` and earlier derivation notes, carrying the
 * derivation extension and tag. For a move, every `Identifier` of system `ledgerSystems.address`
 * whose value is `fromPatient` and every `Patient/<fromPatient>` reference now name `toPatient`.
 *
 * Throws `InvalidInputError` (reason `derivation_invalid`) when the resource is not a FHIR resource,
 * the record id or addresses are malformed, or a move names no patients or the same patient twice.
 *
 * @example
 * const moved = deriveResource({ resource, kind: 'move', sourceRecordId, fromPatient, toPatient });
 */
export function deriveResource(input: DeriveResourceInput): FhirResource {
  const { kind, resource } = input;
  if (!derivationKinds.includes(kind)) invalid(`Unknown record action ${String(kind)}.`);
  if (!isObject(resource) || typeof resource.resourceType !== 'string') {
    invalid('The source is not a FHIR resource.');
  }
  if (typeof input.sourceRecordId !== 'string' || !recordIdPattern.test(input.sourceRecordId)) {
    invalid('Invalid sourceRecordId: expected 0x and 64 hex digits.');
  }
  if (input.reason !== undefined && !/^[a-z][a-z0-9-]{0,31}$/.test(input.reason)) {
    invalid('Invalid reason: expected a short code in lower case, e.g. referral.');
  }
  let copy = JSON.parse(JSON.stringify(resource)) as { [key: string]: Json };
  if (kind === 'move') {
    const from = patientAddress(input.fromPatient, 'fromPatient');
    const to = patientAddress(input.toPatient, 'toPatient');
    if (from === to) invalid('A record is moved to another patient, not to the same one.');
    copy = rewritePatient(copy, from, to) as { [key: string]: Json };
  }
  copy.id = input.id ?? crypto.randomUUID();
  const sourceRecordId = input.sourceRecordId.toLowerCase();
  copy.meta = derivedMeta(copy.meta, kind);
  const extensions = Array.isArray(copy.extension)
    ? copy.extension.filter((entry) => !(isObject(entry) && entry.url === derivationExtensionUrl))
    : [];
  extensions.push({
    url: derivationExtensionUrl,
    extension: [
      { url: 'action', valueCode: kind },
      { url: 'source', valueIdentifier: { system: ledgerSystems.record, value: sourceRecordId } },
      ...(kind === 'move' ? [{ url: 'relation', valueCode: 'replaces' }] : []),
      ...(input.reason ? [{ url: 'reason', valueCode: input.reason }] : []),
    ],
  });
  copy.extension = extensions;
  return copy as unknown as FhirResource;
}

/**
 * Reads the derivation note `deriveResource` wrote: the action and the source record, or `null`
 * when the resource was not derived (or its note is malformed).
 *
 * @example
 * const origin = derivationOfResource(resource); // { kind: 'copy', sourceRecordId: '0x…' }
 */
export function derivationOfResource(resource: unknown): ResourceDerivation | null {
  if (!isObject(resource) || !Array.isArray(resource.extension)) return null;
  const note = resource.extension.find((entry) => isObject(entry) && entry.url === derivationExtensionUrl);
  const parts = isObject(note) ? note.extension : undefined;
  if (!Array.isArray(parts)) return null;
  const part = (url: string) => parts.find((entry) => isObject(entry) && entry.url === url);
  const action = part('action');
  const source = part('source');
  const kind = isObject(action) ? action.valueCode : undefined;
  const identifier = isObject(source) ? source.valueIdentifier : undefined;
  if (!derivationKinds.includes(kind as DerivationKind) || !isObject(identifier)) return null;
  const value = identifier.value;
  if (
    identifier.system !== ledgerSystems.record ||
    typeof value !== 'string' ||
    !recordIdPattern.test(value)
  ) {
    return null;
  }
  const relation = part('relation');
  const reason = part('reason');
  return {
    kind: kind as DerivationKind,
    sourceRecordId: value.toLowerCase(),
    ...(isObject(relation) && relation.valueCode === 'replaces' ? { relation: 'replaces' as const } : {}),
    ...(isObject(reason) && typeof reason.valueCode === 'string' ? { reason: reason.valueCode } : {}),
  };
}

function derivedMeta(meta: Json | undefined, kind: DerivationKind): Json {
  const { versionId: _versionId, lastUpdated: _lastUpdated, ...rest } = isObject(meta) ? meta : {};
  const tags = Array.isArray(rest.tag)
    ? rest.tag.filter((tag) => !(isObject(tag) && tag.system === derivationTagSystem))
    : [];
  tags.push({ system: derivationTagSystem, code: kind });
  return { ...rest, tag: tags };
}

function rewritePatient(value: Json, from: string, to: string): Json {
  if (Array.isArray(value)) return value.map((item) => rewritePatient(item, from, to));
  if (!isObject(value)) return value;
  const out: { [key: string]: Json } = {};
  for (const [key, item] of Object.entries(value)) out[key] = rewritePatient(item, from, to);
  if (
    out.system === ledgerSystems.address &&
    typeof out.value === 'string' &&
    out.value.toLowerCase() === from
  ) {
    out.value = to;
  }
  if (typeof out.reference === 'string' && out.reference.toLowerCase() === `patient/${from}`) {
    out.reference = `Patient/${to}`;
  }
  return out;
}

function patientAddress(value: unknown, name: string): string {
  if (typeof value !== 'string' || !addressPattern.test(value)) {
    invalid(`A move needs ${name}: expected an address (0x and 40 hex digits).`);
  }
  return value.toLowerCase();
}

function isObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): never {
  throw new InvalidInputError(message, { reason: 'derivation_invalid' });
}
