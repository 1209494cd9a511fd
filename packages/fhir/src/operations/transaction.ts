/**
 * `POST /fhir` with a `transaction` or `batch` Bundle: its entries become records of one patient,
 * planned by core's `planImport` (each entry's category, ids, references between entries rewritten
 * to the new ids, each resource validated) and written by the client's `importBundle` (each
 * record after those it refers to).
 *
 * A transaction is all or nothing as far as it can be on a ledger that never deletes: every entry
 * is planned and validated, and the user's append grants checked against every category, before
 * anything is written; an entry refused then refuses the whole (422 naming the entry and element,
 * 403 for a grant missing). A batch writes what it can and answers each entry's outcome.
 *
 * Record ids derive from the entries (`importRecordIdFor`), as for `medledger import`: the same
 * Bundle posted again for the same patient adds nothing twice (its entries answer 200). An entry
 * `PUT Type/id` naming a resource the patient has is an update (a new version, checked as a PUT
 * is), written after the new records.
 */
import {
  type ImportBundleReturnType,
  importBundle,
  importRecordIdFor,
  importSecretOf,
} from '@medledger/client';
import {
  AccessDeniedError,
  type FhirResource,
  InvalidInputError,
  ledgerSystems,
  MedledgerError,
  type MedledgerErrorOptions,
  type PlannedRecord,
  planImport,
  type RefusedEntry,
} from '@medledger/core';
import type { Address } from 'viem';
import { type Bundle, type BundleEntry, bundleOf } from '../bundles.ts';
import type { FhirContext } from '../context.ts';
import { addressOfId, referenceTarget } from '../fhirIds.ts';
import { type OperationOutcome, operationOutcome, outcomeOfError } from '../outcome.ts';
import { forgetListing, listPatientRecords } from '../patientRecords.ts';
import { instantOf, presentResource } from '../resources.ts';
import { invalidResource, type WriteResult } from './create.ts';
import { type PreparedUpdate, prepareUpdate, writeUpdate } from './update.ts';

interface TransactionBundle {
  resourceType: 'Bundle';
  type: 'transaction' | 'batch';
  entry?: { resource?: FhirResource; request?: { method?: string; url?: string } }[];
}

/** The HTTP status line of each refusal kind, for a batch's entries. */
const statusOfRefusal: Readonly<Record<RefusedEntry['kind'], string>> = {
  access_denied: '403 Forbidden',
  not_a_resource: '400 Bad Request',
  unsupported_method: '405 Method Not Allowed',
  unknown_resource_type: '404 Not Found',
  no_category: '422 Unprocessable Entity',
  second_patient: '422 Unprocessable Entity',
  duplicate_entry: '422 Unprocessable Entity',
  invalid_resource: '422 Unprocessable Entity',
};

function requireTransactionBundle(body: unknown): TransactionBundle {
  const bundle = body as Partial<TransactionBundle> | undefined;
  if (bundle?.resourceType !== 'Bundle' || (bundle.type !== 'transaction' && bundle.type !== 'batch')) {
    throw new InvalidInputError('POST to the base takes a Bundle of type transaction or batch.');
  }
  return bundle as TransactionBundle;
}

/** Where a refused entry is at fault: `Bundle.entry[2].resource.code`, or the entry itself. */
function entryExpression(refused: RefusedEntry): string {
  const entry = `Bundle.entry[${refused.index}]`;
  if (!refused.path) return entry;
  const dot = refused.path.indexOf('.');
  return `${entry}.resource${dot >= 0 ? refused.path.slice(dot) : ''}`;
}

/** A refused entry as a `path: message` line (the OperationOutcome's issue names the path). */
function refusalLine(refused: RefusedEntry): string {
  return `${entryExpression(refused)}: ${refused.resourceType}: ${refused.reason}`;
}

/**
 * The one patient a Bundle is for: the patient its resources reference (`Patient/0x…`) or its
 * Patient entry names (an identifier of `ledgerSystems.address`), else the user if a patient.
 */
