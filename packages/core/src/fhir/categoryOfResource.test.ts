import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { categoryOfResource } from './categoryOfResource.ts';

const observation = (category?: string, loinc = '4548-4') => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: loinc }] },
  ...(category
    ? {
        category: [
          {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: category },
            ],
          },
        ],
      }
    : {}),
});
const report = (section: string) => ({
  resourceType: 'DiagnosticReport',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: section }] }],
});
const bundle = (type: string, ...resources: object[]) => ({
  resourceType: 'Bundle',
  type,
  entry: resources.map((resource) => ({ resource })),
});

describe('categoryOfResource', () => {
  it('maps resource types with a single home', () => {
    const expected: [string, string][] = [
      ['Condition', 'condition'],
      ['AllergyIntolerance', 'allergy'],
      ['MedicationRequest', 'medication'],
      ['MedicationStatement', 'medication'],
      ['Medication', 'medication'],
      ['ServiceRequest', 'lab'],
      ['Specimen', 'lab'],
      ['ImagingStudy', 'imaging'],
      ['Media', 'imaging'],
      ['DocumentReference', 'note'],
      ['Communication', 'note'],
      ['Coverage', 'insurance'],
      ['ExplanationOfBenefit', 'insurance'],
      ['Immunization', 'immunization'],
      ['Procedure', 'procedure'],
      ['Encounter', 'encounter'],
    ];
    for (const [resourceType, category] of expected)
      assert.equal(categoryOfResource({ resourceType }), category);
  });

  it('sorts Observations by their category, or by code when they have none', () => {
    assert.equal(categoryOfResource(observation('laboratory')), 'lab');
    assert.equal(categoryOfResource(observation('vital-signs')), 'vitals');
    assert.equal(categoryOfResource(observation('imaging')), 'imaging');
    assert.equal(categoryOfResource(observation('survey')), 'vitals');
    assert.equal(categoryOfResource(observation('social-history')), 'vitals');
    assert.equal(categoryOfResource(observation()), 'lab');
    assert.equal(categoryOfResource(observation(undefined, '8867-4')), 'vitals');
  });

  it('tells imaging reports from lab reports, and summaries from notes', () => {
    assert.equal(categoryOfResource(report('LAB')), 'lab');
    assert.equal(categoryOfResource(report('RAD')), 'imaging');
    assert.equal(
      categoryOfResource({ resourceType: 'Composition', type: { coding: [{ code: '11506-3' }] } }),
      'note',
    );
    assert.equal(
      categoryOfResource({ resourceType: 'Composition', type: { coding: [{ code: '60591-5' }] } }),
      'emergency',
    );
  });

  it('gives a Bundle the category its entries share, else emergency if they fit it', () => {
    assert.equal(categoryOfResource(bundle('collection', observation('laboratory'), report('LAB'))), 'lab');
    assert.equal(categoryOfResource(bundle('transaction', { resourceType: 'Immunization' })), 'immunization');
    const summary = bundle(
      'collection',
      { resourceType: 'AllergyIntolerance' },
      { resourceType: 'Condition' },
    );
    assert.equal(categoryOfResource(summary), 'emergency');
    assert.equal(categoryOfResource({ ...summary, type: 'transaction' }), undefined);
    assert.equal(categoryOfResource(bundle('collection', { resourceType: 'Patient' })), undefined);
    assert.equal(categoryOfResource(bundle('collection')), undefined);
  });

  it('has no category for what no record holds', () => {
    for (const value of [{ resourceType: 'Patient' }, { resourceType: 'CarePlan' }, {}, null, 'Condition']) {
      assert.equal(categoryOfResource(value), undefined);
    }
  });
});
