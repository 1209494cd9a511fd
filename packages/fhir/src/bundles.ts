/** Bundles the server answers with: searchset (search, $everything) and history. */
import type { FhirResource } from '@medledger/core';
import type { OperationOutcome } from './outcome.ts';

export interface BundleEntry {
  fullUrl?: string;
  resource?: FhirResource | OperationOutcome;
  search?: { mode: 'match' | 'include' | 'outcome' };
  request?: { method: string; url: string };
  response?: {
    status: string;
    location?: string;
    etag?: string;
    lastModified?: string;
    outcome?: OperationOutcome;
  };
}

export interface BundleLink {
  relation: string;
  url: string;
}

export interface Bundle {
  resourceType: 'Bundle';
  type: string;
  timestamp?: string;
  total?: number;
  link?: BundleLink[];
  entry?: BundleEntry[];
}

/** A Bundle; FHIR JSON has no empty arrays, so a Bundle without entries or links has none. */
export function bundleOf(
  type: string,
  parts: { total?: number; link?: BundleLink[]; entry?: BundleEntry[] },
): Bundle {
  return {
    resourceType: 'Bundle',
    type,
    timestamp: new Date().toISOString(),
    ...(parts.total === undefined ? {} : { total: parts.total }),
    ...(parts.link?.length ? { link: parts.link } : {}),
    ...(parts.entry?.length ? { entry: parts.entry } : {}),
  };
}

/** The full URL of a resource at this server. */
export function fullUrlOf(base: string, resource: FhirResource): string {
  return `${base}/${resource.resourceType}/${resource.id}`;
}

/**
 * `self`, `first`, `previous`, `next` and `last` links of a page at `offset` of `count` out of
 * `total`, on `path` with the search's other parameters. Offsets page: `_offset`.
 */
export function pageLinks(
  base: string,
  path: string,
  parameters: readonly [string, string][],
  page: { offset: number; count: number; total: number },
): BundleLink[] {
  const kept = parameters.filter(([name]) => name !== '_offset' && name !== '_count');
  const urlAt = (offset: number) => {
    const query = new URLSearchParams([...kept, ['_count', String(page.count)], ['_offset', String(offset)]]);
    return `${base}/${path}?${query}`;
  };
  const { offset, count, total } = page;
  const links: BundleLink[] = [{ relation: 'self', url: urlAt(offset) }];
  if (count === 0) return links;
  const last = total === 0 ? 0 : Math.floor((total - 1) / count) * count;
  links.push({ relation: 'first', url: urlAt(0) });
  if (offset > 0) links.push({ relation: 'previous', url: urlAt(Math.max(0, offset - count)) });
  if (offset + count < total) links.push({ relation: 'next', url: urlAt(offset + count) });
  links.push({ relation: 'last', url: urlAt(last) });
  return links;
}
