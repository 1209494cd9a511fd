import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError } from '@medledger/core';
import { parseDeployment } from './deployment.ts';

const address = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;
const contracts = {
  chainId: 31337,
  consortium: address(1),
  consents: address(2),
  records: address(3),
  auditAnchors: address(4),
  coSignatures: address(5),
  emergencies: address(6),
  orders: address(7),
  delegates: address(8),
  recordActions: address(9),
  deployedAtBlock: '12',
};

describe('parseDeployment', () => {
  it('reads every contract address, Orders and Delegates included', () => {
    const deployment = parseDeployment(JSON.stringify(contracts));
    assert.equal(deployment.orders, address(7));
    assert.equal(deployment.delegates, address(8));
    assert.equal(deployment.recordActions, address(9));
    assert.equal(deployment.deployedAtBlock, 12n);
  });

  it('refuses a deployment made before the Orders contract existed, saying so', () => {
    const { orders: _, ...before } = contracts;
    assert.throws(
      () => parseDeployment(JSON.stringify(before), 'data/deployment.json'),
      (error: unknown) =>
        error instanceof InvalidInputError &&
        error.reason === 'deployment_without_orders' &&
        error.message.startsWith('data/deployment.json has no "orders" contract'),
    );
  });

  it('refuses a deployment made before the Delegates contract existed, saying so', () => {
    const { delegates: _, ...before } = contracts;
    assert.throws(
      () => parseDeployment(JSON.stringify(before), 'data/deployment.json'),
      (error: unknown) =>
        error instanceof InvalidInputError &&
        error.reason === 'deployment_without_delegates' &&
        error.message.startsWith('data/deployment.json has no "delegates" contract'),
    );
  });

  it('refuses a deployment made before the RecordActions contract existed, saying so', () => {
    const { recordActions: _, ...before } = contracts;
    assert.throws(
      () => parseDeployment(JSON.stringify(before), 'data/deployment.json'),
      (error: unknown) =>
        error instanceof InvalidInputError &&
        error.reason === 'deployment_without_record_actions' &&
        error.message.startsWith('data/deployment.json has no "recordActions" contract'),
    );
  });
});
