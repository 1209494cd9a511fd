import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '../errors.ts';
import type { Category } from '../vocabulary.ts';
import { categories } from '../vocabulary.ts';
import { listResourceIssues } from './listResourceIssues.ts';
import { categoryResourceTypes } from './resourceTypes.ts';
import type { FhirResource } from './types.ts';
import { maxResourceBytes, parseResourceJson, validateResource } from './validateResource.ts';

const patient = { reference: 'Patient/p1' };
const concept = (code: string, text = code) => ({ coding: [{ system: 'http://loinc.org', code }], text });
const observationCategory = (code: string) => [
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code }] },
];

/** The smallest valid example of each resource type the categories hold: only required elements. */
const minimal: Record<string, FhirResource> = {
  Condition: { resourceType: 'Condition', subject: patient },
  MedicationRequest: {
    resourceType: 'MedicationRequest',
    status: 'active',
    intent: 'order',
    medicationCodeableConcept: concept('313782'),
    subject: patient,
  },
  MedicationStatement: {
    resourceType: 'MedicationStatement',
    status: 'active',
    medicationReference: { reference: 'Medication/m1' },
    subject: patient,
  },
  MedicationDispense: {
    resourceType: 'MedicationDispense',
    status: 'completed',
    medicationCodeableConcept: concept('1'),
  },
  MedicationAdministration: {
    resourceType: 'MedicationAdministration',
    status: 'completed',
    medicationCodeableConcept: concept('1'),
    subject: patient,
    effectiveDateTime: '2024-01-02T10:00:00Z',
  },
  Medication: { resourceType: 'Medication' },
  // ait-1: clinicalStatus unless the allergy is entered in error.
  AllergyIntolerance: { resourceType: 'AllergyIntolerance', patient, clinicalStatus: concept('active') },
  Observation: { resourceType: 'Observation', status: 'final', code: concept('4548-4') },
  DiagnosticReport: { resourceType: 'DiagnosticReport', status: 'final', code: concept('58410-2') },
  ServiceRequest: { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: patient },
  Specimen: { resourceType: 'Specimen' },
  ImagingStudy: { resourceType: 'ImagingStudy', status: 'available', subject: patient },
  Media: {
    resourceType: 'Media',
    status: 'completed',
    content: { contentType: 'image/png', url: 'https://x/1.png' },
  },
  DocumentReference: {
    resourceType: 'DocumentReference',
    status: 'current',
    content: [{ attachment: { contentType: 'text/plain', data: 'aGVsbG8=' } }],
  },
  Composition: {
    resourceType: 'Composition',
    status: 'final',
    type: concept('60591-5'),
    date: '2024-01-02',
    author: [{ reference: 'Practitioner/d1' }],
    title: 'Patient summary',
  },
  ClinicalImpression: { resourceType: 'ClinicalImpression', status: 'completed', subject: patient },
  Communication: { resourceType: 'Communication', status: 'completed' },
  Coverage: {
    resourceType: 'Coverage',
    status: 'active',
    beneficiary: patient,
    payor: [{ display: 'Acme' }],
  },
  Claim: {
    resourceType: 'Claim',
    status: 'active',
    type: concept('professional'),
    use: 'claim',
    patient,
    created: '2024-01-02',
    provider: { reference: 'Organization/o1' },
    priority: concept('normal'),
    insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/c1' } }],
  },
  ExplanationOfBenefit: {
    resourceType: 'ExplanationOfBenefit',
    status: 'active',
    type: concept('professional'),
    use: 'claim',
    patient,
    created: '2024-01-02',
    insurer: { display: 'Acme' },
    provider: { reference: 'Organization/o1' },
    outcome: 'complete',
    insurance: [{ focal: true, coverage: { reference: 'Coverage/c1' } }],
  },
  ClaimResponse: {
    resourceType: 'ClaimResponse',
    status: 'active',
    type: concept('professional'),
    use: 'claim',
    patient,
    created: '2024-01-02',
    insurer: { display: 'Acme' },
    outcome: 'complete',
  },
  Immunization: {
    resourceType: 'Immunization',
    status: 'completed',
    vaccineCode: concept('140'),
    patient,
    occurrenceDateTime: '2024-01-02',
  },
  Procedure: { resourceType: 'Procedure', status: 'completed', subject: patient },
  Encounter: { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' } },
  Patient: { resourceType: 'Patient' },
  RelatedPerson: { resourceType: 'RelatedPerson', patient },
  Person: { resourceType: 'Person' },
  Organization: { resourceType: 'Organization', name: 'Acme Clinic' },
  OrganizationAffiliation: { resourceType: 'OrganizationAffiliation' },
  Practitioner: { resourceType: 'Practitioner' },
  PractitionerRole: { resourceType: 'PractitionerRole' },
  Location: { resourceType: 'Location' },
  HealthcareService: { resourceType: 'HealthcareService' },
  Endpoint: {
    resourceType: 'Endpoint',
    status: 'active',
    connectionType: { code: 'hl7-fhir-rest' },
    payloadType: [concept('any')],
    address: 'https://fhir.example.org/r4',
  },
  Device: { resourceType: 'Device' },
  Group: { resourceType: 'Group', type: 'person', actual: true },
  Account: { resourceType: 'Account', status: 'active' },
  Schedule: { resourceType: 'Schedule', actor: [{ reference: 'Practitioner/d1' }] },
  Slot: {
    resourceType: 'Slot',
    schedule: { reference: 'Schedule/s1' },
    status: 'free',
    start: '2024-01-02T10:00:00Z',
    end: '2024-01-02T10:30:00Z',
  },
  // app-3: only a proposed or cancelled appointment may lack a start and an end.
  Appointment: {
    resourceType: 'Appointment',
    status: 'proposed',
    participant: [{ actor: patient, status: 'needs-action' }],
  },
  AppointmentResponse: {
    resourceType: 'AppointmentResponse',
    appointment: { reference: 'Appointment/a1' },
    actor: patient,
    participantStatus: 'accepted',
  },
  CarePlan: { resourceType: 'CarePlan', status: 'active', intent: 'plan', subject: patient },
  CareTeam: { resourceType: 'CareTeam' },
  Goal: {
    resourceType: 'Goal',
    lifecycleStatus: 'active',
    description: { text: 'Walk daily' },
    subject: patient,
  },
  EpisodeOfCare: { resourceType: 'EpisodeOfCare', status: 'active', patient },
  RequestGroup: { resourceType: 'RequestGroup', status: 'active', intent: 'plan' },
  // nor-1: an oral diet, a supplement or an enteral formula.
  NutritionOrder: {
    resourceType: 'NutritionOrder',
    status: 'active',
    intent: 'order',
    patient,
    dateTime: '2024-01-02',
    oralDiet: { type: [concept('low-salt')] },
  },
  RiskAssessment: { resourceType: 'RiskAssessment', status: 'final', subject: patient },
  DetectedIssue: { resourceType: 'DetectedIssue', status: 'final' },
  Flag: { resourceType: 'Flag', status: 'active', code: concept('fall-risk'), subject: patient },
  FamilyMemberHistory: {
    resourceType: 'FamilyMemberHistory',
    status: 'completed',
    patient,
    relationship: concept('MTH'),
  },
  QuestionnaireResponse: { resourceType: 'QuestionnaireResponse', status: 'completed' },
  Provenance: {
    resourceType: 'Provenance',
    target: [{ reference: 'Condition/c1' }],
    recorded: '2024-01-02T10:00:00Z',
    agent: [{ who: { reference: 'Practitioner/d1' } }],
  },
  Task: { resourceType: 'Task', status: 'requested', intent: 'order' },
  Basic: { resourceType: 'Basic', code: concept('referral') },
};

/** `other` holds every type no other category does; these few stand for it. */
const otherExamples = ['FamilyMemberHistory', 'QuestionnaireResponse', 'Provenance', 'Task', 'Basic'];

function exampleFor(category: Category, resourceType: string): FhirResource {
  if (resourceType === 'Bundle') {
    return { resourceType: 'Bundle', type: 'collection', entry: [{ resource: minimal.Condition }] };
  }
  const example = structuredClone(minimal[resourceType]!);
  if (resourceType === 'Observation' && category === 'imaging')
    example.category = observationCategory('imaging');
  if (resourceType === 'Observation' && category === 'vitals')
    example.category = observationCategory('vital-signs');
  return example;
}

function rejects(run: () => unknown, path: string, message?: RegExp) {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof InvalidInputError, `expected InvalidInputError, got ${error}`);
    assert.equal(error.code, 'invalid_input');
    assert.ok(error.shortMessage.includes(`${path}:`), `"${error.shortMessage}" should name ${path}`);
    if (message) assert.match(error.shortMessage, message);
    return true;
  });
}

