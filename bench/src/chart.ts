/**
 * The concurrency sweep as an SVG chart, written by hand (no chart library): two panels side by
 * side, throughput and p99 latency against requests under way, one line per operation.
 */
import type { Figures } from './stats.ts';

export type Sweep = Record<string, { write: Figures; read: Figures }>;

const colours = { write: '#c0392b', read: '#2471a3' } as const;
const panel = { width: 420, height: 300, left: 64, right: 24, top: 40, bottom: 48 };

export function sweepChart(sweep: Sweep, title: string): string {
  const levels = Object.keys(sweep)
    .map(Number)
    .sort((a, b) => a - b);
  const panels = [
    drawPanel(levels, sweep, 'perSec', 'operations per second', 0),
    drawPanel(levels, sweep, 'p99Ms', 'p99 latency (ms)', panel.width),
  ];
  const width = panel.width * 2;
  const height = panel.height + 28;
  const legend = (Object.keys(colours) as (keyof typeof colours)[])
    .map(
      (name, i) =>
        `<rect x="${width - 240 + i * 115}" y="10" width="12" height="12" fill="${colours[name]}"/>` +
        `<text x="${width - 224 + i * 115}" y="21">capacity ${name}</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="12" y="21" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    legend,
    `<g transform="translate(0 28)">${panels.join('')}</g>`,
    '</svg>',
    '',
  ].join('\n');
}

function drawPanel(
  levels: number[],
  sweep: Sweep,
  key: 'perSec' | 'p99Ms',
  label: string,
  offsetX: number,
): string {
  const plotWidth = panel.width - panel.left - panel.right;
  const plotHeight = panel.height - panel.top - panel.bottom;
  const values = levels.flatMap((level) => {
    const point = sweep[String(level)];
    return point ? [point.write[key], point.read[key]] : [];
  });
  const max = niceCeiling(Math.max(1, ...values.filter(Number.isFinite)));
  // Concurrency levels grow geometrically: equal steps on the x axis.
  const x = (i: number) =>
    panel.left + (levels.length > 1 ? (i / (levels.length - 1)) * plotWidth : plotWidth / 2);
  const y = (value: number) => panel.top + plotHeight - (value / max) * plotHeight;
  const parts: string[] = [`<g transform="translate(${offsetX} 0)">`];
  parts.push(`<text x="${panel.left}" y="${panel.top - 14}" font-weight="bold">${escapeXml(label)}</text>`);
  for (let tick = 0; tick <= 4; tick++) {
    const value = (max / 4) * tick;
    parts.push(
      `<line x1="${panel.left}" x2="${panel.left + plotWidth}" y1="${y(value)}" y2="${y(value)}" stroke="#ddd"/>`,
      `<text x="${panel.left - 6}" y="${y(value) + 4}" text-anchor="end">${formatTick(value)}</text>`,
    );
  }
  levels.forEach((level, i) => {
    parts.push(`<text x="${x(i)}" y="${panel.top + plotHeight + 16}" text-anchor="middle">${level}</text>`);
  });
  parts.push(
    `<text x="${panel.left + plotWidth / 2}" y="${panel.height - 12}" text-anchor="middle">requests under way (concurrency)</text>`,
  );
  for (const name of ['write', 'read'] as const) {
    const points = levels
      .map((level, i) => ({ i, value: sweep[String(level)]?.[name][key] }))
      .filter((point): point is { i: number; value: number } => Number.isFinite(point.value));
    if (!points.length) continue;
    parts.push(
      `<polyline fill="none" stroke="${colours[name]}" stroke-width="2" points="${points
        .map((point) => `${x(point.i).toFixed(1)},${y(point.value).toFixed(1)}`)
        .join(' ')}"/>`,
      ...points.map(
        (point) =>
          `<circle cx="${x(point.i).toFixed(1)}" cy="${y(point.value).toFixed(1)}" r="3" fill="${colours[name]}"><title>${name} at ${levels[point.i]}: ${point.value}</title></circle>`,
      ),
    );
  }
  parts.push('</g>');
  return parts.join('');
}

function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}

function formatTick(value: number): string {
  return value >= 100 ? String(Math.round(value)) : String(Math.round(value * 10) / 10);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
