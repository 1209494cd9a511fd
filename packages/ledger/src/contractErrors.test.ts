import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ConflictError,
  describedReasons,
  describeRefusal,
  InvalidInputError,
  MedledgerError,
  NotFoundError,
} from '@medledger/core';
import { type EmbeddedChain, startEmbeddedChain } from '@medledger/ledger-node';
import { encodeErrorResult } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { deployedLedger, proposeOrganisation } from '../test/helpers/deployedLedger.ts';
import {
  type ContractErrorMapping,
  contractErrorFrom,
  contractErrors,
  type DecodedContractError,
  type LedgerContractErrorName,
} from './contractErrors.ts';
import { combinedAbi } from './ledgerAbis.ts';
import type { LedgerClient } from './ledgerClient.ts';

describe('the contract error table', () => {
  test('has an entry for every custom error of the ABIs, and no other', () => {
    const abiErrors = new Set(combinedAbi.filter((item) => item.type === 'error').map((item) => item.name));
    assert.deepEqual(Object.keys(contractErrors).sort(), [...abiErrors].sort());
    // @ts-expect-error: a table that leaves out an error of the ABIs does not compile.
    const incomplete: Record<LedgerContractErrorName, ContractErrorMapping> = {
      RecordsEmptyBatch: contractErrors.RecordsEmptyBatch,
    };
    assert.equal(Object.keys(incomplete).length, 1);
  });

  test('gives each error its own snake_case reason', () => {
    const reasons = Object.values(contractErrors).map((mapping) => mapping.reason);
    const snakeCase = (reason: string) =>
      reason.split('_').every((word) => word !== '' && word === word.toLowerCase().replaceAll(/[^a-z]/g, ''));
    for (const reason of reasons) assert.ok(snakeCase(reason), reason);
    assert.equal(new Set(reasons).size, reasons.length);
  });
});

/** A representative value of an ABI type, for an error's arguments. */
function sample(type: string): unknown {
  if (type === 'address') return '0x8bd1c3e9a6b2f0d4e5a7b8c9d0e1f2a3b4c5d6e7';
  if (type === 'bool') return true;
  if (type === 'string') return 'St Mary Hospital and a very long name';
  if (type === 'bytes32') return `0x${'ab'.repeat(32)}`;
  if (type === 'uint256' || type === 'uint64') return 1_767_225_600n;
  return 3;
}

describe('every contract error in plain words', () => {
  const errorItems = combinedAbi.filter((item) => item.type === 'error');

  test("each error's message, built from representative arguments, is the catalogue's plain words", () => {
    for (const item of errorItems) {
      const name = item.name as LedgerContractErrorName;
      const args = item.inputs.map((input) => sample(input.type));
      const data = encodeErrorResult({ abi: [item], errorName: name, args } as Parameters<
        typeof encodeErrorResult
      >[0]);
      const error = contractErrorFrom({ data });
      assert.ok(error, name);
      const { reason } = contractErrors[name];
      const message = error.shortMessage;
      assert.equal(message, describeRefusal(reason, error.fields), `${name}: the catalogue words it`);
      assert.ok(!message.includes(name), `${name}: not its raw name: ${message}`);
      assert.ok(!message.includes(reason), `${name}: not its reason: ${message}`);
      const spaced = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
      assert.ok(!message.toLowerCase().includes(spaced), `${name}: not "${spaced}": ${message}`);
      assert.ok(!message.includes('The ledger refused'), `${name}: ${message}`);
      assert.ok(!/undefined|NaN|\[object/.test(message), `${name}: every field filled in: ${message}`);
      assert.ok(message.endsWith('.'), `${name}: ends with a full stop: ${message}`);
      assert.equal(
        error.details?.startsWith(`${name}(`),
        true,
        `${name}: the raw error stays in the details`,
      );
    }
  });

  test('the catalogue has no dead entries: each reason is a contract error or is thrown somewhere', async () => {
    const contractReasons = new Set(Object.values(contractErrors).map((mapping) => mapping.reason));
    const root = new URL('../../', import.meta.url);
    const sources: string[] = [];
    for (const pkg of await readdir(root)) {
      const dir = new URL(`${pkg}/src/`, root);
      const files = await readdir(dir, { recursive: true }).catch(() => []);
      for (const file of files) {
        if (!/\.tsx?$/.test(file) || /\.test\.tsx?$/.test(file) || file.endsWith('refusalWords.ts')) continue;
        sources.push(await readFile(new URL(file, dir), 'utf8'));
      }
    }
    const code = sources.join('\n');
    for (const reason of describedReasons()) {
      assert.ok(
        contractReasons.has(reason) || code.includes(`'${reason}'`),
        `the catalogue's reason ${reason} is neither a contract error nor thrown anywhere`,
      );
    }
  });
});

describe('a contract refusal on a real chain becomes its table entry', () => {
  let directory: string;
  let chain: EmbeddedChain;
  let ledger: LedgerClient;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'medledger-contract-errors-'));
    chain = await startEmbeddedChain({ directory: join(directory, 'chain') });
    ({ ledger } = await deployedLedger(chain.rpcUrl, chain.chainId));
  });
  after(async () => {
    await chain?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  /** The rejection of `action`, checked to be a medledger error carrying the decoded refusal. */
  async function refusal(
    action: Promise<unknown>,
  ): Promise<MedledgerError & { contractError: DecodedContractError }> {
    const error = await action.then(
      () => assert.fail('the chain accepted it'),
      (rejected: unknown) => rejected,
    );
    assert.ok(error instanceof MedledgerError, String(error));
    assert.ok('contractError' in error, 'it carries the decoded contract error');
    return error as MedledgerError & { contractError: DecodedContractError };
  }

  test('a reverted read: not found, with the error and its arguments as fields', async () => {
    const error = await refusal(ledger.read('auditAnchors', 'batch', [1, 0n]));
    assert.ok(error instanceof NotFoundError);
    assert.equal(error.code, 'not_found');
    assert.equal(error.reason, 'audit_anchors_unknown_batch');
    assert.deepEqual(error.fields, {
      contractError: 'AuditAnchorsUnknownBatch',
      organisationId: 1,
      batchIndex: '0',
    });
    assert.deepEqual(error.contractError, { name: 'AuditAnchorsUnknownBatch', args: [1, 0n] });
  });

  test('a write refused in simulation: invalid input, nothing sent', async () => {
    const before = await ledger.blockNumber();
    const error = await refusal(
      ledger.write('auditAnchors', 'anchorAuditBatch', [7, 0n, 1n, `0x${'11'.repeat(32)}`]),
    );
    assert.ok(error instanceof InvalidInputError);
    assert.equal(error.reason, 'audit_anchors_organisation_not_active');
    assert.deepEqual(error.fields, { contractError: 'AuditAnchorsOrganisationNotActive', organisationId: 7 });
    assert.equal(await ledger.blockNumber(), before);
  });

  test('a signed action relayed twice: a conflict on its used nonce', async () => {
    const admin = privateKeyToAccount(`0x${'42'.repeat(32)}`);
    await proposeOrganisation(ledger, admin, 5n);
    const error = await refusal(proposeOrganisation(ledger, admin, 5n));
    assert.ok(error instanceof ConflictError);
    assert.equal(error.reason, 'signed_action_nonce_used');
    assert.deepEqual(error.fields, {
      contractError: 'SignedActionNonceUsed',
      signer: admin.address,
      nonce: '5',
    });
  });
});
