/**
 * The CLI bundle (scripts/build.ts) runs only while it matches its sources (src/bundle.js), and
 * answers as the sources do.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { bundleDir, freshBundle, type Manifest, repoRoot, sha256 } from '../src/bundle.js';
import { runMedledger } from './helpers/processes.ts';

describe('CLI bundle freshness', () => {
  let dir: string;
  let input: string;

  async function writeManifest(): Promise<void> {
    const text = await import('node:fs/promises').then((fs) => fs.readFile(input));
    const { size, mtimeMs } = await stat(input);
    const manifest: Manifest = {
      version: 1,
      entry: 'main.js',
      inputs: [[relative(repoRoot, input), size, mtimeMs, sha256(text)]],
    };
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'medledger-bundle-'));
    await writeFile(join(dir, 'main.js'), 'export {};\n');
    // Manifest paths are relative to the repository: the input lives in its ignored .tmp/.
    await mkdir(join(repoRoot, '.tmp'), { recursive: true });
    input = join(repoRoot, '.tmp', `bundle-input-${process.pid}-${Date.now()}.ts`);
    await writeFile(input, 'export const a = 1;\n');
    await writeManifest();
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(input, { force: true });
  });

  it('runs a bundle whose inputs are unchanged, even if touched', async () => {
    assert.equal(freshBundle(dir), `file://${join(dir, 'main.js')}`);
    await utimes(input, new Date(), new Date(Date.now() + 5000));
    assert.equal(freshBundle(dir), `file://${join(dir, 'main.js')}`);
  });

  it('refuses a bundle whose input changed, even at the same size, or is gone', async () => {
    await writeFile(input, 'export const b = 1;\n');
    assert.equal(freshBundle(dir), undefined);
    await writeFile(input, 'export const a = 12;\n');
    assert.equal(freshBundle(dir), undefined);
    await rm(input);
    assert.equal(freshBundle(dir), undefined);
  });

  it('refuses a bundle without its entry or manifest, and with MEDLEDGER_CLI_SOURCES=1', async () => {
    process.env.MEDLEDGER_CLI_SOURCES = '1';
    try {
      assert.equal(freshBundle(dir), undefined);
    } finally {
      delete process.env.MEDLEDGER_CLI_SOURCES;
    }
    await rm(join(dir, 'main.js'));
    assert.equal(freshBundle(dir), undefined);
    await rm(join(dir, 'manifest.json'));
    assert.equal(freshBundle(dir), undefined);
  });
});

describe('the built CLI bundle', () => {
  it('answers --help and a wrong command line as the sources do', {
    skip: !freshBundle(bundleDir) && 'no fresh bundle (npm run build:cli)',
  }, async () => {
    for (const args of [
      ['--help'],
      ['key', 'new', '--help'],
      ['record', 'nosuch'],
      ['--json', 'org', 'list', '--server', 'http://127.0.0.1:9'],
    ]) {
      const bundled = await runMedledger(args);
      const sources = await runMedledger(args, { env: { MEDLEDGER_CLI_SOURCES: '1' } });
      assert.deepEqual(bundled, sources);
    }
  });
});
