import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadFhirDefinitions, requiredCodes, resourceSchema } from './fhirDefinitions.ts';
import { r4ResourceTypes } from './resourceTypes.ts';

describe('FHIR definitions', () => {
  it('load once, however often they are awaited', async () => {
    await Promise.all([loadFhirDefinitions(), loadFhirDefinitions()]);
    await loadFhirDefinitions();
    assert.equal(resourceSchema('Observation')?.elements.status?.min, 1);
  });

  it('define every R4 resource type, and none of medplum’s own or of later FHIR versions', () => {
    for (const resourceType of r4ResourceTypes) {
      assert.equal(resourceSchema(resourceType)?.name, resourceType);
    }
    for (const resourceType of ['Bot', 'Project', 'SubscriptionStatus', 'Observatio']) {
      assert.equal(resourceSchema(resourceType), undefined, resourceType);
    }
    assert.equal(resourceSchema('Meta'), undefined);
  });

  it('enumerate the codes of value sets R4 binds to code elements', () => {
    const status = requiredCodes('http://hl7.org/fhir/ValueSet/observation-status|4.0.1');
    assert.deepEqual(
      [...(status ?? [])],
      [
        'registered',
        'preliminary',
        'final',
        'amended',
        'corrected',
        'cancelled',
        'entered-in-error',
        'unknown',
      ],
    );
    assert.ok(requiredCodes('http://hl7.org/fhir/ValueSet/bundle-type')?.has('transaction'));
    // Not enumerable (all of BCP 13): left unchecked rather than refused.
    assert.equal(requiredCodes('http://hl7.org/fhir/ValueSet/mimetypes'), undefined);
  });
});
