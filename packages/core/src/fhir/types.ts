import type { Resource } from '@medplum/fhirtypes';

/**
 * A FHIR R4 resource as a record holds it: `@medplum/fhirtypes`' `Resource` (so a resource written
 * as a literal is type-checked element by element), whose elements can also be read by name as
 * plain JSON (`resource.subject` is `unknown` until narrowed), since records carry any resource type.
 * Note that medplum's `Resource` also admits medplum's own resource types; `validateResource`
 * refuses them.
 */
export type FhirResource = Resource & { [element: string]: unknown };

/** One problem found in a resource: where (a path such as `Observation.code.coding[0]`) and what. */
export type FhirIssue = {
  path: string;
  message: string;
};
