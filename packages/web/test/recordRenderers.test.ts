/**
 * The record renderers on real FHIR: Synthea patients from ../shared/data (read in place, never
 * copied), rendered with react-dom/server in Node (JSX compiled by the hook in helpers/tsxHooks.ts).
 * The Synthea set holds no clinical notes, so the note renderer is given the project's own
 * generated DocumentReference (packages/fixtures) and the web app's own note form output.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateResource } from '@medledger/fixtures';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import './helpers/tsxHooks.ts';

const { LabResult } = await import('../src/records/LabResult.tsx');
const { Medication } = await import('../src/records/Medication.tsx');
const { Condition } = await import('../src/records/Condition.tsx');
const { ClinicalNote } = await import('../src/records/ClinicalNote.tsx');
const { RecordView } = await import('../src/records/RecordView.tsx');
const { buildClinicalNote } = await import('@medledger/core');

type Json = Record<string, unknown>;

/** ../shared/data beside the repository. */
const dataDirectory = fileURLToPath(new URL('../../../../shared/data/synthea-r4/', import.meta.url));

/** Every resource of every Synthea bundle in ../shared/data. */
function syntheaResources(): Json[] {
  const files = readdirSync(dataDirectory).filter((name) => name.endsWith('.json'));
  assert.ok(files.length > 0, `no Synthea bundles in ${dataDirectory}`);
  return files.flatMap((name) => {
    const bundle = JSON.parse(readFileSync(join(dataDirectory, name), 'utf8')) as {
      entry?: { resource: Json }[];
    };
    return (bundle.entry ?? []).map((entry) => entry.resource);
  });
}

const resources = syntheaResources();

function find(predicate: (resource: Json) => boolean, what: string): Json {
  const found = resources.find(predicate);
  assert.ok(found, `the Synthea data holds no ${what}`);
  return found;
}

