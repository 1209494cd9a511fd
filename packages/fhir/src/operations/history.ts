/**
 * `_history` of a resource: a history Bundle of the versions the user may see, newest first. The
 * first version was a create (POST), each later one an update (PUT) superseding the one before.
 */
import { AccessDeniedError } from '@medledger/core';
import { type Bundle, type BundleEntry, bundleOf, fullUrlOf } from '../bundles.ts';
import type { FhirContext } from '../context.ts';
import { factsOf, instantOf, presentResource } from '../resources.ts';
import { locateResource, type ResourceAddress, readVersion } from './read.ts';

/**
 * @example
 * const bundle = await history(context, { type: 'Observation', id }, 'http://127.0.0.1:8090/fhir');
 */
export async function history(context: FhirContext, address: ResourceAddress, base: string): Promise<Bundle> {
  const located = await locateResource(context, address);
  const versions = [...(located.chain?.versions ?? [])].filter((version) => version.record).reverse();
  const entry: BundleEntry[] = [];
  for (const version of versions) {
    let stored: Awaited<ReturnType<typeof readVersion>>;
    try {
      stored = await readVersion(context, version);
    } catch (error) {
      if (error instanceof AccessDeniedError) continue;
      throw error;
    }
    if (stored.resourceType !== address.type) continue;
    const resource = presentResource(stored, located.id, factsOf(version));
    const first = version.versionId === 1;
    entry.push({
      fullUrl: fullUrlOf(base, resource),
      resource,
      request: {
        method: first ? 'POST' : 'PUT',
        url: first ? address.type : `${address.type}/${located.id}`,
      },
      response: {
        status: first ? '201' : '200',
        etag: `W/"${version.versionId}"`,
        lastModified: instantOf(factsOf(version).createdAt),
      },
    });
  }
  return bundleOf('history', { total: entry.length, entry });
}
