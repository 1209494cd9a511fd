/** Repeated lab values of one test over time, as a small accessible SVG line chart. */
import { formatNumber } from './fhirText.ts';

export interface TrendPoint {
  at: number;
  value: number;
}

export function TrendChart(props: {
  title: string;
  unit: string;
  points: TrendPoint[];
  low?: number;
  high?: number;
}) {
  const points = [...props.points].sort((a, b) => a.at - b.at);
  const width = 320;
  const height = 120;
  const pad = 28;
  const values = points.map((p) => p.value).concat(props.low ?? [], props.high ?? []);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const first = points[0]?.at ?? 0;
  const last = points.at(-1)?.at ?? 1;
  const x = (at: number) => pad + ((at - first) / (last - first || 1)) * (width - 2 * pad);
  const y = (value: number) => height - pad / 2 - ((value - min) / span) * (height - pad);
  const path = points
    .map((p, i) => `${i ? 'L' : 'M'}${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`)
    .join(' ');
  const summary = points
    .map(
      (p) =>
        `${new Date(p.at).toLocaleDateString('en-GB', { timeZone: 'UTC' })}: ${formatNumber(p.value)} ${props.unit}`,
    )
    .join('; ');
  return (
    <figure className="trend">
      <figcaption>
        {props.title} <span className="muted">({props.unit})</span>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${props.title} over time: ${summary}`}>
        {props.low !== undefined && props.high !== undefined && (
          <rect
            className="trend-range"
            x={pad}
            width={width - 2 * pad}
            y={y(props.high)}
            height={Math.max(0, y(props.low) - y(props.high))}
          />
        )}
        <text className="trend-axis" x={2} y={y(max) + 4}>
          {formatNumber(max)}
        </text>
        <text className="trend-axis" x={2} y={y(min) + 4}>
          {formatNumber(min)}
        </text>
        <path className="trend-line" d={path} />
        {points.map((p) => (
          <circle key={p.at} className="trend-point" cx={x(p.at)} cy={y(p.value)} r={3.5} />
        ))}
      </svg>
    </figure>
  );
}
