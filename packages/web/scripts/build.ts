/**
 * Builds the web app into packages/web/dist with Vite, unless dist was built from the same sources.
 *
 * The sources' fingerprint (SHA-256 over the web app's own files, the core and client packages and
 * the generated contract files it bundles, plus the lock file) is kept in dist/.source-hash;
 * `medledger-gateway` (also behind `medledger start`) and the root `prepare` script call this, so a
 * fresh clone needs no separate build step and an unchanged tree costs one hash (~50 ms).
 *
 * Usage: node packages/web/scripts/build.ts [--force]
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const webRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = join(webRoot, '..', '..');

/** Where the built app lives; the gateway serves it at `/`. */
export const webAppDist = join(webRoot, 'dist');

const hashFile = join(webAppDist, '.source-hash');

const sourceRoots = [
  join(webRoot, 'src'),
  join(webRoot, 'public'),
  join(webRoot, 'index.html'),
  join(webRoot, 'vite.config.ts'),
  join(webRoot, 'package.json'),
  join(repoRoot, 'packages', 'core', 'src'),
  join(repoRoot, 'packages', 'client', 'src'),
  join(repoRoot, 'packages', 'api', 'src'),
  join(repoRoot, 'packages', 'ledger', 'src'),
  join(repoRoot, 'contracts', 'generated'),
  join(repoRoot, 'package-lock.json'),
];

async function filesUnder(path: string): Promise<string[]> {
  if (!existsSync(path)) return [];
  const entries = await readdir(path, { withFileTypes: true, recursive: true }).catch(() => undefined);
  if (!entries) return [path];
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** A fingerprint of everything the bundle is made from (test files included: cheap and harmless). */
export async function sourceHash(): Promise<string> {
  const files = (await Promise.all(sourceRoots.map(filesUnder))).flat().sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(relative(repoRoot, file));
    hash.update('\0');
    hash.update(await readFile(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Builds the app when dist is missing or was built from other sources; returns the dist directory. */
export async function ensureWebAppBuilt(options: { force?: boolean; quiet?: boolean } = {}): Promise<string> {
  const hash = await sourceHash();
  const current = existsSync(hashFile) ? (await readFile(hashFile, 'utf8')).trim() : '';
  if (!options.force && current === hash && existsSync(join(webAppDist, 'index.html'))) return webAppDist;
  // Built aside and renamed into place, so that gateways started at the same time (tests run in
  // parallel) never serve a half-written directory.
  const staging = join(webRoot, `.dist-${process.pid}-${Date.now()}`);
  const { build } = await import('vite');
  try {
    await build({
      root: webRoot,
      configFile: join(webRoot, 'vite.config.ts'),
      logLevel: options.quiet ? 'warn' : 'info',
      build: { outDir: staging, emptyOutDir: true },
    });
    await writeFile(join(staging, '.source-hash'), `${hash}\n`);
    await rm(webAppDist, { recursive: true, force: true });
    await rename(staging, webAppDist);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return webAppDist;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  await ensureWebAppBuilt({ force: process.argv.includes('--force'), quiet: true });
  console.error(`web app ready in ${webAppDist} (${Date.now() - started} ms)`);
}
