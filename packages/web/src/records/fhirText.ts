/** Reading FHIR values for people: codes as their display text, quantities with units, dates. */

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** A CodeableConcept as words: its text, else its first coding's display, else its code. */
export function conceptText(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.text === 'string' && value.text) return value.text;
  for (const coding of list(value.coding)) {
    if (typeof coding.display === 'string' && coding.display) return coding.display;
  }
  const first = list(value.coding)[0];
  return typeof first?.code === 'string' ? first.code : undefined;
}

/** A Quantity as "5.4 mmol/L" (at most 4 significant digits after rounding long fractions). */
export function quantityText(value: unknown): string | undefined {
  if (!isObject(value) || typeof value.value !== 'number') return undefined;
  const unit = typeof value.unit === 'string' ? value.unit : typeof value.code === 'string' ? value.code : '';
  const comparator = typeof value.comparator === 'string' ? value.comparator : '';
  return `${comparator}${formatNumber(value.value)}${unit ? ` ${unit}` : ''}`;
}

export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(Math.abs(value) >= 100 ? 4 : 3)));
}

export function dateText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return /T\d/.test(value)
    ? date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })
    : date.toLocaleDateString('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });
}

/** A Period, Range of dates or single date field, as words. */
export function periodText(resource: Json, ...fields: string[]): string | undefined {
  for (const field of fields) {
    const value = resource[field];
    if (typeof value === 'string') return dateText(value);
    if (isObject(value) && (value.start || value.end)) {
      const start = dateText(value.start);
      const end = dateText(value.end);
      return start && end ? `${start} – ${end}` : start ? `since ${start}` : `until ${end}`;
    }
  }
  return undefined;
}

export function referenceText(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.display === 'string') return value.display;
  return typeof value.reference === 'string' ? value.reference : undefined;
}

/** The text of a base64 text/* attachment, decoded as UTF-8. */
export function attachmentText(attachment: unknown): string | undefined {
  if (!isObject(attachment) || typeof attachment.data !== 'string') return undefined;
  const type = typeof attachment.contentType === 'string' ? attachment.contentType : 'text/plain';
  if (!type.startsWith('text/')) return undefined;
  const binary = atob(attachment.data);
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** The code system and code of a concept's first coding, used to group repeated lab values. */
export function codeKey(value: unknown): string | undefined {
  const coding = isObject(value) ? list(value.coding)[0] : undefined;
  return coding && typeof coding.code === 'string' ? `${coding.system ?? ''}|${coding.code}` : undefined;
}