async function patientOfBundle(context: FhirContext, bundle: TransactionBundle): Promise<Address> {
  const named = new Set<Address>();
  for (const entry of bundle.entry ?? []) {
    const resource = entry?.resource;
    if (!resource || typeof resource !== 'object') continue;
    for (const element of ['subject', 'patient', 'beneficiary']) {
      const reference = (resource[element] as { reference?: unknown } | undefined)?.reference;
      const target = typeof reference === 'string' ? referenceTarget(reference) : undefined;
      const address = target?.type === 'Patient' ? addressOfId(target.id) : undefined;
      if (address) named.add(address);
    }
    if (resource.resourceType === 'Patient' && Array.isArray(resource.identifier)) {
      for (const identifier of resource.identifier as { system?: unknown; value?: unknown }[]) {
        const address =
          identifier.system === ledgerSystems.address && typeof identifier.value === 'string'
            ? addressOfId(identifier.value)
            : undefined;
        if (address) named.add(address);
      }
    }
  }
  const [only] = named;
  if (named.size === 1 && only) return only;
  if (named.size === 0 && (await context.whoAmI()).patient?.registered) return context.client.address;
  throw invalidResource(
    named.size > 1
      ? `A Bundle is for one patient; this one names ${named.size}.`
      : 'Name the patient this Bundle is for.',
    [
      `Bundle.entry: reference the patient as Patient/0x… (their address) in subject or patient, or give a Patient entry an identifier of system ${ledgerSystems.address}`,
    ],
  );
}

/**
 * The categories the user may add records of for `patient`: all for the patient themselves, else
 * those of their active grants with `append` (to them or to their organisation).
 */
async function appendableCategories(
  context: FhirContext,
  patient: Address,
): Promise<Set<string> | undefined> {
  if (patient === context.client.address) return undefined;
  const [me, consents] = await Promise.all([context.whoAmI(), context.client.listConsents()]);
  const organisation = me.member?.organisationId;
  const categories = new Set<string>();
  for (const grant of consents.received) {
    const toMe =
      grant.grantee?.toLowerCase() === context.client.address ||
      (grant.granteeOrganisation != null && grant.granteeOrganisation === organisation);
    if (
      toMe &&
      grant.patient.toLowerCase() === patient &&
      grant.status === 'active' &&
      grant.actions.includes('append')
    ) {
      for (const category of grant.categories) categories.add(category);
    }
  }
  return categories;
}

/** A `PUT Type/id` entry naming a resource the patient has: an update (a new version), not a new record. */
interface EntryUpdate {
  index: number;
  type: string;
  fullUrl: string | undefined;
  outcome: { prepared: PreparedUpdate } | { error: unknown };
}

/** The entries that update resources the patient has, each checked as `PUT Type/id` would be. */
async function entryUpdates(
  context: FhirContext,
  bundle: TransactionBundle,
  patient: Address,
): Promise<EntryUpdate[]> {
  const records = await listPatientRecords(context, patient);
  const updates: EntryUpdate[] = [];
  for (const [index, entry] of (bundle.entry ?? []).entries()) {
    const match = /(?:^|\/)([A-Z][A-Za-z]+)\/([^/?#]+)$/.exec(entry?.request?.url ?? '');
    if (entry?.request?.method !== 'PUT' || !match) continue;
    const [, type, id] = match as unknown as [string, string, string];
    const existing =
      (type === 'Patient' && addressOfId(id) === patient) || records.chains.has(id.toLowerCase());
    if (!existing) continue;
    let outcome: EntryUpdate['outcome'];
    try {
      outcome = {
        prepared: await prepareUpdate(context, {
          type,
          id,
          body: entry.resource,
          ifMatch: (entry.request as { ifMatch?: string }).ifMatch,
        }),
      };
    } catch (error) {
      outcome = { error };
    }
    updates.push({ index, type, fullUrl: (entry as { fullUrl?: string }).fullUrl, outcome });
  }
  return updates;
}

/** `value` with each `reference` that `targets` knows rewritten (an entry's fullUrl to `Type/id`). */
function withReferences(value: unknown, targets: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => withReferences(item, targets));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      key === 'reference' && typeof item === 'string' && targets.has(item)
        ? targets.get(item)
        : withReferences(item, targets),
    ]),
  );
}

