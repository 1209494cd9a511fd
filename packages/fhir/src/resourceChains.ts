/**
 * What the FHIR server makes of a patient's records: resources as chains of records that supersede
 * one another (see `patientRecords.ts`, which lists and reads them).
 */
import type { RecordList } from '@medledger/client';
import type { Address, Hex } from 'viem';

export type ListedRecord = RecordList['records'][number];

/** One version of a resource: a record, listed when the user may see it. */
export interface ResourceVersion {
  recordId: Hex;
  /** 1-based place in the chain. */
  versionId: number;
  /** The record's metadata; undefined when the user may not see this version. */
  record: ListedRecord | undefined;
}

/** A resource: every known version, oldest first. */
export interface ResourceChain {
  /** The logical id: the first version's record id without `0x`. */
  id: string;
  patient: Address;
  versions: ResourceVersion[];
  /** The newest version (it may be one the user may not see). */
  latest: ResourceVersion;
}

export interface PatientRecords {
  patient: Address;
  /** The resources with at least one version the user may see, by logical id. */
  chains: Map<string, ResourceChain>;
  /** The chain of each listed record, by record id (lower case). */
  chainOfRecord: Map<string, ResourceChain>;
}
