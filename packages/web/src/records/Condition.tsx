/** A Condition (diagnosis or problem) as its name, clinical and verification status, onset and resolution. */
import { conceptText, type Json, periodText } from './fhirText.ts';

export function Condition(props: { resource: Json }) {
  const { resource } = props;
  const clinical = conceptText(resource.clinicalStatus);
  const verification = conceptText(resource.verificationStatus);
  const onset = periodText(resource, 'onsetDateTime', 'onsetPeriod');
  const abated = periodText(resource, 'abatementDateTime', 'abatementPeriod');
  const severity = conceptText(resource.severity);
  const note = Array.isArray(resource.note)
    ? (resource.note as Json[]).map((n) => n.text).filter((t) => typeof t === 'string')
    : [];
  return (
    <dl className="facts">
      <dt>Diagnosis</dt>
      <dd className="strong">{conceptText(resource.code) ?? 'Condition'}</dd>
      <div className="facts-row">
        <dt>Status</dt>
        <dd>
          {clinical ?? 'unknown'}
          {verification ? ` (${verification})` : ''}
        </dd>
      </div>
      {severity && (
        <div className="facts-row">
          <dt>Severity</dt>
          <dd>{severity}</dd>
        </div>
      )}
      {onset && (
        <div className="facts-row">
          <dt>Onset</dt>
          <dd>{onset}</dd>
        </div>
      )}
      {abated && (
        <div className="facts-row">
          <dt>Resolved</dt>
          <dd>{abated}</dd>
        </div>
      )}
      {note.length > 0 && (
        <div className="facts-row">
          <dt>Note</dt>
          <dd>{note.join(' ')}</dd>
        </div>
      )}
    </dl>
  );
}
