import type { ConsentGranted } from '@medledger/api';
import {
  type Action,
  actionMask,
  type Category,
  categoryMask,
  consentsTypes,
  InvalidInputError,
  type Sensitivity,
  sensitivities,
} from '@medledger/core';
import type { Address } from 'viem';
import { purposeCode } from '../purposeCode.ts';
import type { Transport } from '../transport.ts';

const zeroAddress = '0x0000000000000000000000000000000000000000' as Address;

export interface GrantConsentInput {
  /** The member (or the patient's delegate, read only) given access; or `granteeOrganisation`. */
  grantee?: Address;
  granteeOrganisation?: number;
  categories: Category[];
  actions: Action[];
  maxSensitivity?: Sensitivity;
  /** Purpose of use, `TREAT` by default. */
  purpose?: string;
  expiresInSeconds: number;
  /** The access request this grant answers. */
  requestId?: number;
  /** The current one-time code, when the patient turned its second factor on. */
  otp?: string;
}

/**
 * As the patient: gives one member, one organisation or one of its delegates (read only, within the
 * delegate's category limit) access to records of some categories, for a while; resolves once the grant
 * is in a block.
 *
 * @example
 * const { grantId } = await grantConsent(patient, { grantee: doctor, categories: ['lab'], actions: ['read'], expiresInSeconds: 3600 });
 */
export async function grantConsent(client: Transport, input: GrantConsentInput): Promise<ConsentGranted> {
  if (!input.grantee === !input.granteeOrganisation) {
    throw new InvalidInputError('Give consent either to one member or delegate, or to one organisation.');
  }
  const message = {
    patient: client.account.address,
    grantee: input.grantee ?? zeroAddress,
    granteeOrganisation: input.granteeOrganisation ?? 0,
    categories: categoryMask(input.categories),
    maxSensitivity: sensitivities.indexOf(input.maxSensitivity ?? 'normal'),
    actions: actionMask(input.actions),
    purpose: purposeCode(input.purpose ?? 'TREAT'),
    expiresAt: BigInt(Math.floor(Date.now() / 1000) + input.expiresInSeconds),
    requestId: BigInt(input.requestId ?? 0),
  };
  const signed = await client.signAction('consents', consentsTypes, 'Grant', message);
  return client.call<ConsentGranted>('POST', '/api/consents', {
    ...message,
    expiresAt: Number(message.expiresAt),
    requestId: message.requestId.toString(),
    ...(input.otp ? { otp: input.otp } : {}),
    ...signed,
  });
}
