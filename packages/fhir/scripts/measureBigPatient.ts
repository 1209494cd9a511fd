/**
 * Measures the FHIR server on a patient with many records: a real gateway on its embedded anvil,
 * one patient with N records (lab results, conditions, immunizations; default 6,000), then the
 * time of a listing, of searches and of `$everything`: cold (each record fetched, verified and
 * decrypted), warm (resources from the in-memory cache, the listing asked of the gateway again) and
 * hot (the listing kept too: within its 5 s).
 *
 * Usage: node packages/fhir/scripts/measureBigPatient.ts [--records N] [--concurrency C]
 */
import { parseArgs } from 'node:util';
import type { GatewayClient } from '@medledger/client';
import { foundConsortium, newPatient } from '../../server/test/helpers/actors.ts';
import { startTestGateway } from '../../server/test/helpers/gateway.ts';
import { condition, fhirCall, immunization, labObservation, startFhirServer } from '../test/helpers.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '6000' },
    concurrency: { type: 'string', default: '8' },
    writers: { type: 'string', default: '48' },
  },
});
const total = Number(values.records);
const readConcurrency = Number(values.concurrency);

function resourceNumber(
  index: number,
  patient: `0x${string}`,
): { category: 'lab' | 'condition' | 'immunization'; resource: object } {
  const day = new Date(Date.UTC(2015, 0, 1) + index * 86_400_000).toISOString().slice(0, 10);
  if (index % 10 === 9)
    return { category: 'condition', resource: condition(patient, String(100000 + (index % 50)), day) };
  if (index % 10 === 8)
    return { category: 'immunization', resource: immunization(patient, String(100 + (index % 20)), day) };
  return {
    category: 'lab',
    resource: labObservation(
      patient,
      ['4548-4', '2345-7', '2093-3', '718-7'][index % 4] as string,
      day,
      index % 100,
    ),
  };
}

async function addAll(patient: GatewayClient, writers: number): Promise<void> {
  let next = 0;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < total) {
        const index = next++;
        await patient.addRecord({ patient: patient.address, ...resourceNumber(index, patient.address) });
        done++;
        if (done % 500 === 0) {
          const seconds = (performance.now() - started) / 1000;
          process.stderr.write(`  ${done} records written (${(done / seconds).toFixed(0)}/s)\n`);
        }
      }
    }),
  );
}

async function timed<T>(what: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await run();
  console.log(`${what}: ${((performance.now() - started) / 1000).toFixed(2)} s`);
  return result;
}

const gateway = await startTestGateway();
try {
  const consortium = await foundConsortium(gateway.url);
  const patient = await newPatient(gateway.url, consortium);
  console.log(`writing ${total} records…`);
  await timed(`wrote ${total} records`, () => addAll(patient, Number(values.writers)));
  const listed = await timed('listing (GET /api/records, one call)', () =>
    patient.listRecords(patient.address),
  );
  console.log(`  ${listed.records.length} records listed`);

  const server = await startFhirServer(patient, { readConcurrency });
  try {
    const search = (query: string) => fhirCall(server.base, 'GET', query);
    const first = await timed('search Observation?code=4548-4&_count=50, cold', () =>
      search('Observation?code=4548-4&_count=50'),
    );
    console.log(`  total ${first.body.total}, page ${first.body.entry?.length ?? 0}`);
    await timed('same search, warm (listed again)', () => search('Observation?code=4548-4&_count=50'));
    await timed('same search, hot', () => search('Observation?code=4548-4&_count=50'));
    await timed('search Observation?date=ge2020&date=lt2021, hot', () =>
      search('Observation?date=ge2020&date=lt2021'),
    );
    const conditions = await timed('search Condition, cold', () => search('Condition?_count=100'));
    console.log(`  total ${conditions.body.total}`);
    const everything = await timed('Patient/$everything, Immunizations cold, the rest warm', () =>
      search(`Patient/${patient.address}/$everything`),
    );
    console.log(`  ${everything.body.total} resources, ${JSON.stringify(everything.body).length} characters`);
    await timed('Patient/$everything, hot', () => search(`Patient/${patient.address}/$everything`));
    const id = first.body.entry[0].resource.id;
    await timed('read by id, hot (anchor lookup, kept listing, cached resource)', () =>
      search(`Observation/${id}`),
    );
    await new Promise((resolve) => setTimeout(resolve, 5_100));
    await timed('Patient/$everything, warm (listed again)', () =>
      search(`Patient/${patient.address}/$everything`),
    );
  } finally {
    await server.stop();
  }
  const cold = await startFhirServer(patient, { readConcurrency });
  try {
    await timed('Patient/$everything on a new server, all cold', () =>
      fhirCall(cold.base, 'GET', `Patient/${patient.address}/$everything`),
    );
  } finally {
    await cold.stop();
  }
} finally {
  await gateway.stop();
}
