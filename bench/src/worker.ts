/**
 * A bench worker thread: runs clients (`@medledger/client`, all crypto on this thread) for the e2e
 * view, and prepares signed record uploads for the capacity and growth views. Tasks come from
 * `workerPool.ts`, one at a time per worker.
 */
import { parentPort } from 'node:worker_threads';
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import { bytesToHex, categoryIndex, type Identity, randomBytes } from '@medledger/core';
import { generateResource } from '@medledger/fixtures';
import type { Address, Hex } from 'viem';
import { assignment } from './actors.ts';
import {
  fastLeafSigner,
  type PreparedLeaf,
  type PreparedRecord,
  prepareRecord,
  type RecordContext,
} from './prepare.ts';
import { messageOf, type Timings, timeOperations } from './stats.ts';

type Signer = ReturnType<typeof fastLeafSigner>;

export interface WrittenRecord {
  recordId: Hex;
  doctor: number;
}

export type Task =
  /** Creates one client per doctor against `url` and signs each in. */
  | { kind: 'init'; url: string; doctors: Identity[]; patients: Address[] }
  /** Writes operations [from, to) with addRecord, `concurrency` at once. */
  | { kind: 'write'; from: number; to: number; concurrency: number }
  /** Reads each target with readRecord (fetch, check, decrypt), `concurrency` at once. */
  | { kind: 'read'; targets: WrittenRecord[]; concurrency: number }
  /** Seals and signs the uploads of operations [from, to) without sending them. */
  | {
      kind: 'prepare';
      context: RecordContext;
      doctors: Identity[];
      patients: Address[];
      from: number;
      to: number;
    }
  /** Signs leaves of records that have no envelope (growth seeding): random id and digest. */
  | {
      kind: 'signLeaves';
      context: RecordContext;
      doctors: Identity[];
      patients: Address[];
      from: number;
      to: number;
    };

export type TaskResult<T extends Task> = T extends { kind: 'init' }
  ? null
  : T extends { kind: 'write' }
    ? { timings: Timings; written: WrittenRecord[] }
    : T extends { kind: 'read' }
      ? Timings
      : T extends { kind: 'prepare' }
        ? PreparedRecord[]
        : T extends { kind: 'signLeaves' }
          ? { leaf: PreparedLeaf; signature: Hex; doctor: number; patient: number }[]
          : never;

let clients: GatewayClient[] = [];
let patientsOf: Address[] = [];

async function handle(task: Task): Promise<unknown> {
  switch (task.kind) {
    case 'init': {
      clients = task.doctors.map((identity) => createGatewayClient({ url: task.url, identity }));
      patientsOf = task.patients;
      await Promise.all(clients.map((client) => client.signIn()));
      return null;
    }
    case 'write': {
      const written: WrittenRecord[] = [];
      const actors = { doctors: clients, patients: patientsOf.map((address) => ({ address })) };
      const timings = await timeOperations(task.to - task.from, task.concurrency, async (i) => {
        const index = task.from + i;
        const { doctor, patient, category } = assignment(actors, index);
        const address = patientsOf[patient] as Address;
        const resource = generateResource(category, { seed: index + 1, patientRef: `Patient/${address}` });
        const result = await (clients[doctor] as GatewayClient).addRecord({
          patient: address,
          category,
          resource,
        });
        written.push({ recordId: result.recordId, doctor });
      });
      return { timings, written };
    }
    case 'read':
      return timeOperations(task.targets.length, task.concurrency, async (i) => {
        const target = task.targets[i] as WrittenRecord;
        await (clients[target.doctor] as GatewayClient).readRecord(target.recordId);
      });
    case 'prepare': {
      const actors = { doctors: task.doctors, patients: task.patients.map((address) => ({ address })) };
      const prepared: PreparedRecord[] = [];
      for (let index = task.from; index < task.to; index++) {
        const { doctor, patient, category } = assignment(actors, index);
        const record = await prepareRecord(
          task.context,
          task.doctors[doctor] as Identity,
          task.patients[patient] as Address,
          category,
          index + 1,
        );
        prepared.push({ ...record, index, doctor, patient });
      }
      return prepared;
    }
    case 'signLeaves': {
      const actors = { doctors: task.doctors, patients: task.patients.map((address) => ({ address })) };
      const signed: TaskResult<Extract<Task, { kind: 'signLeaves' }>> = [];
      const createdAt = Math.floor(Date.now() / 1000);
      const signers = task.doctors.map((doctor) => fastLeafSigner(task.context, doctor));
      for (let index = task.from; index < task.to; index++) {
        const { doctor, patient, category } = assignment(actors, index);
        const author = task.doctors[doctor] as Identity;
        const leaf: PreparedLeaf = {
          recordId: bytesToHex(randomBytes(32)),
          patient: (task.patients[patient] as Address).toLowerCase() as Address,
          author: author.address.toLowerCase() as Address,
          category: categoryIndex(category),
          sensitivity: 0,
          contentDigest: bytesToHex(randomBytes(32)),
          supersedes: `0x${'00'.repeat(32)}`,
          createdAt,
        };
        signed.push({ leaf, signature: await (signers[doctor] as Signer)(leaf), doctor, patient });
      }
      return signed;
    }
  }
}

parentPort?.on('message', async ({ id, task }: { id: number; task: Task }) => {
  try {
    parentPort?.postMessage({ id, result: await handle(task) });
  } catch (error) {
    parentPort?.postMessage({ id, error: messageOf(error) });
  }
});
