/**
 * The lab trend chart: round ticks on the value axis with the unit as its title, dates on the time
 * axis, rendered with react-dom/server (JSX compiled by helpers/tsxHooks.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import './helpers/tsxHooks.ts';

const { TrendChart, timeTicks, valueTicks, formatTickDate } = await import('../src/records/TrendChart.tsx');

const day = 86_400_000;

test('value ticks are round and cover the values', () => {
  assert.deepEqual(valueTicks(12.1, 14.8), [12, 13, 14, 15]);
  assert.deepEqual(valueTicks(0, 100), [0, 50, 100]);
  const ticks = valueTicks(3.3, 97);
  assert.ok((ticks[0] ?? Number.NaN) <= 3.3 && (ticks.at(-1) ?? 0) >= 97, ticks.join());
  assert.ok(ticks.length >= 3 && ticks.length <= 7, ticks.join());
  assert.deepEqual(valueTicks(5, 5), [4, 6], 'one value sits between two ticks');
});

test('time ticks run from the first to the last day, and dates carry the year across years', () => {
  const first = Date.UTC(2026, 0, 10);
  assert.deepEqual(timeTicks(first, first + 90 * day), [
    first,
    first + 30 * day,
    first + 60 * day,
    first + 90 * day,
  ]);
  assert.deepEqual(timeTicks(first, first + day), [first, first + day]);
  assert.deepEqual(timeTicks(first, first), [first]);
  assert.equal(formatTickDate(first, first, first + 90 * day), '10 Jan');
  assert.equal(formatTickDate(first, first, Date.UTC(2027, 1, 1)), '10 Jan 26');
});

test('the chart labels its value axis with the unit and its time axis with dates', () => {
  const html = renderToStaticMarkup(
    createElement(TrendChart, {
      title: 'Hemoglobin',
      unit: 'g/dL',
      low: 12,
      high: 16,
      points: [
        { at: Date.UTC(2026, 2, 1), value: 13.1 },
        { at: Date.UTC(2026, 5, 1), value: 14.2 },
        { at: Date.UTC(2026, 8, 1), value: 12.4 },
      ],
    }),
  );
  assert.match(html, /class="trend-axis-title"[^>]*rotate\(-90\)[^>]*>g\/dL</);
  assert.match(html, />Date</);
  assert.match(html, />1 Mar</);
  assert.match(html, />1 Sept?</);
  assert.match(html, />12</);
  assert.match(html, />16</);
  assert.match(html, /aria-label="Hemoglobin over time: 01\/03\/2026: 13.1 g\/dL/);
});
