/** A laboratory Observation (or a result's components) as a table: test, value with units, reference range, flag. */
import { conceptText, dateText, isObject, type Json, list, quantityText } from './fhirText.ts';

interface Row {
  test: string;
  value: string;
  range: string | undefined;
  flag: 'high' | 'low' | 'normal' | undefined;
}

function rangeText(ranges: Json[]): string | undefined {
  const range = ranges[0];
  if (!range) return undefined;
  if (typeof range.text === 'string') return range.text;
  const low = quantityText(range.low);
  const high = quantityText(range.high);
  if (low && high) {
    const unit = isObject(range.high) && typeof range.high.unit === 'string' ? range.high.unit : '';
    return `${low.replace(` ${unit}`, '')} – ${high}`;
  }
  if (low) return `≥ ${low}`;
  if (high) return `≤ ${high}`;
  return undefined;
}

function flagOf(value: unknown, ranges: Json[], interpretation: unknown): Row['flag'] {
  const code = list(list(interpretation)[0]?.coding)[0]?.code;
  if (code === 'H' || code === 'HH') return 'high';
  if (code === 'L' || code === 'LL') return 'low';
  if (code === 'N') return 'normal';
  const range = ranges[0];
  if (!isObject(value) || typeof value.value !== 'number' || !range) return undefined;
  const low = isObject(range.low) && typeof range.low.value === 'number' ? range.low.value : undefined;
  const high = isObject(range.high) && typeof range.high.value === 'number' ? range.high.value : undefined;
  if (high !== undefined && value.value > high) return 'high';
  if (low !== undefined && value.value < low) return 'low';
  return low !== undefined || high !== undefined ? 'normal' : undefined;
}

function valueText(item: Json): string {
  return (
    quantityText(item.valueQuantity) ??
    conceptText(item.valueCodeableConcept) ??
    (typeof item.valueString === 'string' ? item.valueString : undefined) ??
    (typeof item.valueBoolean === 'boolean' ? (item.valueBoolean ? 'yes' : 'no') : undefined) ??
    (item.dataAbsentReason ? `not available (${conceptText(item.dataAbsentReason)})` : '—')
  );
}

function rowOf(item: Json, fallbackName: string): Row {
  const ranges = list(item.referenceRange);
  return {
    test: conceptText(item.code) ?? fallbackName,
    value: valueText(item),
    range: rangeText(ranges),
    flag: flagOf(item.valueQuantity, ranges, item.interpretation),
  };
}

export function LabResult(props: { resource: Json }) {
  const { resource } = props;
  const components = list(resource.component);
  const rows = components.length
    ? components.map((component) => rowOf(component, 'Component'))
    : [rowOf(resource, 'Result')];
  const when = dateText(resource.effectiveDateTime) ?? dateText(resource.issued);
  return (
    <div className="lab-result">
      {components.length > 0 && <p className="record-subtitle">{conceptText(resource.code)}</p>}
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">Test</th>
            <th scope="col">Result</th>
            <th scope="col">Reference range</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={`${row.test}-${row.value}`}
              className={row.flag && row.flag !== 'normal' ? 'out-of-range' : undefined}
            >
              <th scope="row">{row.test}</th>
              <td>
                {row.value}
                {row.flag && row.flag !== 'normal' && (
                  <span className={`flag flag-${row.flag}`}> {row.flag === 'high' ? 'High' : 'Low'}</span>
                )}
              </td>
              <td>{row.range ?? <span className="muted">not given</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {when && <p className="muted">Taken {when}</p>}
    </div>
  );
}
