/**
 * `Patient/0x…/$everything`: the patient's Patient and every current resource of theirs the user
 * may read (latest versions), as a searchset Bundle; `_type` narrows the types, `_count` pages
 * (all at once without it).
 */
import { InvalidInputError, NotFoundError } from '@medledger/core';
import { type Bundle, bundleOf, fullUrlOf, pageLinks } from '../bundles.ts';
import type { FhirContext } from '../context.ts';
import { addressOfId } from '../fhirIds.ts';
import { listPatientRecords } from '../patientRecords.ts';
import { currentResourcesOf, patientResourceOf, requireRegisteredPatient } from '../resources.ts';
import { maxPageSize } from './search.ts';

export interface EverythingInput {
  /** The patient's id: their address. */
  id: string;
  parameters: [string, string][];
  base: string;
  path: string;
}

/**
 * @example
 * const bundle = await everything(context, { id: patient, parameters: [], base, path: `Patient/${patient}/$everything` });
 */
export async function everything(context: FhirContext, input: EverythingInput): Promise<Bundle> {
  const patient = addressOfId(input.id);
  if (!patient) throw new NotFoundError(`No Patient with id ${input.id}.`, { reason: 'resource_not_found' });
  const types = new Set(
    input.parameters.filter(([name]) => name === '_type').flatMap(([, value]) => value.split(',')),
  );
  const countText = input.parameters.find(([name]) => name === '_count')?.[1];
  const offsetText = input.parameters.find(([name]) => name === '_offset')?.[1] ?? '0';
  for (const [name, text] of [
    ['_count', countText],
    ['_offset', offsetText],
  ] as const) {
    if (text !== undefined && !/^\d{1,9}$/.test(text)) {
      throw new InvalidInputError(`Invalid ${name} "${text}": expected a whole number.`);
    }
  }
  await requireRegisteredPatient(context, patient);
  const records = await listPatientRecords(context, patient);
  const patientResource = await patientResourceOf(context, records);
  const others = (await currentResourcesOf(context, records, undefined))
    .filter((item) => item.chain !== patientResource.chain)
    .sort(
      (a, b) =>
        (a.lastUpdated ?? 0) - (b.lastUpdated ?? 0) ||
        String(a.resource.id).localeCompare(String(b.resource.id)),
    );
  const all = [patientResource, ...others].filter(
    (item) => types.size === 0 || types.has(item.resource.resourceType),
  );
  const offset = Number(offsetText);
  const count = countText === undefined ? all.length : Math.min(Number(countText), maxPageSize);
  const page = all.slice(offset, offset + count);
  return bundleOf('searchset', {
    total: all.length,
    link:
      countText === undefined
        ? [{ relation: 'self', url: `${input.base}/${input.path}` }]
        : pageLinks(input.base, input.path, input.parameters, { offset, count, total: all.length }),
    entry: page.map((item) => ({
      fullUrl: fullUrlOf(input.base, item.resource),
      resource: item.resource,
      search: { mode: 'match' as const },
    })),
  });
}
