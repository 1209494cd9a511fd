/**
 * How people are named on screen and in the CLI: one label per address, from what the gateway's
 * directory knows of it (`POST /api/directory/lookup`). Staff are named by the profile their
 * organisation's admin set on chain; patients are never named (their names never leave their records).
 */
import { withArticle } from './words.ts';

/** What an address is, as the directory tells it. */
export const actorKinds = ['member', 'patient', 'delegate', 'organisation-gateway', 'unknown'] as const;
export type ActorKind = (typeof actorKinds)[number];

/** The directory's entry for one address (the fields `actorLabel` reads). */
export interface ActorDescription {
  address: string;
  kind: ActorKind;
  /** A member's display name, when its admin set a profile. */
  displayName?: string;
  /** A member's title ("Dr"), when set. */
  title?: string;
  /** A member's department, when set. */
  department?: string;
  /** A member's role ('doctor', ...). */
  role?: string;
  /** A member's organisation, or the organisation whose gateway relays from this address. */
  organisation?: { id: number; name: string; kind: string };
  /** For a delegate, the patient it acts for, when the directory may tell the caller. */
  delegateOf?: string;
}

/** `0xbb90…5c76`: the first four and last four hex digits of an address. */
export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

/**
 * The words that name an address: "Dr Ana Silva (doctor, St Mary)", "A nurse of St Mary (0x12ab…9f00)"
 * for a member without a profile, "a patient", "a delegate", "the gateway of St Mary",
 * "Unknown 0xbb90…5c76".
 *
 * @example
 * actorLabel({ address, kind: 'member', title: 'Dr', displayName: 'Ana Silva', role: 'doctor',
 *   organisation: { id: 1, name: 'St Mary', kind: 'hospital' } }); // 'Dr Ana Silva (doctor, St Mary)'
 */
export function actorLabel(entry: ActorDescription): string {
  switch (entry.kind) {
    case 'member': {
      const about = [entry.role, entry.organisation?.name].filter(Boolean).join(', ');
      if (entry.displayName) {
        const name = entry.title ? `${entry.title} ${entry.displayName}` : entry.displayName;
        return about ? `${name} (${about})` : name;
      }
      const what = entry.role ? withArticle(entry.role) : 'A member';
      const of = entry.organisation ? ` of ${entry.organisation.name}` : '';
      return `${capitalise(what)}${of} (${shortAddress(entry.address)})`;
    }
    case 'patient':
      return 'a patient';
    case 'delegate':
      return entry.delegateOf ? `a delegate of ${shortAddress(entry.delegateOf)}` : 'a delegate';
    case 'organisation-gateway':
      return entry.organisation ? `the gateway of ${entry.organisation.name}` : 'an organisation’s gateway';
    case 'unknown':
      return `Unknown ${shortAddress(entry.address)}`;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
