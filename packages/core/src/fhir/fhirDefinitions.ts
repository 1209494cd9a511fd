import { getDataType, type InternalTypeSchema, indexStructureDefinitionBundle } from '@medplum/core';
import type { StructureDefinition } from '@medplum/fhirtypes';
import { MedledgerError } from '../errors.ts';

/** The content of `generated/r4Definitions.json` (see packages/core/scripts/generateFhirDefinitions.ts). */
type R4Definitions = {
  structureDefinitions: StructureDefinition[];
  requiredCodes: Record<string, string[]>;
};

type Loaded = {
  /** Resource StructureDefinitions by type, indexed into `@medplum/core` on first use. */
  resources: ReadonlyMap<string, StructureDefinition>;
  requiredCodes: Map<string, ReadonlySet<string>>;
};

let loaded: Loaded | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the FHIR R4 definitions that validation needs (~2 MB of JSON, a chunk of its own in the
 * web app's bundle). A browser must await it once before the first `validateResource`; in Node,
 * validation loads them itself on first use, synchronously. Idempotent.
 *
 * @example
 * await loadFhirDefinitions();
 * validateResource(observation, 'lab');
 */
export function loadFhirDefinitions(): Promise<void> {
  if (loaded) return Promise.resolve();
  const inNode = readDefinitionsInNode();
  if (inNode) {
    use(inNode);
    return Promise.resolve();
  }
  loading ??= import('./generated/r4Definitions.json', { with: { type: 'json' } }).then(
    (module) => {
      use(module.default as unknown as R4Definitions);
    },
    (cause: unknown) => {
      loading = undefined;
      throw cause;
    },
  );
  return loading;
}

const indexedResourceTypes = new Set<string>();

/**
 * The schema `@medplum/core` validates a resource type against, indexed on first use (indexing all
 * 148 resource types up front would cost ~250 ms); `undefined` for a type R4 does not define.
 */
export function resourceSchema(resourceType: string): InternalTypeSchema | undefined {
  if (!indexedResourceTypes.has(resourceType)) {
    const definition = definitions().resources.get(resourceType);
    if (!definition) return undefined;
    indexStructureDefinitionBundle([definition]);
    indexedResourceTypes.add(resourceType);
  }
  return getDataType(resourceType);
}

/** The codes of a value set R4 binds (`required`) to a `code` element; `undefined` if not enumerable. */
export function requiredCodes(valueSet: string): ReadonlySet<string> | undefined {
  return definitions().requiredCodes.get(valueSet.split('|')[0] ?? valueSet);
}

function definitions(): Loaded {
  if (loaded) return loaded;
  const definitions = readDefinitionsInNode();
  if (!definitions) {
    throw new MedledgerError('FHIR definitions are not loaded: await loadFhirDefinitions() first', {
      reason: 'fhir_definitions_not_loaded',
    });
  }
  return use(definitions);
}

function use(definitions: R4Definitions): Loaded {
  if (loaded) return loaded;
  const resources = new Map<string, StructureDefinition>();
  const dataTypes: StructureDefinition[] = [];
  for (const definition of definitions.structureDefinitions) {
    if (definition.kind === 'resource') resources.set(definition.type, definition);
    else dataTypes.push(definition);
  }
  indexStructureDefinitionBundle(dataTypes);
  const requiredCodes = new Map<string, ReadonlySet<string>>();
  for (const [url, codes] of Object.entries(definitions.requiredCodes)) {
    requiredCodes.set(url, new Set(codes));
  }
  loaded = { resources, requiredCodes };
  return loaded;
}

/**
 * In Node the definitions are read synchronously, by package name so that this also works from a
 * bundle (the CLI's) that lives elsewhere; browsers have no `process` and return `undefined`.
 */
function readDefinitionsInNode(): R4Definitions | undefined {
  const nodeModule = globalThis.process?.getBuiltinModule?.('node:module');
  if (!nodeModule) return undefined;
  return nodeModule.createRequire(import.meta.url)(
    '@medledger/core/fhir/r4Definitions.json',
  ) as R4Definitions;
}
