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
 * Bundle posted again for the same patient adds nothing twice (its entries answer 200).
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
  type PlannedRecord,
  planImport,
  type RefusedEntry,
} from '@medledger/core';
import type { Address } from 'viem';
import { type Bundle, type BundleEntry, bundleOf } from '../bundles.ts';
import type { FhirContext } from '../context.ts';
import { addressOfId, referenceTarget } from '../fhirIds.ts';
import { type OperationOutcome, operationOutcome } from '../outcome.ts';
import { forgetListing } from '../patientRecords.ts';
import { instantOf, presentResource } from '../resources.ts';
import { invalidResource } from './create.ts';

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

/**
 * @example
 * const response = await transaction(context, bundle, 'http://127.0.0.1:8090/fhir');
 */
export async function transaction(context: FhirContext, body: unknown, base: string): Promise<Bundle> {
  const bundle = requireTransactionBundle(body);
  const atomic = bundle.type === 'transaction';
  const patient = await patientOfBundle(context, bundle);
  const recordIdFor = importRecordIdFor(await importSecretOf(context.client), patient);
  const plan = planImport(bundle, { patient, recordIdFor });
  if (atomic && plan.refused.length) {
    throw invalidResource(
      `${plan.refused.length} of ${bundle.entry?.length ?? 0} entries refused; nothing was written (a transaction is all or nothing).`,
      plan.refused.map(refusalLine),
    );
  }
  if (atomic) {
    const allowed = await appendableCategories(context, patient);
    const denied = allowed ? plan.records.filter((record) => !allowed.has(record.category)) : [];
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
    result = await importBundle(context.client, {
      patient,
      bundle,
      recordIdFor,
      ...(atomic ? { atomic } : {}),
    });
  } finally {
    forgetListing(context, patient);
  }
  const planned = new Map<number, PlannedRecord>(plan.records.map((record) => [record.index, record]));
  for (const imported of result.imported) {
    const record = planned.get(imported.index);
    if (record) context.cache.set(imported.recordId.toLowerCase(), JSON.stringify(record.resource));
  }
  if (atomic && result.refused.length) {
    // Denied by the ledger after the check above (a grant revoked meanwhile): what was written stays.
    throw new AccessDeniedError('The ledger refused entries of the transaction; the others were written.', {
      reason: 'no_consent',
      metaMessages: result.refused.map(refusalLine),
    });
  }
  return bundleOf(atomic ? 'transaction-response' : 'batch-response', {
    entry: responseEntries(bundle, result, planned, createdAt, base),
  });
}

function responseEntries(
  bundle: TransactionBundle,
  result: ImportBundleReturnType,
  planned: ReadonlyMap<number, PlannedRecord>,
  createdAt: number,
  base: string,
): BundleEntry[] {
  const imported = new Map(result.imported.map((record) => [record.index, record]));
  const refused = new Map(result.refused.map((entry) => [entry.index, entry]));
  return (bundle.entry ?? []).map((_, index): BundleEntry => {
    const done = imported.get(index);
    const record = planned.get(index);
    if (done && record) {
      const added = done.status === 'added';
      const resource = presentResource(record.resource, done.fhirId, { versionId: 1, createdAt });
      return {
        fullUrl: `${base}/${done.resourceType}/${done.fhirId}`,
        resource,
        response: {
          status: added ? '201 Created' : '200 OK',
          location: `${done.resourceType}/${done.fhirId}/_history/1`,
          etag: 'W/"1"',
          ...(added ? { lastModified: instantOf(createdAt) } : {}),
        },
      };
    }
    const refusal = refused.get(index);
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
  });
}
