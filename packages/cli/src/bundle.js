/**
 * Whether the CLI's bundle (packages/cli/dist, made by scripts/build.ts) was built from the files
 * that are here now. The bin runs the bundle only then and the sources otherwise, so that a source
 * edit takes effect at once and a stale bundle never runs.
 *
 * The manifest lists the files the bundle was made from with their size, mtime and SHA-256: every
 * module of the workspace (packages/*, contracts/generated); for the dependencies in node_modules,
 * the package.json of each package it took modules from (a version installed or moved changes or
 * removes one; as with Vite's dependency cache, a file of node_modules edited by hand is not
 * noticed); the workspace's package manifests, which decide how imports resolve; and the build
 * script. A file whose size differs, or that is gone, makes the bundle stale; one whose mtime
 * differs (a checkout, a touch) is hashed and compared. About 150 stat calls: a few milliseconds.
 *
 * JavaScript, not TypeScript, and only node: built-ins: it runs at every start, before anything
 * else, and the first .ts file a process loads costs Node ~0.2 s of CPU to set up type stripping.
 * Its types are in bundle.d.ts.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const cliRoot = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = join(cliRoot, '..', '..');
export const bundleDir = join(cliRoot, 'dist');
export const manifestVersion = 1;

export function sha256(bytes) {
  // Loaded only when a file is hashed: most starts hash none, and node:crypto takes ~10 ms to load.
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(bytes).digest('hex');
}

/**
 * The bundle's entry as a file URL if it exists and matches its inputs; undefined otherwise, and
 * with MEDLEDGER_CLI_SOURCES=1.
 */
export function freshBundle(dir = bundleDir) {
  if (process.env.MEDLEDGER_CLI_SOURCES === '1') return undefined;
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    if (manifest.version !== manifestVersion || !manifest.inputs?.length) return undefined;
    for (const [path, size, mtimeMs, hash] of manifest.inputs) {
      const file = join(repoRoot, path);
      const stat = statSync(file);
      if (stat.size !== size) return undefined;
      if (stat.mtimeMs !== mtimeMs && sha256(readFileSync(file)) !== hash) return undefined;
    }
    const entry = join(dir, manifest.entry);
    statSync(entry);
    return pathToFileURL(entry).href;
  } catch {
    return undefined;
  }
}
