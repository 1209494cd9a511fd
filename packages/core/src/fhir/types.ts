/**
 * The minimal shape every FHIR R4 resource has. The record model does not type each resource in
 * full: it checks the elements it knows (see `r4Elements.ts`) and carries the rest as JSON.
 */
export type FhirResource = {
  resourceType: string;
  id?: string;
  [element: string]: unknown;
};

/** One problem found in a resource: where (a JSON path such as `Observation.code.coding[0]`) and what. */
export type FhirIssue = {
  path: string;
  message: string;
};
