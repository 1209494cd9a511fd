/**
 * For the ledger-integrity tests: a hospital set up through the client library, a burst of
 * concurrent record writes with a kill at a given number of acknowledgements, a gateway's health
 * as it answers, and the checks that every acknowledged record survived. The chain is only ever
 * read as a client would: through the gateway, or at the RPC URL the gateway names (as
 * `medledger verify` does), never at the embedded anvil's own port.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { createGatewayClient, type GatewayClient, type LedgerInfo } from '@medledger/client';
import { recordsAbi } from '@medledger/contracts';
import { AccessDeniedError, type Identity, MedledgerError } from '@medledger/core';
import { type Address, createPublicClient, type Hex, http } from 'viem';
import { createKeyFile } from '../../src/keyFile.ts';
import { labObservation } from './people.ts';
import {
  anvilChildOf,
  type Exit,
  embeddedAnvilPid,
  type GatewayProcess,
  runMedledger,
  sleep,
} from './processes.ts';

export interface Hospital {
  organisationId: number;
  admin: Identity;
  doctor: Identity;
  patient: Identity;
  /** The patient's grant to the doctor: lab records, read and append. */
  grantId: number;
}

/**
 * Key files for an admin, a doctor and a patient in `directory`; the admin founds a hospital, the
 * doctor joins it, the patient registers with it and lets the doctor read and append lab records.
 */
export async function foundHospital(url: string, directory: string): Promise<Hospital> {
  const [admin, doctor, patient] = (await Promise.all(
    ['admin', 'doctor', 'patient'].map((name) => createKeyFile(join(directory, `${name}.json`))),
  )) as [Identity, Identity, Identity];
  const as = (identity: Identity) => createGatewayClient({ url, identity });
  const { organisationId } = await as(admin).createOrganisation({
    name: 'St. Elsewhere Hospital',
    kind: 'hospital',
  });
  await Promise.all([
    as(admin).addMember({
      organisationId,
      member: doctor.address,
      role: 'doctor',
      encryptionKey: doctor.encryption.publicKey,
    }),
    as(patient).registerPatient({ organisationId }),
  ]);
  const { grantId } = await as(patient).grantConsent({
    grantee: doctor.address,
    categories: ['lab'],
    actions: ['read', 'append'],
    expiresInSeconds: 24 * 3600,
  });
  return { organisationId, admin, doctor, patient, grantId };
}

/** A laboratory observation about `patient` that carries `marker`, so that no two are alike. */
export function markedLabResult(patient: Address, marker: string, value: number) {
  return {
    ...labObservation(patient, value),
    identifier: [{ system: 'urn:ietf:rfc:3986', value: `urn:medledger-test:${marker}` }],
  };
}

export interface HealthAnswer {
  status: number;
  body: HealthBody;
}

/** `GET /api/health`: the ledger's state while serving; the reason it does not serve otherwise. */
export type HealthBody = {
  status?: string;
  chainId?: number;
  blockNumber?: number;
  ledger?: { state?: string; pendingActions?: number; checkpointBlock?: number };
  error?: { code?: string; reason?: string; message?: string };
};

/**
 * What the gateway at `url` answers to `GET /api/health`: undefined while nothing listens, status
 * 0 if it does not answer within 10 s.
 */
export async function healthOf(url: string): Promise<HealthAnswer | undefined> {
  let response: Response;
  try {
    response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      return { status: 0, body: { error: { message: 'no answer within 10 s' } } };
    }
    return undefined;
  }
  const text = await response.text().catch(() => '');
  let body: HealthBody;
  try {
    body = JSON.parse(text) as HealthBody;
  } catch {
    body = { error: { message: text.slice(0, 200) } };
  }
  return { status: response.status, body };
}

/**
 * Polls `/api/health` until it answers 200 and resolves with that answer, the milliseconds waited
 * and the other answers seen meanwhile (counted as `not listening` or `STATUS REASON`); fails if
 * the gateway process exits or `timeoutMs` passes, saying what health said last.
 */
