/**
 * Bundles the medledger CLI (src/main.ts and, as chunks of their own, the actions it imports when
 * they run) into packages/cli/dist with rolldown, so that a command starts without Node stripping
 * the types of hundreds of .ts files and loading libraries module by module. The root `prepare`
 * script runs this at `npm install`; `npm run build:cli` runs it by hand.
 *
 * dist/manifest.json lists every input with its size, mtime and hash (see src/bundle.js): the bin
 * runs the bundle only while they all match and the sources otherwise, so a stale bundle never runs
 * and there is nothing to remember after an edit (rebuild for speed, not for correctness).
 *
 * Left out of the bundle: `@medledger/gateway` (behind `medledger start`), loaded from its sources
 * like `medledger-gateway`; its errors are reported by its own `reportError` (commands/start.ts),
 * since its `MedledgerError` is not the bundle's copy of the class.
 *
 * Usage: node packages/cli/scripts/build.ts [--force] [--quiet]
 * Exits 0 even if bundling fails (the CLI then runs from its sources) unless --strict.
 */
import { readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bundleDir,
  cliRoot,
  freshBundle,
  type Manifest,
  type ManifestInput,
  manifestVersion,
  repoRoot,
  sha256,
} from '../src/bundle.js';

/** What decides how imports resolve, besides the modules themselves. */
async function resolutionInputs(): Promise<string[]> {
  const packageDirs = [repoRoot, join(repoRoot, 'contracts')];
  for (const entry of await readdir(join(repoRoot, 'packages'), { withFileTypes: true })) {
    if (entry.isDirectory()) packageDirs.push(join(repoRoot, 'packages', entry.name));
  }
  return [
    ...packageDirs.map((dir) => join(dir, 'package.json')),
    fileURLToPath(import.meta.url),
    join(cliRoot, 'src', 'bundle.js'),
  ];
}

function inputOf(file: string): ManifestInput {
  const stat = statSync(file);
  return [relative(repoRoot, file), stat.size, stat.mtimeMs, sha256(readFileSync(file))];
}

/** Builds dist unless it is up to date (or `force`); answers whether the bundle is usable. */
export async function buildCli(options: { force?: boolean; quiet?: boolean } = {}): Promise<boolean> {
  if (!options.force && freshBundle()) return true;
  const { rolldown } = await import('rolldown');
  const staging = join(cliRoot, `.dist-${process.pid}-${Date.now()}`);
  try {
    const bundle = await rolldown({
      input: { main: join(cliRoot, 'src', 'main.ts') },
      platform: 'node',
      logLevel: options.quiet ? 'silent' : 'warn',
      // Loaded from its sources when `medledger start` runs, like `medledger-gateway`.
      external: ['@medledger/gateway'],
      treeshake: {
        // The workspace's modules do nothing when imported (no top-level effects), so a chunk takes only
        // those it uses: `key new` then loads the key code, not all of core and the client. Dependencies
        // keep what their package.json says.
        moduleSideEffects: (id, external) =>
          !external && id.startsWith(repoRoot) && !id.includes('/node_modules/') ? false : undefined,
      },
    });
    const { output } = await bundle.write({
      dir: staging,
      format: 'esm',
      entryFileNames: '[name].js',
      chunkFileNames: '[name]-[hash].js',
    });
    await bundle.close();
    // Workspace modules themselves; for dependencies, their package's package.json (see bundle.js).
    const modules = new Set<string>();
    for (const chunk of output) {
      if (chunk.type !== 'chunk') continue;
      for (const id of chunk.moduleIds) {
        if (!id.startsWith('/') || id.includes('\0')) continue;
        const dependency = /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(id);
        modules.add(dependency ? join(dependency[1] as string, 'package.json') : id);
      }
    }
    const inputs = [...new Set([...modules, ...(await resolutionInputs())])]
      .filter((file) => {
        try {
          return statSync(file).isFile();
        } catch {
          return false;
        }
      })
      .sort()
      .map(inputOf);
    const manifest: Manifest = { version: manifestVersion, entry: 'main.js', inputs };
    await writeFile(join(staging, 'manifest.json'), `${JSON.stringify(manifest)}\n`);
    // Renamed into place whole, so that a CLI starting meanwhile sees the old bundle or none.
    await rm(bundleDir, { recursive: true, force: true });
    await mkdir(dirname(bundleDir), { recursive: true });
    await rename(staging, bundleDir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return freshBundle() !== undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  try {
    const ok = await buildCli({
      force: process.argv.includes('--force'),
      quiet: process.argv.includes('--quiet'),
    });
    console.error(
      ok
        ? `medledger CLI bundle ready in ${bundleDir} (${Date.now() - started} ms)`
        : 'medledger CLI bundle built but not usable; the CLI runs from its sources',
    );
    if (!ok && process.argv.includes('--strict')) process.exitCode = 1;
  } catch (error) {
    console.error(`medledger CLI bundle not built (the CLI runs from its sources): ${String(error)}`);
    if (process.argv.includes('--strict')) process.exitCode = 1;
  }
}
