/**
 * What several actions look up at the gateway and keep for the transport's lifetime: the
 * consortium's organisations, a patient's keys, and the custodians a new record's key is split to.
 */

import type { LedgerInfo, Organisation, OrganisationList, PatientKeys } from '@medledger/api';
import { NotFoundError, type Recipient } from '@medledger/core';
import type { Address } from 'viem';
import type { Transport } from './transport.ts';

/** The consortium's organisations by id (asked once; asked again after a failure). */
export function organisationsById(client: Transport): Promise<Map<number, Organisation>> {
  return client.cached('organisations', () =>
    client
      .call<OrganisationList>('GET', '/api/organisations', undefined, false)
      .then(({ organisations }) => new Map(organisations.map((o) => [o.organisationId, o]))),
  );
}

/** A patient's registered keys and custodian (asked once per patient). */
export function patientKeysOf(client: Transport, patient: Address): Promise<PatientKeys> {
  const key = patient.toLowerCase();
  return client.cached(`patient:${key}`, () => client.call<PatientKeys>('GET', `/api/patients/${key}`));
}

/** The consortium's k-of-n custodians with their registered keys, once custody is configured. */
export async function custodyRecipients(
  client: Transport,
  info: LedgerInfo,
): Promise<{ threshold: number; custodians: Recipient[] } | undefined> {
  const { custodians, threshold, version } = info.custody;
  if (!version) return undefined;
  const organisations = await organisationsById(client);
  return {
    threshold,
    custodians: custodians.map((id): Recipient => {
      const organisation = organisations.get(id);
      if (!organisation) throw new NotFoundError(`Custodian organisation ${id} is unknown to this gateway.`);
      return { kind: 'custodian', id: String(id), publicKey: organisation.encryptionKey };
    }),
  };
}
