/** One decrypted record: the readable rendering for its resource type, and the raw FHIR on request. */
import { summarizeResource } from '@medledger/core';
import { useId, useState } from 'react';
import { AddressText } from '../components/ui.tsx';
import { ClinicalNote } from './ClinicalNote.tsx';
import { Condition } from './Condition.tsx';
import { conceptText, dateText, type Json, list, referenceText } from './fhirText.ts';
import { LabResult } from './LabResult.tsx';
import { Medication } from './Medication.tsx';

const medicationTypes = new Set([
  'MedicationRequest',
  'MedicationStatement',
  'MedicationDispense',
  'MedicationAdministration',
]);
const noteTypes = new Set(['DocumentReference', 'Composition', 'ClinicalImpression', 'Communication']);

/** Who a reference names: an address (as the web app's forms write them) shown as one, else the text. */
function PersonText(props: { text: string }) {
  return /^0x[0-9a-fA-F]{40}$/.test(props.text) ? <AddressText address={props.text} /> : props.text;
}

/** The readable part of a resource, chosen by its type. */
export function ResourceBody(props: { resource: Json }) {
  const { resource } = props;
  const type = resource.resourceType;
  if (type === 'Observation') return <LabResult resource={resource} />;
  if (typeof type === 'string' && medicationTypes.has(type)) return <Medication resource={resource} />;
  if (type === 'Condition') return <Condition resource={resource} />;
  if (typeof type === 'string' && noteTypes.has(type)) return <ClinicalNote resource={resource} />;
  if (type === 'ServiceRequest') return <Order resource={resource} />;
  if (type === 'Bundle') {
    const entries = list(resource.entry)
      .map((entry) => entry.resource)
      .filter((r): r is Json => Boolean(r) && typeof r === 'object');
    return (
      <div className="bundle">
        <p className="muted">{entries.length} entries</p>
        {entries.map((entry, index) => (
          <div className="bundle-entry" key={`${entry.id ?? index}`}>
            <ResourceBody resource={entry} />
          </div>
        ))}
      </div>
    );
  }
  return <p>{summarizeResource(resource)}</p>;
}

/** A ServiceRequest (e.g. a lab order) as what is asked, why, and its status. */
function Order(props: { resource: Json }) {
  const { resource } = props;
  const reasons = list(resource.reasonCode).map(conceptText).filter(Boolean).join(', ');
  return (
    <dl className="facts">
      <dt>Order</dt>
      <dd className="strong">{conceptText(resource.code) ?? 'Service request'}</dd>
      <div className="facts-row">
        <dt>Status</dt>
        <dd>
          {String(resource.status ?? 'unknown')} ({String(resource.priority ?? 'routine')})
        </dd>
      </div>
      {reasons && (
        <div className="facts-row">
          <dt>Reason</dt>
          <dd>{reasons}</dd>
        </div>
      )}
      {dateText(resource.authoredOn) && (
        <div className="facts-row">
          <dt>Ordered</dt>
          <dd>{dateText(resource.authoredOn)}</dd>
        </div>
      )}
      {referenceText(resource.requester) && (
        <div className="facts-row">
          <dt>By</dt>
          <dd>
            <PersonText text={referenceText(resource.requester) ?? ''} />
          </dd>
        </div>
      )}
    </dl>
  );
}

export function RecordView(props: { resource: unknown }) {
  const [raw, setRaw] = useState(false);
  const rawId = useId();
  const resource = (props.resource ?? {}) as Json;
  return (
    <div className="record-view">
      <ResourceBody resource={resource} />
      <button
        type="button"
        className="link-button"
        aria-expanded={raw}
        aria-controls={rawId}
        onClick={() => setRaw(!raw)}
      >
        {raw ? 'Hide raw FHIR' : 'Show raw FHIR'}
      </button>
      {raw && (
        <pre id={rawId} className="raw-fhir">
          {JSON.stringify(resource, null, 2)}
        </pre>
      )}
    </div>
  );
}
