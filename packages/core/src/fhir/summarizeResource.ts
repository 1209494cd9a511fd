import { isObject } from './resourceTypes.ts';

const maxLength = 120;

/**
 * A short display line for a resource: its type and what it is about, e.g.
 * `Observation: Hemoglobin A1c 6.1 %`. Reads only common elements; never throws.
 *
 * @example
 * summarizeResource(resource); // 'Condition: Essential hypertension (active)'
 */
export function summarizeResource(resource: unknown): string {
  if (!isObject(resource)) return 'Unknown resource';
  const resourceType = typeof resource.resourceType === 'string' ? resource.resourceType : 'Resource';
  const detail = squeeze(describe(resourceType, resource));
  const line = detail ? `${resourceType}: ${detail}` : resourceType;
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}

function describe(resourceType: string, r: Record<string, unknown>): string {
  switch (resourceType) {
    case 'Observation':
      return join(concept(r.code), observationValue(r));
    case 'Condition':
      return join(concept(r.code), parenthesised(concept(r.clinicalStatus)));
    case 'AllergyIntolerance':
      return join(
        concept(r.code),
        parenthesised(text(r.criticality) && `criticality ${text(r.criticality)}`),
      );
    case 'MedicationRequest':
    case 'MedicationStatement':
    case 'MedicationDispense':
    case 'MedicationAdministration':
      return join(
        concept(r.medicationCodeableConcept) || reference(r.medicationReference),
        parenthesised(text(r.status)),
      );
    case 'Medication':
      return concept(r.code);
    case 'Immunization':
      return join(concept(r.vaccineCode), datePart(r.occurrenceDateTime) || text(r.occurrenceString));
    case 'Procedure':
      return join(
        concept(r.code),
        datePart(r.performedDateTime) || datePart(field(r.performedPeriod, 'start')),
      );
    case 'Encounter':
      return join(
        concept(first(r.type)) || text(field(r.class, 'display')) || text(field(r.class, 'code')),
        datePart(field(r.period, 'start')),
      );
    case 'DiagnosticReport':
    case 'ServiceRequest':
    case 'ClinicalImpression':
      return join(concept(r.code), text(r.conclusion) || text(r.description));
    case 'Specimen':
      return concept(r.type);
    case 'ImagingStudy':
      return text(r.description) || concept(first(r.procedureCode)) || modalities(r);
    case 'Media':
      return text(field(r.content, 'title')) || concept(r.type);
    case 'DocumentReference':
      return (
        text(r.description) || concept(r.type) || text(field(field(first(r.content), 'attachment'), 'title'))
      );
    case 'Composition':
      return text(r.title);
    case 'Communication':
      return concept(first(r.category)) || concept(r.topic);
    case 'Coverage':
      return join(concept(r.type), reference(first(r.payor)));
    case 'Claim':
      return join(concept(r.type), money(r.total));
    case 'ExplanationOfBenefit':
    case 'ClaimResponse':
      return join(concept(r.type), money(field(first(r.total), 'amount')), parenthesised(text(r.outcome)));
    case 'Bundle': {
      const count = Array.isArray(r.entry) ? r.entry.length : 0;
      const entries = `${count} ${count === 1 ? 'entry' : 'entries'}`;
      // A document or summary opens with a Composition: its title names the bundle.
      const title = text(field(field(first(r.entry), 'resource'), 'title'));
      return title ? `${title} (${entries})` : `${text(r.type) || 'bundle'} of ${entries}`;
    }
    default:
      return text(r.id);
  }
}

function observationValue(r: Record<string, unknown>): string {
  const single = value(r);
  if (single) return single;
  const components = Array.isArray(r.component) ? r.component.filter(isObject) : [];
  const values = components.map((component) => value(component));
  if (values.length === 0 || values.some((v) => !v)) return '';
  // Blood pressure style: "120/80 mmHg" when every component has the same unit.
  const units = new Set(components.map((component) => quantityUnit(component.valueQuantity)));
  const [unit] = units;
  if (units.size === 1 && unit && components.every((component) => isObject(component.valueQuantity))) {
    return `${components.map((component) => text(field(component.valueQuantity, 'value'))).join('/')} ${unit}`;
  }
  return values.join(', ');
}

function value(r: Record<string, unknown>): string {
  if (isObject(r.valueQuantity)) return join(text(r.valueQuantity.value), quantityUnit(r.valueQuantity));
  if (r.valueCodeableConcept !== undefined) return concept(r.valueCodeableConcept);
  if (typeof r.valueBoolean === 'boolean') return r.valueBoolean ? 'yes' : 'no';
  return text(r.valueString) || text(r.valueInteger) || text(r.valueDateTime) || text(r.valueTime);
}

function quantityUnit(quantity: unknown): string {
  return text(field(quantity, 'unit')) || text(field(quantity, 'code'));
}

function money(amount: unknown): string {
  const value = text(field(amount, 'value'));
  return value ? join(value, text(field(amount, 'currency'))) : '';
}

function modalities(r: Record<string, unknown>): string {
  const series = Array.isArray(r.series) ? r.series : [];
  const codes = series.map((s) => text(field(field(s, 'modality'), 'code'))).filter(Boolean);
  return [...new Set(codes)].join(', ');
}

function concept(value: unknown): string {
  if (!isObject(value)) return '';
  const coding = first(value.coding);
  return text(value.text) || text(field(coding, 'display')) || text(field(coding, 'code'));
}

function reference(value: unknown): string {
  return text(field(value, 'display')) || text(field(value, 'reference'));
}

function datePart(value: unknown): string {
  return text(value).slice(0, 10);
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : undefined;
}

function field(value: unknown, name: string): unknown {
  return isObject(value) ? value[name] : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function parenthesised(value: string): string {
  return value ? `(${value})` : '';
}

function join(...parts: string[]): string {
  return parts.filter(Boolean).join(' ');
}

function squeeze(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}
