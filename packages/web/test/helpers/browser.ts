/**
 * Driving Debian's Chromium with playwright-core for the web app's end-to-end tests. Every request
 * body the browser sends is kept, so tests can prove what the gateway received.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Identity, serializeKeyFile } from '@medledger/core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots land here (gitignored); CI keeps them as artifacts. */
export const artifactsDirectory = fileURLToPath(new URL('../../test-results/', import.meta.url));

export function hasChromium(): boolean {
  return existsSync(chromiumPath);
}

export async function launchChromium(): Promise<Browser> {
  if (!hasChromium()) {
    throw new Error(`Chromium is missing at ${chromiumPath}: apt-get update && apt-get install -y chromium`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface SentRequest {
  url: string;
  method: string;
  body: string;
}

/** A fresh browser profile (its own IndexedDB) recording every request body it sends. */
export async function newActor(
  browser: Browser,
  baseURL: string,
  sent: SentRequest[],
  viewport = { width: 1280, height: 900 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, viewport });
  context.on('request', (request) => {
    sent.push({ url: request.url(), method: request.method(), body: request.postData() ?? '' });
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return { context, page };
}

/**
 * Takes a full-page screenshot `name`.png, after checking the screen's accessibility (see
 * `checkAccessibility`); failure pictures (`failed-…`) are taken as they are.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(artifactsDirectory, { recursive: true });
  const path = join(artifactsDirectory, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  if (!name.startsWith('failed-')) await checkAccessibility(page, name);
  return path;
}

const axeScript = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let axeSource: string | undefined;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules) on the page as it is and fails on every violation of
 * impact serious or critical, naming the rule, the elements and the fix.
 */
export async function checkAccessibility(page: Page, screen: string): Promise<void> {
  // Evaluated rather than added as a <script>: the app's Content-Security-Policy (rightly) refuses
  // inline scripts, and the test must not relax it.
  if (!(await page.evaluate(() => 'axe' in window))) {
    axeSource ??= await readFile(axeScript, 'utf8');
    await page.evaluate(axeSource);
  }
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<unknown> } })
      .axe;
    const results = (await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    })) as { violations: unknown[] };
    return results.violations;
  });
  const serious = (violations as AxeViolation[]).filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  );
  if (serious.length === 0) return;
  const lines = serious.flatMap((violation) => [
    `${violation.id} (${violation.impact}): ${violation.help} ${violation.helpUrl}`,
    ...violation.nodes
      .slice(0, 5)
      .map(
        (node) =>
          `  at ${node.target.map(String).join(' ')}: ${node.failureSummary?.replace(/\n\s*/g, ' ') ?? ''}`,
      ),
  ]);
  throw new Error(`accessibility violations on screen "${screen}" (${page.url()}):\n${lines.join('\n')}`);
}

/** Removes the pictures a previous failing run left behind. */
export async function clearFailureScreenshots(): Promise<void> {
  await mkdir(artifactsDirectory, { recursive: true });
  for (const name of await readdir(artifactsDirectory)) {
    if (name.startsWith('failed-')) await rm(join(artifactsDirectory, name));
  }
}

/** Imports `identity` as a key file under `label` on the welcome screen and waits until it is signed in. */
export async function importIdentity(page: Page, label: string, identity: Identity): Promise<void> {
  await page.goto('/');
  await page.getByRole('tab', { name: 'Import identity' }).click();
  await page.getByLabel('Key file', { exact: true }).setInputFiles({
    name: 'key.json',
    mimeType: 'application/json',
    buffer: Buffer.from(serializeKeyFile(identity)),
  });
  await page.getByLabel('Name for this identity').fill(label);
  await page.getByLabel('Passphrase').fill('correct horse battery');
  await page.getByRole('button', { name: 'Import and sign in' }).click();
  await page.locator('.who').waitFor();
}

/** Follows the main navigation's link `name`. */
export async function nav(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
}
