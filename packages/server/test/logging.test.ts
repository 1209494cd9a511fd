/**
 * The gateway's logs carry no patient address or record id in clear: a gateway in a process of its
 * own is asked for URLs naming them (in any case, with or without 0x) and its logs hold the same
 * keyed token for each instead; with --log-file they are rotated by size into bounded files; and
 * the process still ends cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { hexToBytes } from '@medledger/core';
import Fastify from 'fastify';
import { type GatewayProcess, startGatewayProcess } from '../security/helpers/gatewayProcess.ts';
import { gatewayLoggerOptions, pseudonymise } from '../src/logging.ts';
import { eventually } from './helpers/emergencies.ts';
import { call } from './helpers/http.ts';

const address = '0xA11cE00000000000000000000000000000c0fFEe';
const recordId = '0x7E57AB1E0000000000000000000000000000000000000000000000000000BEEF';
const bare = (hex: string) => hex.slice(2).toLowerCase();

/** The URLs asked for: the address and the record id in paths and query strings, in every spelling. */
const urls = [
  `/api/patients/${address}`,
  `/api/patients/${address.toLowerCase()}`,
  `/api/patients/${address.toUpperCase().replace('0X', '0x')}`,
  `/api/patients/${bare(address)}`,
  `/api/records?patient=${address}`,
  `/api/records/${recordId}/stamp`,
  `/api/records/${recordId.toLowerCase()}/co-signatures`,
  `/api/records/${bare(recordId).toUpperCase()}/stamp`,
];

/** The log key a gateway made in its data directory. */
async function logKeyOf(dataDir: string): Promise<Uint8Array> {
  const { key } = JSON.parse(await readFile(join(dataDir, 'keys', 'log-pseudonyms.json'), 'utf8'));
  return hexToBytes(key, 32);
}

/** The address and the record id, in any spelling, are nowhere in `text`. */
function assertNoIdentifiers(text: string): void {
  const lower = text.toLowerCase();
  assert.equal(lower.includes(bare(address)), false, 'the patient address is in the logs');
  assert.equal(lower.includes(bare(recordId)), false, 'the record id is in the logs');
}

interface LogLine {
  msg?: string;
  req?: { url: string; method: string };
  [field: string]: unknown;
}

const parseLines = (text: string): LogLine[] =>
  text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);

describe('pseudonyms in logs', () => {
  const key = new Uint8Array(32).fill(7);

  it('map one address or id to one token, whatever its case or prefix, and depend on the key', () => {
    const token = pseudonymise(key, address);
    assert.match(token, /^addr:[0-9a-f]{12}$/);
    for (const spelling of [address.toLowerCase(), address.toUpperCase(), bare(address)]) {
      assert.equal(pseudonymise(key, spelling), token);
    }
    assert.match(pseudonymise(key, recordId), /^id:[0-9a-f]{12}$/);
    assert.equal(pseudonymise(key, bare(recordId)), pseudonymise(key, recordId.toLowerCase()));
    assert.notEqual(pseudonymise(new Uint8Array(32).fill(8), address), token);
    assert.equal(pseudonymise(key, '/api/records?limit=20&after=1234'), '/api/records?limit=20&after=1234');
  });

  it('reach messages, fields and errors of every log line, not only requests', async () => {
    let written = '';
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        written += String(chunk);
        callback();
      },
    });
    const app = Fastify({ logger: gatewayLoggerOptions({ level: 'info', pseudonymKey: key, destination }) });
    const cause = new Error(`no key for ${address}`);
    app.log.warn(
      {
        recordId,
        nested: { patients: [address.toLowerCase()] },
        err: new Error(`failed ${recordId}`, { cause }),
      },
      `record ${recordId} of ${address} is not anchored`,
    );
    await app.close();
    assertNoIdentifiers(written);
    const [line] = parseLines(written);
    assert.equal(line?.recordId, pseudonymise(key, recordId));
    assert.equal(
      line?.msg,
      `record ${pseudonymise(key, recordId)} of ${pseudonymise(key, address)} is not anchored`,
    );
    assert.deepEqual(line?.nested, { patients: [pseudonymise(key, address)] });
    const err = line?.err as { message: string; cause: { message: string } };
    assert.equal(err.message, `failed ${pseudonymise(key, recordId)}`);
    assert.equal(err.cause.message, `no key for ${pseudonymise(key, address)}`);
  });
});

