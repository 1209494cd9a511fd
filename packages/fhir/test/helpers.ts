/**
 * For the FHIR server's tests: a real gateway (embedded anvil, contracts, SQLite, HTTP) and its
 * actors, borrowed from the gateway's own test helpers; a FHIR server per user, listening on a free
 * port of 127.0.0.1; plain HTTP calls to it; and FHIR resources to store.
 */
import type { GatewayClient } from '@medledger/client';
import type { Address } from 'viem';
import { createFhirServer, type FhirServerOptions } from '../src/index.ts';

export {
  type Consortium,
  foundConsortium,
  newMember,
  newPatient,
} from '../../server/test/helpers/actors.ts';
export { startTestGateway, type TestGateway } from '../../server/test/helpers/gateway.ts';

export interface RunningFhirServer {
  /** The base URL, …/fhir. */
  base: string;
  stop(): Promise<void>;
}

/** A FHIR server acting as `client`, on a free port of 127.0.0.1. */
export async function startFhirServer(
  client: GatewayClient,
  options: Omit<FhirServerOptions, 'client'> = {},
): Promise<RunningFhirServer> {
  const app = await createFhirServer({ client, ...options });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { base: `http://127.0.0.1:${port}/fhir`, stop: () => app.close() };
}

/** FHIR JSON as the tests read it: asserted on field by field. */
// biome-ignore lint/suspicious/noExplicitAny: the one loose type of the tests
export type Json = any;

export interface FhirAnswer {
  status: number;
  headers: Headers;
  body: Json;
}

/** One request to a FHIR server (`path` relative to its base, or a full URL from a link). */
export async function fhirCall(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<FhirAnswer> {
  const url = path.startsWith('http') ? path : `${base}/${path.replace(/^\//, '')}`;
  const response = await fetch(url, {
    method,
    headers: {
      accept: 'application/fhir+json',
      ...(options.body === undefined ? {} : { 'content-type': 'application/fhir+json' }),
      ...options.headers,
    },
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** A laboratory Observation of `patient`: LOINC `code`, taken at `effective`. */
export function labObservation(patient: Address, code: string, effective: string, value = 5.4) {
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' },
        ],
      },
    ],
    code: { coding: [{ system: 'http://loinc.org', code }], text: `LOINC ${code}` },
    subject: { reference: `Patient/${patient}` },
    effectiveDateTime: effective,
    valueQuantity: { value, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
  };
}

/** An active Condition of `patient` (SNOMED `code`), with an onset date. */
export function condition(patient: Address, code: string, onset: string) {
  return {
    resourceType: 'Condition',
    clinicalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
    },
    code: { coding: [{ system: 'http://snomed.info/sct', code }] },
    subject: { reference: `Patient/${patient}` },
    onsetDateTime: onset,
  };
}

/** An immunization of `patient` (CVX `code`), given on `date`. */
export function immunization(patient: Address, code: string, date: string) {
  return {
    resourceType: 'Immunization',
    status: 'completed',
    vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code }] },
    patient: { reference: `Patient/${patient}` },
    occurrenceDateTime: date,
  };
}

/** The resources of a Bundle's entries of search mode `mode` (all entries without one). */
export function resourcesOf(bundle: Json, mode?: string): Json[] {
  return (bundle.entry ?? [])
    .filter((entry: Json) => !mode || entry.search?.mode === mode)
    .map((entry: Json) => entry.resource);
}

/** The URL of a Bundle's link `relation`, if it has one. */
export function linkOf(bundle: Json, relation: string): string | undefined {
  return bundle.link?.find((link: Json) => link.relation === relation)?.url;
}
