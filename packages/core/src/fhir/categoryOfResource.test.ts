import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { categoryOfResource } from './categoryOfResource.ts';
import { categoryResourceTypes, r4ResourceTypes } from './resourceTypes.ts';

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
      ['Patient', 'demographics'],
      ['RelatedPerson', 'demographics'],
      ['Organization', 'administrative'],
      ['Practitioner', 'administrative'],
      ['Appointment', 'administrative'],
      ['CarePlan', 'careplan'],
      ['Goal', 'careplan'],
      ['FamilyMemberHistory', 'other'],
      ['Provenance', 'other'],
      ['QuestionnaireResponse', 'other'],
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
    assert.equal(categoryOfResource(bundle('collection', { resourceType: 'Patient' })), 'demographics');
    assert.equal(
      categoryOfResource(bundle('collection', { resourceType: 'Patient' }, { resourceType: 'Goal' })),
      undefined,
    );
    assert.equal(categoryOfResource(bundle('collection')), undefined);
  });

  it('gives every R4 resource type a category that holds it', () => {
    for (const resourceType of r4ResourceTypes) {
      if (resourceType === 'Bundle') continue;
      const category = categoryOfResource({ resourceType });
      assert.ok(category && categoryResourceTypes[category].includes(resourceType), resourceType);
    }
  });

  it('has no category for what is not an R4 resource', () => {
    const values = [{ resourceType: 'Observatio' }, { resourceType: 'constructor' }, {}, null, 'Condition'];
    for (const value of values) assert.equal(categoryOfResource(value), undefined);
  });
});