export async function waitUntilServing(
  gateway: GatewayProcess,
  timeoutMs: number,
): Promise<{ health: HealthAnswer; ms: number; meanwhile: Map<string, number> }> {
  const started = performance.now();
  const meanwhile = new Map<string, number>();
  let last: HealthAnswer | undefined;
  for (;;) {
    last = await healthOf(gateway.url);
    if (last?.status === 200) {
      // The anvil to wait for when this gateway is stopped, even after a crash.
      gateway.anvilPid = anvilChildOf(gateway) ?? gateway.anvilPid;
      return { health: last, ms: performance.now() - started, meanwhile };
    }
    const what = last ? `${last.status} ${last.body.error?.reason ?? '(no reason)'}` : 'not listening';
    meanwhile.set(what, (meanwhile.get(what) ?? 0) + 1);
    if (gateway.child.exitCode !== null || gateway.child.signalCode !== null) {
      throw new Error(
        `the gateway exited (${gateway.child.exitCode ?? gateway.child.signalCode}) before it served again:\n${tail(gateway)}`,
      );
    }
    if (performance.now() - started > timeoutMs) {
      throw new Error(
        `the gateway did not serve within ${Math.round(timeoutMs / 1000)} s; health last answered ` +
          `${last ? `${last.status} ${JSON.stringify(last.body)}` : 'nothing (not listening)'}\n${tail(gateway)}`,
      );
    }
    await sleep(100);
  }
}

/** Of health answers counted by `waitUntilServing`, those a gateway that does not serve may not give. */
export function unexpectedWhileNotServing(meanwhile: Map<string, number>): string[] {
  const allowed = new Set(['not listening', ...[...notServingReasons].map((reason) => `503 ${reason}`)]);
  return [...meanwhile].filter(([what]) => !allowed.has(what)).map(([what, n]) => `${n} × ${what}`);
}

function tail(gateway: GatewayProcess): string {
  const { stdout, stderr } = gateway.output();
  return `${stderr}${stdout}`.slice(-3000);
}

/** SIGKILL to the embedded anvil the gateway runs now (its pid file names it). */
export function killEmbeddedChain(gateway: GatewayProcess): void {
  const anvil = embeddedAnvilPid(gateway.dataDir);
  if (!anvil) throw new Error(`no anvil pid file in ${gateway.dataDir}/chain`);
  process.kill(anvil, 'SIGKILL');
}

export interface Burst {
  /** How many records had been acknowledged when the kill was done; undefined if it never was. */
  killedAfter: number | undefined;
  /** `performance.now()` at the kill. */
  killedAt: number | undefined;
  /** Milliseconds from the first request to the kill. */
  killedAfterMs: number | undefined;
  /** Requests answered with an error, counted by what they said. */
  failures: Map<string, number>;
  /** Requests still unanswered `settleWithinMs` after the kill. */
  unsettled: number;
  /** Milliseconds from the kill until the last request was answered. */
  settledMs: number | undefined;
}

/**
 * Sends `count` distinct lab records from `client` about `patient`, all at once; calls `kill` as
 * soon as `killAfter` of them are acknowledged (HTTP 201), then waits for every request to be
 * answered, for `settleWithinMs` at most. Acknowledged records go into `acknowledged` (by record
 * id, with the resource written), also those acknowledged after this resolves.
 */
export async function writeRecordsAtOnce(options: {
  client: GatewayClient;
  patient: Address;
  count: number;
  label: string;
  killAfter: number;
  kill: () => void;
  settleWithinMs: number;
  acknowledged: Map<Hex, unknown>;
}): Promise<Burst> {
  const { client, patient, count, label, killAfter, acknowledged } = options;
  // One session for the whole burst, not one sign-in per request.
  await client.signIn();
  const burst: Burst = {
    killedAfter: undefined,
    killedAt: undefined,
    killedAfterMs: undefined,
    failures: new Map(),
    unsettled: 0,
    settledMs: undefined,
  };
  const started = performance.now();
  const settled = Promise.withResolvers<void>();
  const killed = Promise.withResolvers<void>();
  let acknowledgedNow = 0;
  let pending = count;
  const settle = () => {
    pending -= 1;
    if (pending === 0) settled.resolve();
  };
  const kill = () => {
    burst.killedAfter = acknowledgedNow;
    burst.killedAt = performance.now();
    burst.killedAfterMs = burst.killedAt - started;
    try {
      options.kill();
      killed.resolve();
    } catch (error) {
      killed.reject(error);
    }
  };
  for (let index = 0; index < count; index += 1) {
    const resource = markedLabResult(patient, `${label}-${index}`, 60 + (index % 200));
    client.addRecord({ patient, category: 'lab', resource }).then(
      ({ recordId }) => {
        acknowledged.set(recordId.toLowerCase() as Hex, resource);
        acknowledgedNow += 1;
        if (burst.killedAt === undefined && acknowledgedNow >= killAfter) kill();
        settle();
      },
      (error: unknown) => {
        const what = describeError(error);
        burst.failures.set(what, (burst.failures.get(what) ?? 0) + 1);
        settle();
      },
    );
  }
  // Until the kill (or until every request is answered without it), then for the bound at most.
  await Promise.race([killed.promise, settled.promise]);
  const deadline = (burst.killedAt ?? performance.now()) + options.settleWithinMs;
  await within(settled.promise, deadline - performance.now());
  burst.unsettled = pending;
  if (pending === 0 && burst.killedAt !== undefined) burst.settledMs = performance.now() - burst.killedAt;
  return burst;
}

