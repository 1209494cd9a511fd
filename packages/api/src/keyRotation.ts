/**
 * The keys area: a patient's key rotation (signed by its current key and by the new one), and the
 * encryption key any member or patient registered.
 */
import type { ApiType } from './apiType.ts';
import {
  address,
  bytes32,
  object,
  signature,
  signedFieldNames,
  signedFields,
  transactionResult,
} from './schemaParts.ts';

/** `POST /api/patients/:address/key-rotation`. */
export const rotateKeyBody = object(
  { newSigner: address, encryptionKey: bytes32, ...signedFields, newSignerSignature: signature },
  ['newSigner', 'encryptionKey', ...signedFieldNames, 'newSignerSignature'],
);
export type RotateKeyBody = ApiType<typeof rotateKeyBody>;

/** The patient keeps its address; `signer` signs for it and `encryptionKey` receives its data keys from now on. */
export const keyRotated = object(
  { patient: address, signer: address, encryptionKey: bytes32, ...transactionResult },
  ['patient', 'signer', 'encryptionKey', 'transactionHash', 'blockNumber'],
);
export type KeyRotated = ApiType<typeof keyRotated>;

/** `GET /api/accounts/:address/encryption-key`: a member's or a patient's registered encryption key. */
export const registeredAccount = object(
  {
    address,
    kind: { type: 'string', enum: ['member', 'patient'] },
    active: {
      type: 'boolean',
      description: 'false for a suspended member, or one of an inactive organisation',
    },
    encryptionKey: bytes32,
  },
  ['address', 'kind', 'active', 'encryptionKey'],
);
export type RegisteredAccount = ApiType<typeof registeredAccount>;
