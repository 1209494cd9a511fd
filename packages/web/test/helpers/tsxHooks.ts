/**
 * Lets node:test import the web app's .tsx modules: a synchronous module hook compiles JSX and
 * TypeScript with oxc (via rolldown, the compiler Vite itself uses), so components can be rendered
 * with react-dom/server in Node. `.ts` modules keep going through Node's own type stripping.
 *
 * Import this module before importing any .tsx module (dynamically: static imports are resolved
 * before any code runs).
 */
import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'rolldown/experimental';

registerHooks({
  load(url, context, nextLoad) {
    if (!url.startsWith('file:') || !url.endsWith('.tsx')) return nextLoad(url, context);
    const path = fileURLToPath(url);
    const result = transformSync(path, readFileSync(path, 'utf8'), { jsx: { runtime: 'automatic' } });
    if (result.errors.length) throw new Error(`${path}: ${result.errors.map((e) => e.message).join('; ')}`);
    return { format: 'module', source: result.code, shortCircuit: true };
  },
});