/** Waits for `promise`, or `ms` at most. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, ms));
  });
  try {
    await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}

/** An error as a short stable label: its code and reason, or its message for other errors. */
export function describeError(error: unknown): string {
  if (error instanceof MedledgerError) {
    if (error.code === 'internal') return error.shortMessage.slice(0, 120);
    return error.reason ? `${error.code}/${error.reason}` : error.code;
  }
  return String(error).slice(0, 120);
}

export function countsOf(counts: Map<string, number>): string {
  return [...counts].map(([what, n]) => `${n} × ${what}`).join(', ') || 'none';
}

/** A record that did not come back as acknowledged, and how. */
export interface RecordProblem {
  recordId: Hex;
  problem: string;
}

/** Reads are retried this many times when the gateway could not be reached or shed the request. */
const unreachableRetries = 3;

/**
 * `reader.readRecord(recordId)`, tried again (after a pause that grows) when the gateway could not
 * be reached or shed the request as overloaded: on a starved machine a gateway can take longer than
 * the client's connect timeout to accept, and the question here is whether the record survived,
 * not whether the gateway answered at the first try. Every other answer counts at once.
 */
async function readOnceReachable(reader: GatewayClient, recordId: Hex) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await reader.readRecord(recordId);
    } catch (error) {
      const transient =
        error instanceof MedledgerError &&
        (error.reason === 'gateway_unreachable' || error.code === 'overloaded');
      if (!transient || attempt >= unreachableRetries) throw error;
      await sleep(2_000 * (attempt + 1));
    }
  }
}

/**
 * The records of `expected` that `reader` cannot read back as written: each with what went
 * wrong. Reads `concurrency` at a time.
 */
