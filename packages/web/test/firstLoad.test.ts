/**
 * The first load stays small: what index.html makes the browser fetch before the first screen
 * (entry script, stylesheet, modulepreloaded and statically imported chunks) is under 300 KB gzip.
 * Screens, the FHIR definitions and QR codes come later, in chunks of their own.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureWebAppBuilt } from '../scripts/build.ts';
import { eagerAssetsOf, firstLoadOf, staticImportsOf } from '../scripts/firstLoadSize.ts';

const budgetBytes = 300 * 1024;

test('the eager assets of index.html and the static imports of a chunk are found', () => {
  const html = `<script type="module" crossorigin src="/assets/index-a.js"></script>
    <link rel="modulepreload" crossorigin href="/assets/b.js">
    <link rel="stylesheet" crossorigin href="/assets/c.css">
    <link rel="icon" href="/favicon.svg" type="image/svg+xml" />`;
  assert.deepEqual(eagerAssetsOf(html), ['assets/index-a.js', 'assets/b.js', 'assets/c.css']);
  const code = 'import{a as b}from"./x.js";import"./y.js";const l=()=>import("./lazy.js");';
  assert.deepEqual(staticImportsOf(code), ['./x.js', './y.js']);
});

test('the first load of the built web app is under 300 KB gzip', async () => {
  const dist = await ensureWebAppBuilt({ quiet: true });
  const { files, gzipBytes } = await firstLoadOf(dist);
  console.log(`first load: ${(gzipBytes / 1024).toFixed(1)} KB gzip in ${files.length} files`);
  for (const file of files) console.log(`  ${(file.gzipBytes / 1024).toFixed(1)} KB ${file.path}`);
  assert.ok(
    files.some((file) => file.path.endsWith('.css')),
    'the stylesheet is counted',
  );
  assert.ok(!files.some((file) => file.path.includes('r4Definitions')), 'FHIR definitions load on first use');
  assert.ok(gzipBytes < budgetBytes, `first load is ${(gzipBytes / 1024).toFixed(1)} KB gzip, over 300 KB`);
});
