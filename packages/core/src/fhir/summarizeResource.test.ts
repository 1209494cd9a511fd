import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarizeResource } from './summarizeResource.ts';

const concept = (text: string) => ({ coding: [{ system: 'http://loinc.org', code: '1', display: text }] });

describe('summarizeResource', () => {
  it('names the resource and its main value', () => {
    assert.equal(
      summarizeResource({
        resourceType: 'Observation',
        code: { text: 'Hemoglobin A1c', ...concept('Hemoglobin A1c/Hemoglobin.total in Blood') },
        valueQuantity: { value: 6.1, unit: '%' },
      }),
      'Observation: Hemoglobin A1c 6.1 %',
    );
    assert.equal(
      summarizeResource({
        resourceType: 'Observation',
        code: concept('Blood pressure'),
        component: [
          { code: concept('Systolic'), valueQuantity: { value: 120, code: 'mm[Hg]' } },
          { code: concept('Diastolic'), valueQuantity: { value: 80, code: 'mm[Hg]' } },
        ],
      }),
      'Observation: Blood pressure 120/80 mm[Hg]',
    );
    assert.equal(
      summarizeResource({
        resourceType: 'Condition',
        code: concept('Asthma'),
        clinicalStatus: { coding: [{ code: 'active' }] },
      }),
      'Condition: Asthma (active)',
    );
    assert.equal(
      summarizeResource({
        resourceType: 'MedicationRequest',
        status: 'active',
        medicationReference: { display: 'Aspirin' },
      }),
      'MedicationRequest: Aspirin (active)',
    );
    assert.equal(
      summarizeResource({
        resourceType: 'Claim',
        type: { text: 'professional' },
        total: { value: 120.5, currency: 'USD' },
      }),
      'Claim: professional 120.5 USD',
    );
    assert.equal(
      summarizeResource({
        resourceType: 'Bundle',
        type: 'collection',
        entry: [{ resource: { title: 'Emergency summary' } }],
      }),
      'Bundle: Emergency summary (1 entry)',
    );
  });

  it('copes with sparse or odd input', () => {
    assert.equal(summarizeResource({ resourceType: 'Observation' }), 'Observation');
    assert.equal(summarizeResource({ resourceType: 'Patient', id: 'p1' }), 'Patient: p1');
    assert.equal(summarizeResource(null), 'Unknown resource');
    assert.equal(
      summarizeResource({ resourceType: 'Observation', code: 42, valueQuantity: 'x' }),
      'Observation',
    );
    const long = summarizeResource({ resourceType: 'Composition', title: 'x'.repeat(500) });
    assert.equal(long.length, 120);
    assert.ok(long.endsWith('…'));
  });
});
