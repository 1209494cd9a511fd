/**
 * The directory of people: what an address is (a member with its public profile, a patient, a
 * delegate, an organisation's gateway) and the label to show for it (the core's `actorLabel`). Staff
 * names are public profiles their admins set on chain; a patient is never named.
 */
import { actorKinds } from '@medledger/core';
import type { ApiType } from './apiType.ts';
import { address, object, organisationKind, role } from './schemaParts.ts';

/** The most addresses one lookup may ask about. */
export const maxDirectoryLookup = 200;

/** `POST /api/directory/lookup`. */
export const directoryLookupBody = object(
  { addresses: { type: 'array', items: address, minItems: 1, maxItems: maxDirectoryLookup } },
  ['addresses'],
);
export type DirectoryLookupBody = ApiType<typeof directoryLookupBody>;

/** One address as the directory knows it. */
export const directoryEntry = object(
  {
    address,
    kind: { type: 'string', enum: [...actorKinds] },
    displayName: { type: 'string' },
    title: { type: 'string' },
    department: { type: 'string' },
    role,
    organisation: object({ id: { type: 'integer' }, name: { type: 'string' }, kind: organisationKind }, [
      'id',
      'name',
      'kind',
    ]),
    /** For a delegate, its patient: only to that patient and to the delegate itself. */
    delegateOf: address,
    label: { type: 'string' },
  },
  ['address', 'kind', 'label'],
);
export type DirectoryEntry = ApiType<typeof directoryEntry>;

export const directoryLookup = object({ entries: { type: 'array', items: directoryEntry } }, ['entries']);
export type DirectoryLookup = ApiType<typeof directoryLookup>;
