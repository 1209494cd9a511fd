/**
 * What a browser fetches before the app can show its first screen: the entry script of the built
 * index.html, its stylesheets and modulepreloaded chunks, and every chunk those import statically
 * (transitively), with their gzip sizes. Chunks behind a dynamic `import()` (lazy screens, the FHIR
 * definitions) are not counted.
 *
 * Usage: node packages/web/scripts/firstLoadSize.ts [dist]  (after `npm run build:web`)
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface FirstLoad {
  /** Paths under dist (e.g. `assets/index-abc.js`) with their gzip-compressed size in bytes. */
  files: { path: string; gzipBytes: number }[];
  gzipBytes: number;
}

const attribute = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]+)"`).exec(tag)?.[1];

/** The scripts, modulepreloads and stylesheets index.html names, as paths under dist. */
export function eagerAssetsOf(indexHtml: string): string[] {
  const paths: string[] = [];
  for (const [tag] of indexHtml.matchAll(/<(?:script|link)\b[^>]*>/g)) {
    const isScript = tag.startsWith('<script') && attribute(tag, 'type') === 'module';
    const rel = attribute(tag, 'rel');
    const url = isScript
      ? attribute(tag, 'src')
      : rel === 'modulepreload' || rel === 'stylesheet'
        ? attribute(tag, 'href')
        : undefined;
    if (url?.startsWith('/')) paths.push(url.slice(1));
  }
  return paths;
}

/** Relative modules a chunk imports statically (`import … from "./x.js"`, `import "./x.js"`). */
export function staticImportsOf(code: string): string[] {
  return [...code.matchAll(/\bimport\s*(?:[\w$*{}\s,]*?from\s*)?["'](\.\.?\/[^"']+)["']/g)].map(
    (m) => m[1] as string,
  );
}

export async function firstLoadOf(dist: string): Promise<FirstLoad> {
  const pending = eagerAssetsOf(await readFile(join(dist, 'index.html'), 'utf8'));
  const seen = new Set<string>();
  const files: FirstLoad['files'] = [];
  while (pending.length > 0) {
    const path = pending.pop() as string;
    if (seen.has(path)) continue;
    seen.add(path);
    const content = await readFile(join(dist, path));
    files.push({ path, gzipBytes: gzipSync(content, { level: 9 }).length });
    if (path.endsWith('.js')) {
      for (const imported of staticImportsOf(content.toString('utf8'))) {
        pending.push(posix.join(posix.dirname(path), imported));
      }
    }
  }
  files.sort((a, b) => b.gzipBytes - a.gzipBytes);
  return { files, gzipBytes: files.reduce((sum, file) => sum + file.gzipBytes, 0) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dist = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
  const { files, gzipBytes } = await firstLoadOf(dist);
  for (const file of files) console.log(`${(file.gzipBytes / 1024).toFixed(1).padStart(8)} KB  ${file.path}`);
  console.log(`${(gzipBytes / 1024).toFixed(1).padStart(8)} KB  first load (gzip)`);
}