export async function recordsNotReadable(
  reader: GatewayClient,
  expected: Map<Hex, unknown>,
  concurrency = 8,
): Promise<RecordProblem[]> {
  const problems: RecordProblem[] = [];
  const queue = [...expected];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [recordId, resource] = next;
      try {
        const read = await readOnceReachable(reader, recordId);
        if (!isDeepStrictEqual(read.resource, resource))
          problems.push({ recordId, problem: 'reads back different' });
      } catch (error) {
        problems.push({ recordId, problem: describeError(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return problems;
}

/**
 * The records of `expected` missing from the patient's record list: all of them, with the reason,
 * when the list itself fails.
 */
export async function recordsNotListed(
  patient: GatewayClient,
  expected: Iterable<Hex>,
): Promise<RecordProblem[]> {
  let listed: Set<string>;
  try {
    const { records } = await patient.listRecords(patient.address);
    listed = new Set(records.map((record) => record.recordId.toLowerCase()));
  } catch (error) {
    const problem = `not listed: the list fails, ${describeError(error)}`;
    return [...expected].map((recordId) => ({ recordId, problem }));
  }
  return [...expected]
    .filter((recordId) => !listed.has(recordId.toLowerCase()))
    .map((recordId) => ({ recordId, problem: 'not listed' }));
}

/** A few problems, one a line, for an assertion's message. */
export function examples(problems: RecordProblem[], count = 5): string {
  return problems
    .slice(0, count)
    .map(({ recordId, problem }) => `${recordId}: ${problem}`)
    .join('\n');
}

export interface Verification {
  code: number | null;
  report: { ok: boolean; checkedRecords: number; problems: { recordId: Hex | null; problem: string }[] };
  output: string;
}

/** `medledger verify --json` against the gateway at `url` (which names the chain to read). */
export async function verifyWithCli(url: string): Promise<Verification> {
  // Verify reads the whole chain; on a loaded 2-core machine that took up to 3 minutes.
  const result = await runMedledger(['--server', url, '--json', 'verify'], { timeoutMs: 360_000 });
  const output = `${result.stderr}${result.stdout}`;
  let report: Verification['report'];
  try {
    report = JSON.parse(result.stdout) as Verification['report'];
  } catch {
    report = { ok: false, checkedRecords: 0, problems: [{ recordId: null, problem: output.slice(-2000) }] };
  }
  return { code: result.code, report, output };
}

export interface ChainRecords {
  /** The records of every `RecordAnchored` event, as `medledger verify` finds them. */
  withEvent: Set<Hex>;
  /** How many records the Records contract counts as anchored. */
  count: number;
  /** Of `recordIds`, those the contract's storage holds as anchored. */
  inStorage(recordIds: Hex[]): Promise<Hex[]>;
}

/** The records on the chain the gateway at `url` names (`/api/ledger`), read there as a client would. */
export async function recordsOnChain(url: string): Promise<ChainRecords> {
  const info = (await (await fetch(`${url}/api/ledger`)).json()) as LedgerInfo;
  const chain = createPublicClient({ transport: http(info.rpcUrl) });
  const records = { address: info.contracts.records, abi: recordsAbi } as const;
  const [logs, count] = await Promise.all([
    chain.getContractEvents({ ...records, eventName: 'RecordAnchored', fromBlock: 0n }),
    chain.readContract({ ...records, functionName: 'recordCount' }),
  ]);
  return {
    withEvent: new Set(logs.map((log) => (log.args.recordId as Hex).toLowerCase() as Hex)),
    count: Number(count),
    async inStorage(recordIds) {
      const anchored = await Promise.all(
        recordIds.map((recordId) =>
          chain.readContract({ ...records, functionName: 'isAnchored', args: [recordId] }),
        ),
      );
      return recordIds.filter((_, index) => anchored[index]);
    },
  };
}

export function seconds(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`;
}

/** `count` distinct lab records from `client` about `patient`, at once; every one must be acknowledged. */
export async function writeRecords(
  client: GatewayClient,
  patient: Address,
  label: string,
  count: number,
): Promise<Map<Hex, unknown>> {
  await client.signIn();
  const written = await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const resource = markedLabResult(patient, `${label}-${index}`, 70 + index);
      const { recordId } = await client.addRecord({ patient, category: 'lab', resource });
      return [recordId.toLowerCase() as Hex, resource] as const;
    }),
  );
  return new Map(written);
}

/**
 * Stops a gateway with `signal` and waits for it and its anvil to exit; SIGKILL after `ms`
 * (`forced` then says so).
 */
export async function stopWithin(
  gateway: GatewayProcess,
  signal: NodeJS.Signals,
  ms: number,
): Promise<{ exit: Exit; forced: boolean }> {
  let forced = false;
  const timer = setTimeout(() => {
    forced = true;
    gateway.child.kill('SIGKILL');
  }, ms);
  try {
    return { exit: await gateway.stop(signal), forced };
  } finally {
    clearTimeout(timer);
  }
}

/** The 503 reasons of a gateway that cannot serve from the ledger. */
export const notServingReasons = new Set(['ledger_recovering', 'ledger_unavailable']);

export interface Watch {
  /** Answers seen, counted by kind. */
  answers: Map<string, number>;
  /** Answers that broke the contract, described. */
  violations: string[];
  listeningAt: number | undefined;
  servingAt: number | undefined;
  /** The health answer that said the gateway serves (or the last one, if none did). */
  health: HealthAnswer | undefined;
  /** Records the patient wrote while watching that were acknowledged. */
  written: Map<Hex, unknown>;
}

/**
 * Watches a gateway restarted on a chain behind its journal, from the moment its port opens until
 * health says it serves, and one more round of each probe after that: health; the patient's
 * record list, consents, a read of a record of the later set and a write; the revoked doctor's
 * read and list. Answers that may come: nothing listening; a 503 whose reason is
 * `ledger_recovering` or `ledger_unavailable`; a complete, current answer (every acknowledged
 * record listed, both grants revoked, the record as written, the doctor denied). Anything else is
 * a violation, and so is any answer but a 503 to a chain-dependent request that was received
 * before a health request, sent later, said the gateway did not serve yet.
 */
export async function watchWhileRecovering(
  gateway: GatewayProcess,
  probes: {
    patient: GatewayClient;
    revokedDoctor: GatewayClient;
    acknowledged: Map<Hex, unknown>;
    recordOfA: Hex;
    recordOfB: Hex;
    revokedGrants: number[];
    timeoutMs: number;
  },
): Promise<Watch> {
  const { patient, revokedDoctor, acknowledged } = probes;
  const watch: Watch = {
    answers: new Map(),
    violations: [],
    listeningAt: undefined,
    servingAt: undefined,
    health: undefined,
    written: new Map(),
  };
  const started = performance.now();
  /** Chain-dependent answers other than a 503, with when they were received. */
  const answered: { what: string; at: number }[] = [];
  /** When the last health request that found the gateway not serving was sent. */
  let lastNotServingHealthSent = Number.NEGATIVE_INFINITY;
  const count = (what: string) => watch.answers.set(what, (watch.answers.get(what) ?? 0) + 1);
  const violation = (what: string) => {
    count('violation');
    watch.violations.push(what);
  };
  const served = (what: string) => {
    count(what);
    answered.push({ what, at: performance.now() });
  };
  const refused = (probe: string, error: unknown) => {
    if (error instanceof MedledgerError && error.reason === 'gateway_unreachable') {
      return count('not listening');
    }
    watch.listeningAt ??= performance.now();
    if (
      error instanceof MedledgerError &&
      error.code === 'ledger_unavailable' &&
      notServingReasons.has(error.reason ?? '')
    ) {
      count(`503 ${error.reason}`);
    } else {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      violation(`${probe}: ${describeError(error)}: ${message}`);
    }
  };
  const over = () =>
    performance.now() - started > probes.timeoutMs ||
    gateway.child.exitCode !== null ||
    gateway.child.signalCode !== null;
  /** Runs `attempt` again and again until the gateway serves and one attempt began after that. */
  const probe = async (attempt: () => Promise<void>) => {
    for (;;) {
      const startedAt = performance.now();
      await attempt();
      if (over() || (watch.servingAt !== undefined && startedAt > watch.servingAt)) return;
      await sleep(50);
    }
  };

  const health = probe(async () => {
    const sent = performance.now();
    const answer = await healthOf(gateway.url);
    if (!answer) return void count('not listening');
    watch.listeningAt ??= performance.now();
    watch.health = answer;
    if (answer.status === 200) {
      watch.servingAt ??= performance.now();
      return void count('health 200');
    }
    lastNotServingHealthSent = sent;
    if (answer.status === 503 && notServingReasons.has(answer.body.error?.reason ?? '')) {
      count(`503 ${answer.body.error?.reason}`);
    } else {
      violation(`health: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  });
  const list = probe(async () => {
    try {
      const { records } = await patient.listRecords(patient.address);
      const listed = new Set(records.map((record) => record.recordId.toLowerCase()));
      const missing = [...acknowledged.keys()].filter((recordId) => !listed.has(recordId));
      if (missing.length) violation(`record list: 200 without ${missing.length} acknowledged records`);
      else served('record list 200');
    } catch (error) {
      refused('record list', error);
    }
  });
  const read = probe(async () => {
    try {
      const { resource } = await patient.readRecord(probes.recordOfB);
      if (isDeepStrictEqual(resource, acknowledged.get(probes.recordOfB))) served('patient read 200');
      else violation('patient read: 200 with another content');
    } catch (error) {
      refused('patient read', error);
    }
  });
  let writes = 0;
  const write = probe(async () => {
    const resource = markedLabResult(patient.address, `while-recovering-${writes++}`, 90);
    try {
      const { recordId } = await patient.addRecord({ patient: patient.address, category: 'lab', resource });
      watch.written.set(recordId.toLowerCase() as Hex, resource);
      served('patient write 201');
    } catch (error) {
      refused('patient write', error);
    }
  });
  const consents = probe(async () => {
    try {
      const { given } = await patient.listConsents();
      const revoked = probes.revokedGrants.filter((grantId) =>
        given.some((consent) => consent.grantId === grantId && consent.status === 'revoked'),
      );
      if (revoked.length === probes.revokedGrants.length) served('consents 200');
      else violation(`consents: 200 with ${revoked.length} of ${probes.revokedGrants.length} revocations`);
    } catch (error) {
      refused('consents', error);
    }
  });
  const revokedRead = probe(async () => {
    try {
      await revokedDoctor.accessRecord(probes.recordOfA);
      violation('revoked doctor: 200, the key of a record under a revoked consent');
    } catch (error) {
      if (error instanceof AccessDeniedError) served('revoked doctor read 403');
      else refused('revoked doctor read', error);
    }
  });
  const revokedList = probe(async () => {
    try {
      const { records } = await revokedDoctor.listRecords(patient.address);
      if (records.length) violation(`revoked doctor: 200 listing ${records.length} records`);
      else served('revoked doctor list 200, empty');
    } catch (error) {
      if (error instanceof AccessDeniedError) served('revoked doctor list 403');
      else refused('revoked doctor list', error);
    }
  });
  await Promise.all([health, list, read, write, consents, revokedRead, revokedList]);
  for (const { what, at } of answered) {
    if (at < lastNotServingHealthSent) violation(`${what} while health still said the gateway did not serve`);
  }
  return watch;
}