/** An error of an entry's update, saying which entry. */
function entryError(index: number, error: unknown): unknown {
  if (!(error instanceof MedledgerError)) return error;
  const Class = error.constructor as new (message: string, options: MedledgerErrorOptions) => MedledgerError;
  return new Class(`Bundle.entry[${index}]: ${error.shortMessage}`, {
    cause: error,
    ...(error.reason ? { reason: error.reason } : {}),
    ...(error.metaMessages
      ? { metaMessages: error.metaMessages.map((line) => `Bundle.entry[${index}].resource: ${line}`) }
      : {}),
  });
}

/**
 * @example
 * const response = await transaction(context, bundle, 'http://127.0.0.1:8090/fhir');
 */
export async function transaction(context: FhirContext, body: unknown, base: string): Promise<Bundle> {
  const bundle = requireTransactionBundle(body);
  const atomic = bundle.type === 'transaction';
  const entries = bundle.entry ?? [];
  const patient = await patientOfBundle(context, bundle);
  const updates = await entryUpdates(context, bundle, patient);
  const failed = updates.find((update) => 'error' in update.outcome);
  if (atomic && failed && 'error' in failed.outcome) throw entryError(failed.index, failed.outcome.error);

  // The other entries become new records; references to updated entries name them as `Type/id`.
  const updated = new Set(updates.map((update) => update.index));
  const targets = new Map(
    updates.flatMap((update) =>
      update.fullUrl && 'prepared' in update.outcome
        ? [[update.fullUrl, `${update.type}/${update.outcome.prepared.id}`] as const]
        : [],
    ),
  );
  const originalIndex = entries.flatMap((_, index) => (updated.has(index) ? [] : [index]));
  const rest = {
    ...bundle,
    entry: withReferences(
      originalIndex.map((index) => entries[index]),
      targets,
    ),
  };
  const original = <T extends { index: number }>(item: T): T => ({
    ...item,
    index: originalIndex[item.index] as number,
  });

  const recordIdFor = importRecordIdFor(await importSecretOf(context.client), patient);
  const plan = planImport(rest, { patient, recordIdFor });
  const refusedWhenPlanned = plan.refused.map(original);
  if (atomic && refusedWhenPlanned.length) {
    throw invalidResource(
      `${refusedWhenPlanned.length} of ${entries.length} entries refused; nothing was written (a transaction is all or nothing).`,
      refusedWhenPlanned.map(refusalLine),
    );
  }
  const prepared = updates.flatMap((update) =>
    'prepared' in update.outcome ? [{ index: update.index, ...update.outcome.prepared }] : [],
  );
  if (atomic) {
    const allowed = await appendableCategories(context, patient);
    const denied = allowed
      ? [...plan.records.map(original), ...prepared].filter((record) => !allowed.has(record.category))
      : [];
    if (denied.length) {
      throw new AccessDeniedError(
        `You may not add ${[...new Set(denied.map((record) => record.category))].join(', ')} records for patient ${patient}; nothing was written.`,
        { reason: 'no_consent', metaMessages: denied.map((record) => `Bundle.entry[${record.index}]`) },
      );
    }
  }
  const createdAt = Math.floor(Date.now() / 1000);
  let result: ImportBundleReturnType;
  try {
    result = plan.records.length
      ? await importBundle(context.client, {
          patient,
          bundle: rest,
          recordIdFor,
          ...(atomic ? { atomic } : {}),
        })
      : emptyImport(patient, refusedWhenPlanned.length);
  } finally {
    forgetListing(context, patient);
  }
  const planned = new Map<number, PlannedRecord>(
    plan.records.map((record) => [originalIndex[record.index] as number, record]),
  );
  const imported = result.imported.map(original);
  for (const record of imported) {
    const resource = planned.get(record.index)?.resource;
    if (resource) context.cache.set(record.recordId.toLowerCase(), JSON.stringify(resource));
  }
  const refused = plan.records.length ? result.refused.map(original) : refusedWhenPlanned;
  if (atomic && refused.length) {
    // Denied by the ledger after the check above (a grant revoked meanwhile): what was written stays.
    throw new AccessDeniedError('The ledger refused entries of the transaction; the others were written.', {
      reason: 'no_consent',
      metaMessages: refused.map(refusalLine),
    });
  }
  const written = new Map<number, { result: WriteResult } | { error: unknown }>();
  for (const update of updates) {
    if ('error' in update.outcome) {
      written.set(update.index, { error: update.outcome.error });
      continue;
    }
    try {
      written.set(update.index, { result: await writeUpdate(context, update.outcome.prepared) });
    } catch (error) {
      if (atomic) throw entryError(update.index, error);
      written.set(update.index, { error });
    }
  }
  return bundleOf(atomic ? 'transaction-response' : 'batch-response', {
    entry: entries.map((_, index) =>
      responseEntry(index, { imported, refused, planned, written, createdAt, base }),
    ),
  });
}