describe('validateResource', () => {
  it('has an example of every type of every category (of other, a few)', () => {
    for (const category of categories) {
      const types = category === 'other' ? otherExamples : categoryResourceTypes[category];
      for (const resourceType of types) {
        assert.ok(resourceType === 'Bundle' || minimal[resourceType], `${resourceType} (${category})`);
        assert.ok(categoryResourceTypes[category].includes(resourceType), `${resourceType} (${category})`);
      }
    }
  });

  for (const category of categories) {
    for (const resourceType of category === 'other' ? otherExamples : categoryResourceTypes[category]) {
      it(`accepts a minimal ${resourceType} as ${category}`, () => {
        const example = exampleFor(category, resourceType);
        assert.deepEqual(validateResource(example, category), example);
      });
    }
  }

  it('returns a plain JSON copy of its input', () => {
    const input = { ...minimal.Observation!, valueString: 'x', note: undefined };
    const output = validateResource(input, 'lab');
    assert.notEqual(output, input);
    assert.deepEqual(output, { ...minimal.Observation, valueString: 'x' });
  });

  it('rejects what is not a resource', () => {
    rejects(
      () => validateResource([], 'lab'),
      '$',
      /expected a FHIR resource \(a JSON object\), got an array/,
    );
    rejects(() => validateResource(null, 'lab'), '$', /got null/);
    rejects(() => validateResource('Observation', 'lab'), '$', /got a string/);
    rejects(() => validateResource({ status: 'final' }, 'lab'), '$.resourceType', /expected a string/);
    rejects(
      () => validateResource({ resourceType: 'Observatio' }, 'lab'),
      '$.resourceType',
      /not a FHIR R4 resource/,
    );
    assert.throws(() => validateResource(undefined, 'lab'), /not serialisable/);
    const cyclic: Record<string, unknown> = { resourceType: 'Observation' };
    cyclic.self = cyclic;
    assert.throws(() => validateResource(cyclic, 'lab'), InvalidInputError);
  });

  it('rejects a resource type the category does not hold', () => {
    rejects(
      () => validateResource(minimal.Condition, 'lab'),
      'Condition.resourceType',
      /not accepted for category lab/,
    );
    rejects(() => validateResource(minimal.Coverage, 'emergency'), 'Coverage.resourceType');
    rejects(
      () => validateResource({ resourceType: 'Patient', id: 'p1' }, 'condition'),
      'Patient.resourceType',
      /expected Condition, Bundle/,
    );
  });

  it('keeps lab and vitals Observations apart', () => {
    const lab = { ...minimal.Observation!, category: observationCategory('laboratory') };
    const vital = { ...minimal.Observation!, category: observationCategory('vital-signs') };
    rejects(() => validateResource(lab, 'vitals'), 'Observation.resourceType', /belongs to category lab/);
    rejects(
      () => validateResource(vital, 'lab'),
      'Observation.resourceType',
      /laboratory or none, got vital-signs/,
    );
    rejects(() => validateResource(lab, 'imaging'), 'Observation.resourceType', /category imaging/);
    assert.ok(validateResource(lab, 'lab'));
    assert.ok(validateResource(lab, 'emergency'));
    assert.ok(validateResource(minimal.Observation, 'vitals'));
  });

  it('names each missing required element', () => {
    const cases: [string, string, Category][] = [
      ['Observation', 'status', 'lab'],
      ['Observation', 'code', 'lab'],
      ['Condition', 'subject', 'condition'],
      ['MedicationRequest', 'intent', 'medication'],
      ['AllergyIntolerance', 'patient', 'allergy'],
      ['Immunization', 'vaccineCode', 'immunization'],
      ['Encounter', 'class', 'encounter'],
      ['Claim', 'priority', 'insurance'],
      ['Claim', 'insurance', 'insurance'],
      ['ExplanationOfBenefit', 'outcome', 'insurance'],
      ['Coverage', 'payor', 'insurance'],
      ['DocumentReference', 'content', 'note'],
      ['Composition', 'title', 'note'],
      ['ImagingStudy', 'subject', 'imaging'],
      ['ServiceRequest', 'intent', 'lab'],
    ];
    for (const [resourceType, element, category] of cases) {
      const { [element]: _removed, ...rest } = minimal[resourceType]!;
      rejects(
        () => validateResource(rest, category),
        `${resourceType}.${element}`,
        /missing required property/,
      );
    }
    rejects(
      () =>
        validateResource({ resourceType: 'Bundle', entry: [{ resource: minimal.Condition }] }, 'condition'),
      'Bundle.type',
      /missing required property/,
    );
  });

  it('names a missing or doubled choice element', () => {
    const { medicationCodeableConcept: _m, ...noMedication } = minimal.MedicationRequest!;
    rejects(
      () => validateResource(noMedication, 'medication'),
      'MedicationRequest.medication[x]',
      /missing required property/,
    );
    const { occurrenceDateTime: _o, ...noOccurrence } = minimal.Immunization!;
    rejects(() => validateResource(noOccurrence, 'immunization'), 'Immunization.occurrence[x]');
    rejects(
      () => validateResource({ ...minimal.Observation!, valueString: 'a', valueBoolean: true }, 'lab'),
      'Observation.value[x]',
      /expected only one of its types, got valueString and valueBoolean/,
    );
    rejects(
      () => validateResource({ ...minimal.Immunization!, occurrenceDateTime: 'yesterday' }, 'immunization'),
      'Immunization.occurrence[x]',
      /invalid dateTime format/,
    );
  });

  it('checks code values against small required value sets', () => {
    rejects(
      () => validateResource({ ...minimal.Observation!, status: 'done' }, 'lab'),
      'Observation.status',
      /registered \| preliminary \| final/,
    );
    rejects(
      () => validateResource({ ...minimal.Encounter!, status: 'closed' }, 'encounter'),
      'Encounter.status',
    );
    rejects(() => validateResource({ ...minimal.Claim!, use: 'bill' }, 'insurance'), 'Claim.use');
    rejects(
      () => validateResource({ ...minimal.AllergyIntolerance!, criticality: 'severe' }, 'allergy'),
      'AllergyIntolerance.criticality',
    );
    rejects(
      () =>
        validateResource(
          { resourceType: 'Bundle', type: 'bag', entry: [{ resource: minimal.Condition }] },
          'condition',
        ),
      'Bundle.type',
    );
  });

  it('names elements of the wrong JSON type, however deep', () => {
    rejects(
      () => validateResource({ ...minimal.Observation!, code: 'A1c' }, 'lab'),
      'Observation.code',
      /expected a CodeableConcept \(a JSON object\), got a string/,
    );
    rejects(
      () => validateResource({ ...minimal.Observation!, status: 1 }, 'lab'),
      'Observation.status',
      /invalid JSON type: expected string, but got number/,
    );
    rejects(
      () => validateResource({ ...minimal.Observation!, valueQuantity: { value: '6.1', unit: '%' } }, 'lab'),
      'Observation.value[x].value',
      /invalid JSON type: expected number, but got string/,
    );
    rejects(
      () => validateResource({ ...minimal.Observation!, code: { coding: { code: 'x' } } }, 'lab'),
      'Observation.code.coding',
      /expected array of values/,
    );
    rejects(
      () =>
        validateResource({ ...minimal.Observation!, code: { coding: [{ code: 'x' }, { code: 7 }] } }, 'lab'),
      'Observation.code.coding[1].code',
    );
    rejects(
      () => validateResource({ ...minimal.Condition!, subject: {} }, 'condition'),
      'Condition.subject',
      /empty object/,
    );
    rejects(
      () => validateResource({ ...minimal.Composition!, author: { display: 'Dr' } }, 'note'),
      'Composition.author',
    );
    rejects(
      () => validateResource({ ...minimal.Coverage!, payor: [] }, 'insurance'),
      'Coverage.payor',
      /non-empty/,
    );
    rejects(
      () => validateResource({ ...minimal.Encounter!, class: [{ code: 'AMB' }] }, 'encounter'),
      'Encounter.class',
    );
    rejects(
      () =>
        validateResource(
          {
            ...minimal.Claim!,
            insurance: [{ sequence: 0, focal: 'yes', coverage: { reference: 'Coverage/1' } }],
          },
          'insurance',
        ),
      'Claim.insurance[0].sequence',
      /expected number to be in the range 1\.\.2147483647/,
    );
    rejects(
      () =>
        validateResource(
          { ...minimal.DocumentReference!, content: [{ attachment: { data: 'not base64!' } }] },
          'note',
        ),
      'DocumentReference.content[0].attachment.data',
    );
    rejects(
      () => validateResource({ ...minimal.Observation!, issued: '2024-01-02' }, 'lab'),
      'Observation.issued',
      /invalid instant format/,
    );
  });

  it('checks contained resources and Bundle entries as resources', () => {
    rejects(
      () =>
        validateResource(
          { ...minimal.Claim!, contained: [{ resourceType: 'Coverage', status: 'active' }] },
          'insurance',
        ),
      'Claim.contained[0].beneficiary',
    );
    const bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: minimal.Observation }, { resource: { ...minimal.Observation!, status: 'done' } }],
    };
    rejects(() => validateResource(bundle, 'lab'), 'Bundle.entry[1].resource.status');
  });

  it('accepts a Bundle whose entries all fit the category, and no other', () => {
    const bundle = (type: string, ...resources: FhirResource[]) => ({
      resourceType: 'Bundle',
      type,
      // bdl-9, bdl-10: a document has an identifier and a timestamp.
      ...(type === 'document'
        ? {
            identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:1' },
            timestamp: '2024-01-02T10:00:00Z',
          }
        : {}),
      // bdl-3: the entries of a transaction say what to do with them.
      entry: resources.map((resource) =>
        type === 'transaction'
          ? { resource, request: { method: 'POST', url: resource.resourceType } }
          : { resource },
      ),
    });
    assert.ok(
      validateResource(bundle('transaction', minimal.Observation!, minimal.DiagnosticReport!), 'lab'),
    );
    assert.ok(
      validateResource(bundle('document', minimal.Composition!, minimal.AllergyIntolerance!), 'emergency'),
    );
    rejects(
      () => validateResource(bundle('collection', minimal.Observation!, minimal.Condition!), 'lab'),
      'Bundle.entry[1].resource.resourceType',
    );
    rejects(
      () => validateResource(bundle('transaction', minimal.Condition!), 'emergency'),
      'Bundle.type',
      /document or collection/,
    );
    rejects(() => validateResource(bundle('collection'), 'lab'), 'Bundle.entry', /at least one entry/);
    rejects(
      () =>
        validateResource(
          bundle('collection', bundle('collection', minimal.Condition!) as FhirResource),
          'condition',
        ),
      'Bundle.entry[0].resource.resourceType',
      /cannot nest/,
    );
    rejects(
      () =>
        validateResource(
          { resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'urn:x' }] },
          'lab',
        ),
      'Bundle.entry[0].resource',
    );
  });

  it('checks the invariants of R4 (FHIRPath constraints)', () => {
    const { clinicalStatus: _c, ...noStatus } = minimal.AllergyIntolerance!;
    rejects(() => validateResource(noStatus, 'allergy'), 'AllergyIntolerance', /constraint ait-1 not met/);
    rejects(
      () =>
        validateResource(
          { ...minimal.Observation!, valueString: 'x', dataAbsentReason: concept('unknown') },
          'lab',
        ),
      'Observation',
      /constraint obs-6 not met/,
    );
    const enteredInError = {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification',
          code: 'entered-in-error',
        },
      ],
    };
    assert.ok(validateResource({ ...noStatus, verificationStatus: enteredInError }, 'allergy'));
  });

  it("refuses elements R4 does not define, medplum's additions to Meta included", () => {
    rejects(
      () => validateResource({ ...minimal.Observation!, colour: 'red' }, 'lab'),
      'Observation.colour',
      /invalid additional property "colour"/,
    );
    rejects(
      () => validateResource({ ...minimal.Observation!, meta: { project: 'p1' } }, 'lab'),
      'Observation.meta.project',
    );
    assert.ok(validateResource({ ...minimal.Observation!, meta: { versionId: '2' } }, 'lab'));
  });

  it('refuses a primitive where an object belongs, and an object where a primitive does', () => {
    for (const wrong of [5, true, 'Patient/p1', null]) {
      rejects(
        () => validateResource({ ...minimal.Observation!, subject: wrong }, 'lab'),
        'Observation.subject',
        /expected a Reference \(a JSON object\)/,
      );
    }
    rejects(
      () => validateResource({ ...minimal.Observation!, valueQuantity: 6.1 }, 'lab'),
      'Observation.valueQuantity',
      /expected a Quantity \(a JSON object\), got a number/,
    );
    rejects(
      () => validateResource({ ...minimal.Observation!, status: { id: 'x' } }, 'lab'),
      'Observation.status',
      /expected a code \(a JSON string\), got an object/,
    );
  });

  it('refuses empty objects and arrays anywhere, extensions of primitives included', () => {
    rejects(
      () => validateResource({ ...minimal.Observation!, _status: {} }, 'lab'),
      'Observation._status',
      /non-empty object/,
    );
    rejects(
      () => validateResource({ ...minimal.Observation!, _status: { extension: [] } }, 'lab'),
      'Observation._status.extension',
      /non-empty array/,
    );
    assert.ok(
      validateResource(
        { ...minimal.Observation!, _status: { extension: [{ url: 'https://x/e', valueString: 'y' }] } },
        'lab',
      ),
    );
  });

  it('checks dates against the calendar', () => {
    assert.ok(validateResource({ ...minimal.Observation!, effectiveDateTime: '2024-02-29' }, 'lab'));
    rejects(
      () => validateResource({ ...minimal.Observation!, effectiveDateTime: '2023-02-29' }, 'lab'),
      'Observation.effective[x]',
      /invalid dateTime value/,
    );
  });

  it('checks the id format', () => {
    assert.ok(validateResource({ ...minimal.Observation!, id: 'a-B.9' }, 'lab'));
    rejects(() => validateResource({ ...minimal.Observation!, id: 'no spaces' }, 'lab'), 'Observation.id');
    rejects(() => validateResource({ ...minimal.Observation!, id: 'x'.repeat(65) }, 'lab'), 'Observation.id');
    rejects(() => validateResource({ ...minimal.Observation!, id: 7 }, 'lab'), 'Observation.id');
  });

  it('refuses resources larger than the limit', () => {
    const big = { ...minimal.Observation!, valueString: 'x'.repeat(maxResourceBytes) };
    assert.throws(() => validateResource(big, 'lab'), /larger than 5242880 bytes/);
    // Multi-byte characters count as their UTF-8 size.
    const wide = { ...minimal.Observation!, valueString: 'é'.repeat(maxResourceBytes / 2) };
    assert.throws(() => validateResource(wide, 'lab'), /larger than/);
  });

  it('refuses nesting beyond the depth limit', () => {
    let section: Record<string, unknown> = { title: 'leaf' };
    for (let level = 0; level < 100; level++) section = { title: `level ${level}`, section: [section] };
    assert.throws(
      () => validateResource({ ...minimal.Composition!, section: [section] }, 'note'),
      /for category note: Composition(\.section\[0\])+: nested more than 64 levels deep/,
    );
  });

  it('lists every problem in metaMessages', () => {
    try {
      validateResource({ resourceType: 'Observation', status: 'done', valueInteger: 1.5 }, 'lab');
      assert.fail('should throw');
    } catch (error) {
      assert.ok(error instanceof InvalidInputError);
      assert.deepEqual(error.metaMessages, [
        'Observation.code: missing required property',
        'Observation.value[x]: expected number to be an integer',
        'Observation.status: expected one of registered | preliminary | final | amended | corrected | cancelled | entered-in-error | unknown, got "done"',
      ]);
      assert.equal(error.details, '3 problems found');
    }
    assert.deepEqual(listResourceIssues(minimal.Observation, 'lab'), []);
  });
});

describe('parseResourceJson', () => {
  it('parses and validates', () => {
    assert.deepEqual(parseResourceJson(JSON.stringify(minimal.Encounter), 'encounter'), minimal.Encounter);
  });

  it('rejects text that is not JSON', () => {
    assert.throws(
      () => parseResourceJson('{"resourceType": "Observation",', 'lab'),
      (error: unknown) => error instanceof InvalidInputError && /not valid JSON/.test(error.shortMessage),
    );
  });

  it('rejects JSON that is not a valid resource, naming the path', () => {
    rejects(
      () => parseResourceJson('{"resourceType":"Encounter","status":"finished"}', 'encounter'),
      'Encounter.class',
    );
    rejects(() => parseResourceJson('42', 'encounter'), '$');
  });

  it('refuses text larger than the limit before parsing it', () => {
    assert.throws(() => parseResourceJson(' '.repeat(maxResourceBytes + 1), 'lab'), /larger than/);
  });
});
