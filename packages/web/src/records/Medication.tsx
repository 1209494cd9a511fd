/** A medication (request, statement, dispense, administration) as medicine, dose and schedule. */
import { conceptText, dateText, isObject, type Json, list, quantityText, referenceText } from './fhirText.ts';

const periodUnits: Record<string, [string, string]> = {
  s: ['second', 'seconds'],
  min: ['minute', 'minutes'],
  h: ['hour', 'hours'],
  d: ['day', 'days'],
  wk: ['week', 'weeks'],
  mo: ['month', 'months'],
  a: ['year', 'years'],
};

/** A Timing's repeat as words: "1 time every 6 hours", "twice a day". */
export function scheduleText(timing: unknown): string | undefined {
  if (!isObject(timing)) return undefined;
  if (isObject(timing.code) && conceptText(timing.code)) return conceptText(timing.code);
  const repeat = isObject(timing.repeat) ? timing.repeat : undefined;
  if (!repeat || typeof repeat.period !== 'number' || typeof repeat.periodUnit !== 'string') return undefined;
  const frequency = typeof repeat.frequency === 'number' ? repeat.frequency : 1;
  const [one, many] = periodUnits[repeat.periodUnit] ?? [repeat.periodUnit, repeat.periodUnit];
  const times = frequency === 1 ? 'once' : frequency === 2 ? 'twice' : `${frequency} times`;
  return repeat.period === 1 ? `${times} a ${one}` : `${times} every ${repeat.period} ${many}`;
}

function doseText(dosage: Json): string | undefined {
  for (const doseAndRate of list(dosage.doseAndRate)) {
    const quantity = quantityText(doseAndRate.doseQuantity);
    if (quantity)
      return quantity.match(/^[\d.]+$/)
        ? `${quantity} ${Number(quantity) === 1 ? 'unit' : 'units'}`
        : quantity;
  }
  return undefined;
}

const statusWords: Record<string, string> = {
  active: 'Active',
  completed: 'Completed',
  stopped: 'Stopped',
  'on-hold': 'On hold',
  cancelled: 'Cancelled',
  draft: 'Draft',
  'in-progress': 'In progress',
  'entered-in-error': 'Entered in error',
};

export function Medication(props: { resource: Json }) {
  const { resource } = props;
  const medicine =
    conceptText(resource.medicationCodeableConcept) ??
    referenceText(resource.medicationReference) ??
    'Medication';
  const dosages = list(resource.dosageInstruction).concat(
    isObject(resource.dosage) ? [resource.dosage] : list(resource.dosage),
  );
  const status =
    typeof resource.status === 'string' ? (statusWords[resource.status] ?? resource.status) : undefined;
  const kind =
    resource.resourceType === 'MedicationDispense'
      ? 'Dispensed'
      : resource.resourceType === 'MedicationRequest'
        ? 'Prescription'
        : resource.resourceType === 'MedicationAdministration'
          ? 'Administered'
          : 'Medication';
  const date =
    dateText(resource.authoredOn) ??
    dateText(resource.whenHandedOver) ??
    dateText(resource.effectiveDateTime) ??
    dateText(isObject(resource.effectivePeriod) ? resource.effectivePeriod.start : undefined);
  return (
    <dl className="facts">
      <dt>{kind}</dt>
      <dd className="strong">{medicine}</dd>
      {dosages.map((dosage) => (
        <div key={JSON.stringify(dosage)} className="facts-row">
          <dt>Dose and schedule</dt>
          <dd>
            {typeof dosage.text === 'string'
              ? dosage.text
              : [
                  doseText(dosage),
                  scheduleText(dosage.timing),
                  dosage.asNeededBoolean ? 'when needed' : undefined,
                ]
                  .filter(Boolean)
                  .join(', ') || 'as directed'}
          </dd>
        </div>
      ))}
      {dosages.length === 0 && (
        <div className="facts-row">
          <dt>Dose and schedule</dt>
          <dd className="muted">not given</dd>
        </div>
      )}
      {quantityText(resource.quantity) && (
        <div className="facts-row">
          <dt>Quantity</dt>
          <dd>{quantityText(resource.quantity)}</dd>
        </div>
      )}
      {status && (
        <div className="facts-row">
          <dt>Status</dt>
          <dd>{status}</dd>
        </div>
      )}
      {date && (
        <div className="facts-row">
          <dt>Date</dt>
          <dd>{date}</dd>
        </div>
      )}
      {referenceText(
        resource.authorizingPrescription ? list(resource.authorizingPrescription)[0] : undefined,
      ) && (
        <div className="facts-row">
          <dt>For prescription</dt>
          <dd className="mono">{referenceText(list(resource.authorizingPrescription)[0])}</dd>
        </div>
      )}
    </dl>
  );
}