/** What `importBundle` answers for a Bundle with nothing to add. */
function emptyImport(patient: Address, entries: number): ImportBundleReturnType {
  return {
    patient,
    entries,
    records: 0,
    alreadyThere: 0,
    refused: [],
    byResourceType: {},
    byCategory: {},
    seconds: 0,
    imported: [],
  };
}

interface Outcomes {
  imported: ImportBundleReturnType['imported'];
  refused: RefusedEntry[];
  planned: ReadonlyMap<number, PlannedRecord>;
  written: ReadonlyMap<number, { result: WriteResult } | { error: unknown }>;
  createdAt: number;
  base: string;
}

function responseEntry(index: number, outcomes: Outcomes): BundleEntry {
  const { createdAt, base } = outcomes;
  const update = outcomes.written.get(index);
  if (update && 'result' in update) {
    const { resource, created } = update.result;
    const versionId = (resource.meta as { versionId: string }).versionId;
    return {
      fullUrl: `${base}/${resource.resourceType}/${resource.id}`,
      resource,
      response: {
        status: created ? '201 Created' : '200 OK',
        location: `${resource.resourceType}/${resource.id}/_history/${versionId}`,
        etag: `W/"${versionId}"`,
        lastModified: instantOf(createdAt),
      },
    };
  }
  if (update) {
    const { status, outcome } = outcomeOfError(entryError(index, update.error));
    return { response: { status: String(status), outcome } };
  }
  const done = outcomes.imported.find((record) => record.index === index);
  const record = outcomes.planned.get(index);
  if (done && record) {
    const added = done.status === 'added';
    return {
      fullUrl: `${base}/${done.resourceType}/${done.fhirId}`,
      resource: presentResource(record.resource, done.fhirId, { versionId: 1, createdAt }),
      response: {
        status: added ? '201 Created' : '200 OK',
        location: `${done.resourceType}/${done.fhirId}/_history/1`,
        etag: 'W/"1"',
        ...(added ? { lastModified: instantOf(createdAt) } : {}),
      },
    };
  }
  const refusal = outcomes.refused.find((entry) => entry.index === index);
  const outcome: OperationOutcome = operationOutcome([
    {
      severity: 'error',
      code:
        refusal?.kind === 'access_denied'
          ? 'forbidden'
          : refusal?.kind === 'invalid_resource'
            ? 'invalid'
            : 'not-supported',
      diagnostics: refusal ? refusalLine(refusal) : 'Not processed.',
      ...(refusal ? { expression: [entryExpression(refusal)] } : {}),
    },
  ]);
  return {
    response: { status: refusal ? statusOfRefusal[refusal.kind] : '500 Internal Server Error', outcome },
  };
}
