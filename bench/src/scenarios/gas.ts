/**
 * Gas per action, from the receipts of real transactions on the gateway's chain: a patient's
 * registration, a consent grant and its revocation, each relayed by the gateway as users cause
 * them; and records anchored in batches of 1, 10 and 100 (sealed and signed like any upload, sent
 * as one `anchorRecords` transaction each straight to the chain, since the gateway chooses its
 * batch sizes by load). Per record: the batch's gas over its size.
 */
import { createGatewayClient } from '@medledger/client';
import { generateIdentity, type Identity } from '@medledger/core';
import type { Address } from 'viem';
import type { Actors } from '../actors.ts';
import { anchorDirectly, developmentAccounts, gasUsedBy } from '../chain.ts';
import type { RecordContext } from '../prepare.ts';
import type { Gateway } from '../processes.ts';
import type { WorkerPool } from '../workerPool.ts';
import { prepareWrites } from './capacity.ts';

export interface Gas {
  recordBatch1: number;
  recordBatch10: number;
  recordBatch100: number;
  grant: number;
  revoke: number;
  registerPatient: number;
}

/** What a block budget of 30M gas every 2 s allows, in records per second, at each batch size. */
export const blockBudget = { gasPerBlock: 30_000_000, blockSeconds: 2 };

export function recordsPerSecAtBudget(gas: Gas) {
  const perSec = (gasPerRecord: number) =>
    Math.floor(blockBudget.gasPerBlock / gasPerRecord) / blockBudget.blockSeconds;
  return {
    batch1: perSec(gas.recordBatch1),
    batch10: perSec(gas.recordBatch10),
    batch100: perSec(gas.recordBatch100),
  };
}

export async function measureGas(
  gateway: Gateway,
  actors: Actors,
  pool: WorkerPool,
  context: RecordContext,
): Promise<Gas> {
  const { url, rpcUrl, organisationId } = gateway;
  const patient = createGatewayClient({ url, identity: generateIdentity() });
  const registered = await patient.registerPatient({ organisationId });
  const doctor = actors.doctors[0] as Identity;
  const granted = await patient.grantConsent({
    grantee: doctor.address,
    categories: ['lab'],
    actions: ['read'],
    expiresInSeconds: 3600,
  });
  const revoked = await patient.revokeConsent(granted.grantId);

  const [from] = (await developmentAccounts(rpcUrl)) as [Address];
  const records = await prepareWrites(pool, context, actors, 1_000_000, 111);
  const perRecord = async (size: number, offset: number) => {
    const batch = records.slice(offset, offset + size).map((record) => ({
      leaf: record.leaf,
      signature: record.signature,
      grantId: actors.grants[record.patient]?.[record.doctor] as bigint,
    }));
    const hash = await anchorDirectly(rpcUrl, from, context.recordsContract, batch);
    return Math.round((await gasUsedBy(rpcUrl, hash)) / size);
  };
  return {
    recordBatch1: await perRecord(1, 0),
    recordBatch10: await perRecord(10, 1),
    recordBatch100: await perRecord(100, 11),
    grant: await gasUsedBy(rpcUrl, granted.transactionHash),
    revoke: await gasUsedBy(rpcUrl, revoked.transactionHash),
    registerPatient: await gasUsedBy(rpcUrl, registered.transactionHash),
  };
}
