/**
 * For the emergency tests: FHIR resources of a chart (the emergency set and beyond), a patient whose
 * chart holds one record of each, the embedded chain's clock, and waiting for what a background
 * task writes.
 */
import type { GatewayClient } from '@medledger/client';
import type { Category, Sensitivity } from '@medledger/core';
import { sendRpcCalls } from '@medledger/ledger-node';
import type { Hex } from 'viem';
import { labResult, medication } from './records.ts';

export function condition(display = 'Diabetes mellitus type 2') {
  return {
    resourceType: 'Condition',
    clinicalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
    },
    code: { coding: [{ system: 'http://snomed.info/sct', code: '44054006', display }] },
    subject: { reference: 'Patient/example' },
  };
}

export function allergy(display = 'Allergy to penicillin') {
  return {
    resourceType: 'AllergyIntolerance',
    clinicalStatus: {
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' },
      ],
    },
    code: { coding: [{ system: 'http://snomed.info/sct', code: '91936005', display }] },
    patient: { reference: 'Patient/example' },
  };
}

/** A patient summary (LOINC 60591-5): the `emergency` category. */
export function emergencySummary() {
  return {
    resourceType: 'Composition',
    status: 'final',
    type: { coding: [{ system: 'http://loinc.org', code: '60591-5', display: 'Patient summary Document' }] },
    subject: { reference: 'Patient/example' },
    date: '2025-01-01T00:00:00Z',
    author: [{ display: 'Dr. Ada Moreau' }],
    title: 'Emergency summary',
  };
}

export function clinicalNote() {
  return {
    resourceType: 'DocumentReference',
    status: 'current',
    content: [{ attachment: { contentType: 'text/plain', data: 'Tm90ZQ==' } }],
    subject: { reference: 'Patient/example' },
  };
}

/** One record of each kind an emergency must open, and of kinds it must not. */
export const chartEntries = [
  { name: 'condition', category: 'condition', sensitivity: 'normal', resource: condition() },
  { name: 'allergy', category: 'allergy', sensitivity: 'normal', resource: allergy() },
  { name: 'medication', category: 'medication', sensitivity: 'normal', resource: medication() },
  { name: 'summary', category: 'emergency', sensitivity: 'normal', resource: emergencySummary() },
  { name: 'lab', category: 'lab', sensitivity: 'normal', resource: labResult() },
  { name: 'note', category: 'note', sensitivity: 'normal', resource: clinicalNote() },
  {
    name: 'restrictedCondition',
    category: 'condition',
    sensitivity: 'restricted',
    resource: condition('Human immunodeficiency virus infection'),
  },
  { name: 'restrictedAllergy', category: 'allergy', sensitivity: 'restricted', resource: allergy('Latex') },
] as const satisfies readonly {
  name: string;
  category: Category;
  sensitivity: Sensitivity;
  resource: unknown;
}[];

export type ChartEntryName = (typeof chartEntries)[number]['name'];
export const emergencySetEntries: ChartEntryName[] = ['condition', 'allergy', 'medication', 'summary'];
export const outsideEmergencySet: ChartEntryName[] = [
  'lab',
  'note',
  'restrictedCondition',
  'restrictedAllergy',
];

/** The patient writes one record of each chart entry; resolves with their record ids by name. */
export async function writeChart(patient: GatewayClient): Promise<Record<ChartEntryName, Hex>> {
  const ids = await Promise.all(
    chartEntries.map(async ({ name, category, sensitivity, resource }) => {
      const { recordId } = await patient.addRecord({
        patient: patient.address,
        category,
        sensitivity,
        resource,
      });
      return [name, recordId] as const;
    }),
  );
  return Object.fromEntries(ids) as Record<ChartEntryName, Hex>;
}

/** Moves the embedded chain's clock forward and mines a block at the new time. */
export async function advanceChainTime(rpcUrl: string, seconds: number): Promise<void> {
  await rpc(rpcUrl, 'evm_increaseTime', [seconds]);
  await rpc(rpcUrl, 'evm_mine', []);
}

export async function latestBlockTime(rpcUrl: string): Promise<number> {
  const block = (await rpc(rpcUrl, 'eth_getBlockByNumber', ['latest', false])) as { timestamp: Hex };
  return Number(BigInt(block.timestamp));
}

/** A call to the chain's own endpoint (the embedded anvil's socket), development methods included. */
async function rpc(rpcUrl: string, method: string, params: unknown[]): Promise<unknown> {
  const [outcome] = await sendRpcCalls(rpcUrl, [{ method, params }]);
  if (!outcome || 'error' in outcome) throw new Error(`${method}: ${outcome?.error.message}`);
  return outcome.result;
}

/**
 * Polls `probe` every `pauseMs` until it returns something other than undefined, or fails after
 * `timeoutMs`.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 15_000,
  pauseMs = 100,
): Promise<T> {
  // performance.now(): tests may replace Date.now to move the gateway's clock.
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}
