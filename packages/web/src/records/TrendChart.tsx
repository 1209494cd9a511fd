/**
 * Repeated lab values of one test over time, as an accessible SVG line chart: the value axis is
 * labelled with its unit and round ticks, the time axis with dates, the reference range shaded.
 * Drawn at phone width (the SVG scales down to its container, text stays legible).
 */
import { formatNumber } from './fhirText.ts';

export interface TrendPoint {
  at: number;
  value: number;
}

const day = 86_400_000;

/** About `count` round values (1, 2 or 5 times a power of ten apart) covering `min`..`max`. */
export function valueTicks(min: number, max: number, count = 4): number[] {
  const span = max - min || Math.abs(max) || 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((factor) => factor * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  for (let tick = Math.floor(min / step) * step; tick <= max + step / 2; tick += step) {
    ticks.push(Number(tick.toPrecision(12)));
    if (tick >= max) break;
  }
  return ticks;
}

/** At most `count` instants from `first` to `last`, both included, evenly apart. */
export function timeTicks(first: number, last: number, count = 4): number[] {
  if (last - first < day / 2) return [first];
  const ticks = Math.max(2, Math.min(count, Math.round((last - first) / day) + 1));
  return Array.from({ length: ticks }, (_, i) => first + ((last - first) * i) / (ticks - 1));
}

/** A tick's date: day and month, with the year when the trend spans years (UTC, like the records). */
export function formatTickDate(at: number, first: number, last: number): string {
  const spansYears = new Date(first).getUTCFullYear() !== new Date(last).getUTCFullYear();
  return new Date(at).toLocaleDateString('en-GB', {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'short',
    ...(spansYears ? { year: '2-digit' } : {}),
  });
}

export function TrendChart(props: {
  title: string;
  unit: string;
  points: TrendPoint[];
  low?: number;
  high?: number;
}) {
  const points = [...props.points].sort((a, b) => a.at - b.at);
  const width = 340;
  const height = 200;
  const margin = { top: 10, right: 22, bottom: 38, left: 54 };
  const values = points.map((p) => p.value).concat(props.low ?? [], props.high ?? []);
  const ticks = valueTicks(Math.min(...values), Math.max(...values));
  const min = ticks[0] ?? 0;
  const max = ticks.at(-1) ?? 1;
  const span = max - min || 1;
  const first = points[0]?.at ?? 0;
  const last = points.at(-1)?.at ?? 1;
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const x = (at: number) =>
    margin.left + (last === first ? plotWidth / 2 : ((at - first) / (last - first)) * plotWidth);
  const y = (value: number) => margin.top + plotHeight - ((value - min) / span) * plotHeight;
  const path = points
    .map((p, i) => `${i ? 'L' : 'M'}${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`)
    .join(' ');
  const summary = points
    .map(
      (p) =>
        `${new Date(p.at).toLocaleDateString('en-GB', { timeZone: 'UTC' })}: ${formatNumber(p.value)} ${props.unit}`,
    )
    .join('; ');
  const bottom = margin.top + plotHeight;
  return (
    <figure className="trend">
      <figcaption>
        {props.title} <span className="muted">({props.unit})</span>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${props.title} over time: ${summary}`}>
        {props.low !== undefined && props.high !== undefined && (
          <rect
            className="trend-range"
            x={margin.left}
            width={plotWidth}
            y={y(props.high)}
            height={Math.max(0, y(props.low) - y(props.high))}
          />
        )}
        {ticks.map((tick) => (
          <g key={tick}>
            <line
              className="trend-grid"
              x1={margin.left}
              x2={margin.left + plotWidth}
              y1={y(tick)}
              y2={y(tick)}
            />
            <text className="trend-axis" x={margin.left - 6} y={y(tick) + 4} textAnchor="end">
              {formatNumber(tick)}
            </text>
          </g>
        ))}
        <text
          className="trend-axis-title"
          transform={`translate(12 ${margin.top + plotHeight / 2}) rotate(-90)`}
          textAnchor="middle"
        >
          {props.unit}
        </text>
        <line
          className="trend-axis-line"
          x1={margin.left}
          x2={margin.left + plotWidth}
          y1={bottom}
          y2={bottom}
        />
        {timeTicks(first, last).map((tick, i, all) => (
          <g key={tick}>
            <line className="trend-axis-line" x1={x(tick)} x2={x(tick)} y1={bottom} y2={bottom + 4} />
            <text
              className="trend-axis"
              x={x(tick)}
              y={bottom + 16}
              textAnchor={
                all.length > 1 && i === 0
                  ? 'start'
                  : all.length > 1 && i === all.length - 1
                    ? 'end'
                    : 'middle'
              }
            >
              {formatTickDate(tick, first, last)}
            </text>
          </g>
        ))}
        <text className="trend-axis-title" x={margin.left + plotWidth / 2} y={height - 4} textAnchor="middle">
          Date
        </text>
        <path className="trend-line" d={path} />
        {points.map((p) => (
          <circle key={p.at} className="trend-point" cx={x(p.at)} cy={y(p.value)} r={3.5} />
        ))}
      </svg>
    </figure>
  );
}