describe('a gateway process logging to standard error', () => {
  let dataDir: string;
  let gateway: GatewayProcess;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'medledger-logging-'));
    gateway = await startGatewayProcess({ dataDir, logLevel: 'info' });
  });
  after(async () => {
    await gateway.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('logs every request with the address and the record id as keyed tokens, consistently', async () => {
    for (const url of urls) {
      await call(gateway.url, 'GET', url, { token: 'secret-session-token-9c1f' });
    }
    const logged = await eventually(() => {
      const lines = parseLines(gateway.logs()).filter((line) => line.req?.url.startsWith('/api/'));
      return Promise.resolve(lines.length >= urls.length ? lines : undefined);
    }, 'a log line for every request');
    assertNoIdentifiers(gateway.logs());
    assert.equal(gateway.logs().includes('secret-session-token-9c1f'), false);
    const completed = parseLines(gateway.logs()).filter((line) => line.msg === 'request completed');
    assert.ok(completed.length > 0);
    for (const line of completed)
      assert.equal(typeof (line.res as { statusCode?: unknown }).statusCode, 'number');

    const key = await logKeyOf(dataDir);
    const addressToken = pseudonymise(key, address);
    const idToken = pseudonymise(key, recordId);
    assert.deepEqual(
      logged.map((line) => line.req?.url),
      [
        `/api/patients/${addressToken}`,
        `/api/patients/${addressToken}`,
        `/api/patients/${addressToken}`,
        `/api/patients/${addressToken}`,
        `/api/records?patient=${addressToken}`,
        `/api/records/${idToken}/stamp`,
        `/api/records/${idToken}/co-signatures`,
        `/api/records/${idToken}/stamp`,
      ],
    );
  });

  it('ends cleanly on SIGTERM', async () => {
    assert.equal(await gateway.stop(), 0);
  });
});

describe('a gateway process logging to a rotated file', () => {
  const maxBytes = 2048;
  const keep = 3;
  let dataDir: string;
  let logDir: string;
  let gateway: GatewayProcess;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'medledger-logging-'));
    logDir = join(dataDir, 'logs');
    gateway = await startGatewayProcess({
      dataDir,
      logLevel: 'info',
      config: { logFile: join(logDir, 'gateway.log'), logFileBytes: maxBytes, logFileCount: keep },
    });
  });
  after(async () => {
    await gateway.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps the live file and at most the given number of rotated ones, each bounded, nothing on stderr', async () => {
    // Each request logs two lines of about 300 bytes: 40 requests fill the limit many times over.
    for (let round = 0; round < 5; round++) {
      for (const url of urls) await call(gateway.url, 'GET', url);
    }
    await eventually(
      async () => ((await readdir(logDir)).includes(`gateway.log.${keep}`) ? true : undefined),
      `the ${keep}th rotated log file`,
    );
    assert.equal(await gateway.stop(), 0);

    const names = (await readdir(logDir)).filter((name) => name.startsWith('gateway.log')).sort();
    assert.deepEqual(names, ['gateway.log', 'gateway.log.1', 'gateway.log.2', 'gateway.log.3']);
    const contents = await Promise.all(names.map((name) => readFile(join(logDir, name), 'utf8')));
    // A line is never split across files, so a file passes the limit by less than its last line.
    const longestLine = Math.max(...contents.flatMap((text) => text.split('\n').map((l) => l.length + 1)));
    assert.ok(longestLine < 1024, `log lines are short (${longestLine} bytes)`);
    for (const [index, name] of names.entries()) {
      const { size, mode } = await stat(join(logDir, name));
      assert.ok(size < maxBytes + longestLine, `${name} is ${size} bytes`);
      assert.equal(mode & 0o077, 0, `${name} is private to its user`);
      const lines = parseLines(contents[index] ?? '');
      if (name !== 'gateway.log') assert.ok(size >= maxBytes, `${name} was rotated at the limit`);
      assert.equal(lines.length, (contents[index] ?? '').split('\n').filter(Boolean).length);
      assertNoIdentifiers(contents[index] ?? '');
    }
    assert.ok(
      contents.join('').includes(pseudonymise(await logKeyOf(dataDir), recordId)),
      'the record id token is logged',
    );
    assert.equal(gateway.logs().trim(), '');
  });
});
