/**
 * The FHIR server against a gateway with a low limit on state-changing calls (each record read is
 * one: it is audited): a search over more records than the limit allows at once waits the limit
 * out and answers in full, instead of failing with 429.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GatewayClient } from '@medledger/client';
import { RateLimitedError } from '@medledger/core';
import {
  fhirCall,
  foundConsortium,
  labObservation,
  newPatient,
  type RunningFhirServer,
  startFhirServer,
  startTestGateway,
  type TestGateway,
} from './helpers.ts';

/** `write` waits out the gateway's limit as a person would (the set-up writes too). */
async function patiently<T>(write: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await write();
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Number(error.fields?.retryAfter ?? 1) * 1000));
    }
  }
}

describe('FHIR server under the gateway’s rate limits', () => {
  let gateway: TestGateway;
  let patient: GatewayClient;
  let fhir: RunningFhirServer;
  const records = 12;

  before(async () => {
    gateway = await startTestGateway({ rateLimits: { write: { max: 5, windowSeconds: 1 } } });
    const consortium = await patiently(() => foundConsortium(gateway.url));
    patient = await patiently(() => newPatient(gateway.url, consortium));
    for (let index = 0; index < records; index++) {
      await patiently(() =>
        patient.addRecord({
          patient: patient.address,
          category: 'lab',
          resource: labObservation(
            patient.address,
            '2345-7',
            `2024-01-${String(index + 1).padStart(2, '0')}`,
            90,
          ),
        }),
      );
    }
    fhir = await startFhirServer(patient);
  });
  after(async () => {
    await fhir?.stop();
    await gateway?.stop();
  });

  test('a search reading more records than the limit allows at once answers them all', async () => {
    const answer = await fhirCall(fhir.base, 'GET', `Observation?_count=${records}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.total, records);
    assert.equal(answer.body.entry.length, records);
  });
});