/** Rendered HTML reduced to its text, with cell and block boundaries as single spaces. */
function textOf(element: ReturnType<typeof createElement>): string {
  return renderToStaticMarkup(element)
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

const isLabQuantity = (r: Json) =>
  r.resourceType === 'Observation' &&
  JSON.stringify(r.category ?? '').includes('"laboratory"') &&
  typeof (r.valueQuantity as Json | undefined)?.value === 'number';

describe('lab result renderer', () => {
  it('shows the test, the value with its unit, and says when no reference range is given', () => {
    const observation = find(isLabQuantity, 'numeric lab Observation');
    const quantity = observation.valueQuantity as { value: number; unit: string };
    const name = (observation.code as { text: string }).text;
    const text = textOf(createElement(LabResult, { resource: observation }));
    assert.ok(text.includes(name), text);
    assert.ok(text.includes(quantity.unit), text);
    assert.match(
      text,
      new RegExp(
        `${String(Number(quantity.value.toPrecision(Math.abs(quantity.value) >= 100 ? 4 : 3))).replace('.', '\\.')} `,
      ),
    );
    assert.ok(text.includes('not given'), 'Synthea gives no reference range; the table says so');
  });

  it('shows a reference range and flags a value above it', () => {
    const observation = find(isLabQuantity, 'numeric lab Observation');
    const quantity = observation.valueQuantity as { value: number; unit: string };
    const withRange = {
      ...observation,
      referenceRange: [
        {
          low: { value: quantity.value / 4, unit: quantity.unit },
          high: { value: quantity.value / 2, unit: quantity.unit },
        },
      ],
    };
    const html = renderToStaticMarkup(createElement(LabResult, { resource: withRange }));
    assert.match(html, /class="out-of-range"/);
    assert.match(textOf(createElement(LabResult, { resource: withRange })), / High /);
    assert.ok(
      textOf(createElement(LabResult, { resource: withRange })).includes(
        `– ${Number((quantity.value / 2).toPrecision(3))}`,
      ),
    );
  });

  it('renders a panel’s components as rows (blood pressure)', () => {
    const panel = find(
      (r) => r.resourceType === 'Observation' && Array.isArray(r.component) && r.component.length > 1,
      'Observation with components',
    );
    const text = textOf(createElement(LabResult, { resource: panel }));
    for (const component of panel.component as { code: { text?: string; coding: { display: string }[] } }[]) {
      assert.ok(text.includes(component.code.text ?? component.code.coding[0]?.display ?? ''), text);
    }
  });
});

describe('medication renderer', () => {
  it('shows a prescription as medicine, dose and schedule', () => {
    const request = find(
      (r) => r.resourceType === 'MedicationRequest' && Array.isArray(r.dosageInstruction),
      'MedicationRequest with a dosage',
    );
    const text = textOf(createElement(Medication, { resource: request }));
    assert.ok(text.includes((request.medicationCodeableConcept as { text: string }).text), text);
    const [dosage] = request.dosageInstruction as { timing: { repeat: { period: number } } }[];
    assert.ok(dosage);
    const repeat = dosage.timing.repeat;
    assert.match(text, /Dose and schedule/);
    assert.match(
      text,
      repeat.period === 1
        ? /(once|twice|\d+ times) a (day|hour|week)/
        : /(once|twice|\d+ times) every \d+ \w+/,
    );
    assert.doesNotMatch(text, /resourceType|\{/);
  });

  it('says “not given” for a prescription without dosage', () => {
    const request = find(
      (r) => r.resourceType === 'MedicationRequest' && !r.dosageInstruction,
      'MedicationRequest without dosage',
    );
    assert.match(textOf(createElement(Medication, { resource: request })), /Dose and schedule not given/);
  });
});

describe('condition renderer', () => {
  it('shows the diagnosis, its clinical and verification status and onset', () => {
    const condition = find(
      (r) => r.resourceType === 'Condition' && typeof r.onsetDateTime === 'string',
      'Condition',
    );
    const text = textOf(createElement(Condition, { resource: condition }));
    assert.ok(text.includes((condition.code as { text: string }).text), text);
    assert.match(text, /Status (active|resolved|inactive|recurrence|remission) \(confirmed\)/);
    const year = new Date(String(condition.onsetDateTime)).getUTCFullYear();
    assert.ok(text.includes(String(year)), text);
  });

  it('shows when a resolved condition ended', () => {
    const resolved = find(
      (r) => r.resourceType === 'Condition' && typeof r.abatementDateTime === 'string',
      'resolved Condition',
    );
    assert.match(textOf(createElement(Condition, { resource: resolved })), /Resolved \d/);
  });
});

describe('clinical note renderer', () => {
  it('decodes a DocumentReference’s text attachment', () => {
    const note = generateResource('note', { seed: 7 }) as Json;
    const text = textOf(createElement(ClinicalNote, { resource: note }));
    assert.match(text, /Reason: /);
    assert.match(text, /Plan: /);
    assert.doesNotMatch(text, /This note has no readable text/);
  });

  it('shows a note written by the app’s own form, including non-ASCII text', () => {
    const note = buildClinicalNote({
      patient: `0x${'1'.repeat(40)}`,
      title: 'Follow-up',
      text: 'Glycémie stable; HbA1c 7.1 % → continue.',
      author: 'Dr Rivera',
    });
    const text = textOf(createElement(ClinicalNote, { resource: note }));
    assert.ok(text.includes('Glycémie stable; HbA1c 7.1 % → continue.'), text);
    assert.ok(text.includes('By Dr Rivera'), text);
  });
});

describe('record view', () => {
  it('renders readable content and keeps the raw FHIR behind a toggle', () => {
    const condition = find((r) => r.resourceType === 'Condition', 'Condition');
    const html = renderToStaticMarkup(createElement(RecordView, { resource: condition }));
    assert.match(html, /Show raw FHIR/);
    assert.doesNotMatch(html, /<pre/);
    assert.doesNotMatch(html, /"resourceType"/);
  });
});
