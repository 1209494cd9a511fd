/**
 * The record model against real FHIR: the 30 Synthea R4 transaction bundles in
 * ../shared/data/synthea-r4 (beside the repository; not copied into it).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type InternalSchemaElement, isPrimitiveType } from '@medplum/core';
import { keccak256, toBytes } from 'viem';
import { InvalidInputError } from '../errors.ts';
import type { Category } from '../vocabulary.ts';
import { categoryOfResource } from './categoryOfResource.ts';
import { resourceSchema } from './fhirDefinitions.ts';
import { planImport } from './planImport.ts';
import { summarizeResource } from './summarizeResource.ts';
import type { FhirResource } from './types.ts';
import { parseResourceJson, validateResource } from './validateResource.ts';

const directory = new URL('../../../../../shared/data/synthea-r4/', import.meta.url);
const files = readdirSync(directory)
  .filter((name) => name.endsWith('.json'))
  .sort();
const bundles = files.map((name) => ({
  name,
  bundle: JSON.parse(readFileSync(new URL(name, directory), 'utf8')) as {
    entry: { resource: FhirResource }[];
  },
}));
const resources = bundles.flatMap(({ bundle }) => bundle.entry.map((entry) => entry.resource));

/** One resource of each type, the first in file order. */
const samples = new Map<string, { resource: FhirResource; category: Category }>();
for (const resource of resources) {
  const category = categoryOfResource(resource);
  if (category && !samples.has(resource.resourceType))
    samples.set(resource.resourceType, { resource, category });
}

/** The elements R4 requires of a resource type (`min` of 1 or more), as medplum indexed them. */
function requiredElements(resourceType: string): [string, InternalSchemaElement][] {
  const elements = Object.entries(resourceSchema(resourceType)?.elements ?? {});
  return elements.filter(([, element]) => element.min > 0);
}

function assertRejected(run: () => unknown, path: string) {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof InvalidInputError);
    assert.ok(error.shortMessage.includes(`${path}:`), `"${error.shortMessage}" should name ${path}`);
    return true;
  });
}

