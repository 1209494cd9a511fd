/** What every operation of the FHIR server takes first: the user's client and what is kept between requests. */
import type { GatewayClient, Me } from '@medledger/client';
import type { ResourceCache } from './resourceCache.ts';
import type { PatientRecords } from './resourceChains.ts';

export interface FhirContext {
  /** The gateway client acting as the user: it holds the user's keys and decrypts locally. */
  client: GatewayClient;
  /** Purpose of use of every read (HL7 ActReason), audited by the gateway. */
  purpose: string;
  /** Records read (fetched and decrypted) at once. */
  readConcurrency: number;
  cache: ResourceCache;
  /**
   * Listings kept for `listingTtlMs` by patient, so that paging through a large search does not
   * list thousands of records again for each page; forgotten when the server writes for the patient.
   */
  listings: Map<string, { expiresAt: number; records: Promise<PatientRecords> }>;
  listingTtlMs: number;
  /** Who the user is to the gateway: member, patient or both (asked once). */
  whoAmI(): Promise<Me>;
}
