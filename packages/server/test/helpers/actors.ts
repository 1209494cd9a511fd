/**
 * Test actors: fresh identities with a gateway client each, sign-in done by hand when a test
 * needs to control the message, and signed actions built without the client when a test needs to
 * tamper with them.
 */
import { createGatewayClient, type GatewayClient } from '@medledger/client';
import {
  accountOf,
  bytesToHex,
  consentsTypes,
  consortiumTypes,
  delegatesTypes,
  emergenciesTypes,
  generateIdentity,
  type Identity,
  type LedgerContract,
  ledgerDomain,
  type Role,
  randomBytes,
  recordActionsTypes,
} from '@medledger/core';
import type { Hex } from 'viem';
import { createSiweMessage } from 'viem/siwe';
import { call } from './http.ts';

/** A new identity with its own client of the gateway at `url`. */
export function newActor(url: string, identity: Identity = generateIdentity()): GatewayClient {
  return createGatewayClient({ url, identity });
}

export interface SiweOverrides {
  domain?: string;
  chainId?: number;
  nonce?: string;
  expirationTime?: Date;
  notBefore?: Date;
  issuedAt?: Date;
}

/** An EIP-4361 message for the gateway at `url`, with a fresh nonce unless one is given. */
export async function siweMessage(url: string, identity: Identity, overrides: SiweOverrides = {}) {
  const challenge = await call(url, 'POST', '/api/auth/challenge');
  const { nonce, chainId } = challenge.body as { nonce: string; chainId: number };
  const now = new Date();
  return createSiweMessage({
    domain: new URL(url).host,
    address: accountOf(identity).address,
    statement: 'Sign in to medledger.',
    uri: new URL(url).origin,
    version: '1',
    chainId,
    nonce,
    issuedAt: now,
    expirationTime: new Date(now.getTime() + 5 * 60_000),
    ...overrides,
  });
}

/** Signs in by hand and returns the session token. */
export async function signIn(url: string, identity: Identity): Promise<string> {
  const message = await siweMessage(url, identity);
  const signature = await accountOf(identity).signMessage({ message });
  const response = await call(url, 'POST', '/api/auth/session', { body: { message, signature } });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.text}`);
  return (response.body as { token: string }).token;
}

export interface SignOptions {
  /** Signs with this identity instead of the actor named in the message. */
  signer?: Identity;
  nonce?: bigint;
  /** Unix seconds; default ten minutes from now. */
  deadline?: bigint;
}

/**
 * The nonce, deadline and EIP-712 signature of an action, as the routes take them.
 *
 * @example
 * const signed = await signAction(gateway.url, admin, 'consortium', 'AddMember', message);
 */
export async function signAction(
  url: string,
  identity: Identity,
  contract: LedgerContract,
  primaryType: string,
  message: Record<string, unknown>,
  options: SignOptions = {},
): Promise<{ nonce: string; deadline: string; signature: Hex }> {
  const ledger = (await call(url, 'GET', '/api/ledger')).body as {
    chainId: number;
    contracts: Record<LedgerContract, Hex>;
  };
  const nonce = options.nonce ?? BigInt(bytesToHex(randomBytes(32)));
  const deadline = options.deadline ?? BigInt(Math.floor(Date.now() / 1000) + 600);
  const types =
    contract === 'consortium'
      ? consortiumTypes
      : contract === 'emergencies'
        ? emergenciesTypes
        : contract === 'delegates'
          ? delegatesTypes
          : contract === 'recordActions'
            ? recordActionsTypes
            : consentsTypes;
  const signature = await accountOf(options.signer ?? identity).signTypedData({
    domain: ledgerDomain(contract, ledger.chainId, ledger.contracts[contract] as `0x${string}`),
    types,
    primaryType,
    message: { ...message, nonce, deadline },
  } as Parameters<ReturnType<typeof accountOf>['signTypedData']>[0]);
  return { nonce: nonce.toString(), deadline: deadline.toString(), signature };
}

export interface Consortium {
  admin: GatewayClient;
  organisationId: number;
}

/** Founds the consortium on a fresh gateway: its first organisation, active at once. */
export async function foundConsortium(url: string, name = 'St Mary Hospital'): Promise<Consortium> {
  const admin = newActor(url);
  const { organisationId, status } = await admin.createOrganisation({ name, kind: 'hospital' });
  if (status !== 'active') throw new Error(`the founding organisation is ${status}`);
  return { admin, organisationId };
}

/** A new member of the admin's organisation. */
export async function newMember(
  url: string,
  { admin, organisationId }: Consortium,
  role: Role = 'doctor',
): Promise<GatewayClient> {
  const member = newActor(url);
  await admin.addMember({
    organisationId,
    member: member.address,
    role,
    encryptionKey: member.identity.encryption.publicKey,
  });
  return member;
}

/** A new patient registered with the consortium's organisation as custodian. */
export async function newPatient(url: string, { organisationId }: Consortium): Promise<GatewayClient> {
  const patient = newActor(url);
  await patient.registerPatient({ organisationId });
  return patient;
}