describe('Synthea R4 bundles', () => {
  it('are all there', () => {
    assert.equal(files.length, 30);
    assert.ok(resources.length > 6000);
  });

  it('every resource has a category and validates under it', () => {
    const validated = new Map<string, number>();
    for (const resource of resources) {
      const category = categoryOfResource(resource);
      assert.ok(category, `${resource.resourceType} has no category`);
      validateResource(resource, category);
      validated.set(resource.resourceType, (validated.get(resource.resourceType) ?? 0) + 1);
    }
    assert.deepEqual([...validated.keys()].sort(), [
      'AllergyIntolerance',
      'CarePlan',
      'Claim',
      'Condition',
      'DiagnosticReport',
      'Encounter',
      'ExplanationOfBenefit',
      'Goal',
      'ImagingStudy',
      'Immunization',
      'MedicationRequest',
      'Observation',
      'Organization',
      'Patient',
      'Practitioner',
      'Procedure',
    ]);
    assert.equal(validated.get('Observation'), 2930);
    assert.equal(
      [...validated.values()].reduce((sum, count) => sum + count),
      6368,
    );
  });

  it('parses each entry from JSON text too', () => {
    for (const { resource, category } of samples.values()) {
      assert.deepEqual(parseResourceJson(JSON.stringify(resource, null, 2), category), resource);
    }
  });

  it('guesses categories from Observation categories', () => {
    const byObservationCategory = new Map<string, Set<Category | undefined>>();
    for (const resource of resources) {
      if (resource.resourceType !== 'Observation') continue;
      const code = String((resource.category as { coding: { code: string }[] }[])[0]!.coding[0]!.code);
      const guesses = byObservationCategory.get(code) ?? new Set();
      guesses.add(categoryOfResource(resource));
      byObservationCategory.set(code, guesses);
    }
    assert.deepEqual(byObservationCategory.get('laboratory'), new Set(['lab']));
    assert.deepEqual(byObservationCategory.get('vital-signs'), new Set(['vitals']));
    assert.deepEqual(byObservationCategory.get('imaging'), new Set(['imaging']));
    assert.deepEqual(byObservationCategory.get('survey'), new Set(['vitals']));
  });

  it('rejects each resource type under a category that does not hold it', () => {
    for (const { resource, category } of samples.values()) {
      const wrong: Category = category === 'lab' || category === 'emergency' ? 'insurance' : 'lab';
      assertRejected(() => validateResource(resource, wrong), `${resource.resourceType}.resourceType`);
    }
    const condition = samples.get('Condition')!.resource;
    assertRejected(() => validateResource(condition, 'lab'), 'Condition.resourceType');
  });

  it('names each required element removed from a real resource', () => {
    let checked = 0;
    for (const { resource, category } of samples.values()) {
      for (const [name, element] of requiredElements(resource.resourceType)) {
        const broken: Record<string, unknown> = structuredClone(resource);
        const base = name.replace('[x]', '');
        for (const key of Object.keys(broken)) {
          const choice =
            name.endsWith('[x]') && key.startsWith(base) && /^[A-Z]/.test(key.slice(base.length));
          if (key === name || choice) delete broken[key];
        }
        assertRejected(() => validateResource(broken, category), `${resource.resourceType}.${name}`);
        checked += element.min;
      }
    }
    assert.ok(checked >= 35, `checked ${checked} required elements`);
  });

  it('names each required element given the wrong JSON type', () => {
    for (const { resource, category } of samples.values()) {
      for (const [name, element] of requiredElements(resource.resourceType)) {
        if (name.endsWith('[x]')) continue;
        const broken: Record<string, unknown> = structuredClone(resource);
        const primitive = element.type.every((type) => isPrimitiveType(type.code));
        broken[name] = element.isArray || primitive ? { wrong: true } : 'wrong';
        assertRejected(() => validateResource(broken, category), `${resource.resourceType}.${name}`);
      }
    }
  });

  it('summarizes every resource on one short line', () => {
    for (const resource of resources) {
      const summary = summarizeResource(resource);
      assert.ok(summary.startsWith(resource.resourceType), summary);
      assert.ok(summary.length <= 120 && !summary.includes('\n'), summary);
    }
    const a1c = resources.find((r) => JSON.stringify(r.code ?? '').includes('"4548-4"'))!;
    assert.match(summarizeResource(a1c), /^Observation: Hemoglobin A1c.* \d+(\.\d+)? %$/);
    const pressure = resources.find((r) => JSON.stringify(r.code ?? '').includes('"55284-4"'))!;
    assert.match(
      summarizeResource(pressure),
      /^Observation: Blood Pressure \d+(\.\d+)?\/\d+(\.\d+)? mm\[Hg\]$/,
    );
  });

  it('plan into records resource by resource: every entry kept, every reference resolved', () => {
    const patient = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
    for (const { name, bundle } of bundles) {
      const { records, refused } = planImport(bundle, {
        patient,
        recordIdFor: (entry) => keccak256(toBytes(`${name}:${entry.sourceKey}`)),
      });
      assert.deepEqual(refused, [], name);
      assert.equal(records.length, bundle.entry.length, name);
      for (const { resource, category } of records) validateResource(resource, category);
      const resources = records.map((record) => record.resource);
      assert.ok(!JSON.stringify(resources).includes('urn:uuid:'), `${name}: references left unresolved`);
      const [demographics, ...others] = resources.filter((resource) => resource.resourceType === 'Patient');
      assert.deepEqual([demographics?.id, others.length], [patient, 0], `${name}: the patient's Patient`);
      // Every resource but those that describe people and places refers to the patient.
      const aboutThePatient = records.filter(
        ({ category }) => category !== 'demographics' && category !== 'administrative',
      );
      for (const { resource } of aboutThePatient) {
        assert.ok(
          JSON.stringify(resource).includes(`"Patient/${patient}"`),
          `${name}: ${resource.resourceType}`,
        );
      }
    }
  });
});
