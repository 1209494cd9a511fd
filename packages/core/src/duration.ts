import { InvalidInputError } from './errors.ts';

const unitSeconds: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * Seconds in a duration such as `90s`, `30m`, `1h`, `7d`, `2w` (one number and one unit).
 *
 * @example
 * parseDuration('1h'); // 3600
 */
export function parseDuration(text: string): number {
  const match = /^(\d{1,9})([smhdw])$/.exec(text.trim());
  if (!match) {
    throw new InvalidInputError(
      `Invalid duration "${text}": use a number and a unit, e.g. 90s, 30m, 1h, 7d, 2w.`,
    );
  }
  const seconds = Number(match[1]) * (unitSeconds[match[2] as string] ?? 0);
  if (seconds <= 0) throw new InvalidInputError(`Invalid duration "${text}": it must be longer than zero.`);
  return seconds;
}
