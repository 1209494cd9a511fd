/**
 * A client of one gateway, acting as one identity. Everything secret happens here, on the
 * caller's side: signing EIP-712 actions, encrypting records before upload and decrypting them
 * after download. The gateway only relays signatures and stores ciphertext.
 *
 * Uses only `fetch` and the core library, so the CLI, the benchmarks and the web app share it.
 */

import type * as Api from '@medledger/api';
import type { AuditEventList, RecordList } from '@medledger/api';
import {
  AccessDeniedError,
  type Action,
  accountOf,
  actionMask,
  base64urlToBytes,
  bytesToBase64url,
  bytesToHex,
  bytesToUtf8,
  type Category,
  ConflictError,
  categoryIndex,
  categoryMask,
  consentsTypes,
  consortiumTypes,
  digestOf,
  type EnvelopeV2,
  type Identity,
  IntegrityError,
  InvalidInputError,
  type LedgerContract,
  LedgerUnavailableError,
  ledgerDomain,
  MedledgerError,
  NotFoundError,
  type OrganisationKind,
  openRecord,
  openRecordFromShares,
  openResealedDataKey,
  organisationKindCode,
  parseEnvelope,
  type Recipient,
  type RecordLeaf,
  type ResealedShare,
  type Role,
  randomBytes,
  recordsTypes,
  roleCode,
  type Sensitivity,
  sealRecord,
  sensitivities,
  unwrapDataKey,
  utf8ToBytes,
  validateResource,
} from '@medledger/core';
import { type Address, type Hex, keccak256, stringToHex, toBytes } from 'viem';
import { createSiweMessage } from 'viem/siwe';
import { coSignatureActions } from './coSignatureActions.ts';
import { emergencyMethods } from './emergencyMethods.ts';
import { errorFromResponse } from './errorFromResponse.ts';
import { notificationMethods } from './notificationMethods.ts';
import { secondFactorActions } from './secondFactorActions.ts';

export interface GatewayClientOptions {
  /** Base URL of the gateway, e.g. http://127.0.0.1:8080 */
  url: string;
  identity: Identity;
  /**
   * Seconds a signed action stays valid: one hour by default, so that a gateway that journaled it
   * can still apply it after recovering from a crash of itself or of its chain. A revocation, which
   * can only take access away and never applies twice, stays valid for 30 days.
   */
  signatureLifetimeSeconds?: number;
}

/** A revocation's signature lifetime: re-applying it late is always safe, dropping it never is. */
const revocationLifetimeSeconds = 30 * 24 * 3600;

export type GatewayClient = ReturnType<typeof createGatewayClient>;

const zeroHash = `0x${'00'.repeat(32)}` as Hex;
const zeroAddress = '0x0000000000000000000000000000000000000000' as Address;

/**
 * @example
 * const client = createGatewayClient({ url: 'http://127.0.0.1:8080', identity });
 * const { recordId } = await client.addRecord({ patient, category: 'lab', resource: observation });
 * const { resource } = await client.readRecord(recordId);
 */
export function createGatewayClient(options: GatewayClientOptions) {
  const baseUrl = options.url.replace(/\/+$/, '');
  const { identity } = options;
  const account = accountOf(identity);
  const me = identity.address.toLowerCase() as Address;
  const lifetime = options.signatureLifetimeSeconds ?? 3600;
  let session: { token: string; expiresAt: number } | undefined;
  let ledgerInfo: Promise<Api.LedgerInfo> | undefined;
  const patientKeys = new Map<string, Promise<Api.PatientKeys>>();

  async function request<T>(method: string, path: string, body?: unknown, authenticated = true): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (authenticated) headers.authorization = `Bearer ${(await ensureSession()).token}`;
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (cause) {
      throw new MedledgerError(`Cannot reach the gateway at ${baseUrl}; is it running?`, {
        cause,
        reason: 'gateway_unreachable',
      });
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new MedledgerError(`The gateway answered ${response.status} with something that is not JSON.`);
    }
    if (!response.ok) throw errorFromResponse(response.status, json);
    return json as T;
  }

  async function ensureSession(): Promise<{ token: string; expiresAt: number }> {
    if (session && session.expiresAt - Date.now() > 30_000) return session;
    const challenge = await request<Api.SignInChallenge>('POST', '/api/auth/challenge', undefined, false);
    const url = new URL(baseUrl);
    const now = new Date();
    const message = createSiweMessage({
      domain: url.host,
      address: account.address,
      statement: 'Sign in to medledger.',
      uri: url.origin,
      version: '1',
      chainId: challenge.chainId,
      nonce: challenge.nonce,
      issuedAt: now,
      expirationTime: new Date(now.getTime() + 5 * 60_000),
    });
    const signature = await account.signMessage({ message });
    const result = await request<Api.SignedIn>('POST', '/api/auth/session', { message, signature }, false);
    session = { token: result.token, expiresAt: result.expiresAt };
    return session;
  }

  function ledger(): Promise<Api.LedgerInfo> {
    ledgerInfo ??= request<Api.LedgerInfo>('GET', '/api/ledger', undefined, false).catch((error) => {
      ledgerInfo = undefined;
      throw error;
    });
    return ledgerInfo;
  }

  /** Signs an action for `contract` with a fresh random nonce and a deadline. */
  async function sign<M extends Record<string, unknown>>(
    contract: LedgerContract,
    types: Record<string, readonly { name: string; type: string }[]>,
    primaryType: string,
    message: M,
  ) {
    const info = await ledger();
    const nonce = BigInt(bytesToHex(randomBytes(32)));
    const seconds = primaryType === 'Revoke' ? Math.max(lifetime, revocationLifetimeSeconds) : lifetime;
    const deadline = BigInt(Math.floor(Date.now() / 1000) + seconds);
    const signature = await account.signTypedData({
      domain: ledgerDomain(contract, info.chainId, info.contracts[contract]),
      types,
      primaryType,
      message: { ...message, nonce, deadline },
    } as Parameters<typeof account.signTypedData>[0]);
    return { nonce: nonce.toString(), deadline: deadline.toString(), signature };
  }

  async function patientKeysOf(patient: Address): Promise<Api.PatientKeys> {
    const key = patient.toLowerCase();
    let keys = patientKeys.get(key);
    if (!keys) {
      keys = request<Api.PatientKeys>('GET', `/api/patients/${key}`);
      keys.catch(() => patientKeys.delete(key));
      patientKeys.set(key, keys);
    }
    return keys;
  }

  async function grantConsent(input: {
    grantee?: Address;
    granteeOrganisation?: number;
    categories: Category[];
    actions: Action[];
    maxSensitivity?: Sensitivity;
    purpose?: string;
    expiresInSeconds: number;
    requestId?: number;
    /** The current one-time code, when the patient turned its second factor on. */
    otp?: string;
  }) {
    if (!input.grantee === !input.granteeOrganisation) {
      throw new InvalidInputError('Give consent either to one member or to one organisation.');
    }
    const message = {
      patient: account.address,
      grantee: input.grantee ?? zeroAddress,
      granteeOrganisation: input.granteeOrganisation ?? 0,
      categories: categoryMask(input.categories),
      maxSensitivity: sensitivities.indexOf(input.maxSensitivity ?? 'normal'),
      actions: actionMask(input.actions),
      purpose: purposeCode(input.purpose ?? 'TREAT'),
      expiresAt: BigInt(Math.floor(Date.now() / 1000) + input.expiresInSeconds),
      requestId: BigInt(input.requestId ?? 0),
    };
    const signed = await sign('consents', consentsTypes, 'Grant', message);
    return request<Api.ConsentGranted>('POST', '/api/consents', {
      ...message,
      expiresAt: Number(message.expiresAt),
      requestId: message.requestId.toString(),
      ...(input.otp ? { otp: input.otp } : {}),
      ...signed,
    });
  }

  /**
   * Publishes on chain, as the organisation's admin, where its gateway is and which account it relays
   * with (by default this gateway's), so that peers find it and it may anchor audit batches.
   */
  async function publishGateway(
    organisationId: number,
    input: { gatewayUrl?: string; relayer?: Address } = {},
  ) {
    const info = await ledger();
    const message = {
      organisationId,
      gatewayUrl: input.gatewayUrl ?? baseUrl,
      relayer: input.relayer ?? info.relayer,
      admin: account.address,
    };
    const signed = await sign('consortium', consortiumTypes, 'SetGateway', message);
    return request<Api.GatewayPublished>('POST', `/api/organisations/${organisationId}/gateway`, {
      gatewayUrl: message.gatewayUrl,
      relayer: message.relayer,
      admin: message.admin,
      ...signed,
    });
  }

  /** The consortium's k-of-n custodians with their registered keys, once custody is configured. */
  async function custodyRecipients(info: Api.LedgerInfo) {
    const { custodians, threshold, version } = info.custody;
    if (!version) return undefined;
    const organisations = await organisationsById();
    return {
      threshold,
      custodians: custodians.map((id): Recipient => {
        const organisation = organisations.get(id);
        if (!organisation)
          throw new NotFoundError(`Custodian organisation ${id} is unknown to this gateway.`);
        return { kind: 'custodian', id: String(id), publicKey: organisation.encryptionKey };
      }),
    };
  }

  let organisationsCache: Promise<Map<number, Api.Organisation>> | undefined;
  function organisationsById(): Promise<Map<number, Api.Organisation>> {
    organisationsCache ??= request<Api.OrganisationList>('GET', '/api/organisations', undefined, false)
      .then(({ organisations }) => new Map(organisations.map((o) => [o.organisationId, o])))
      .catch((error) => {
        organisationsCache = undefined;
        throw error;
      });
    return organisationsCache;
  }

  const peerClients = new Map<string, GatewayClient>();

  /**
   * Asks the record's custodians, each at its own gateway, for their shares, in parallel, and
   * resolves once k have answered. Each custodian checks the chain and audits on its own; fewer
   * than k answers fail closed, saying why each custodian refused.
   */
  async function gatherShares(
    envelope: EnvelopeV2,
    first: Api.RecordAccess,
    purpose?: string,
  ): Promise<ResealedShare[]> {
    const threshold = envelope.custody.threshold;
    const shares: ResealedShare[] = [];
    const toShare = (sealed: { share: number; enc: string; ct: string }): ResealedShare => ({
      share: sealed.share,
      enc: base64urlToBytes(sealed.enc),
      ct: base64urlToBytes(sealed.ct),
    });
    if (first.sealedShare) shares.push(toShare(first.sealedShare));
    const organisations = await organisationsById();
    const firstShare = first.sealedShare?.share;
    const others = envelope.keys.filter(
      (key) => key.kind === 'custodian' && 'share' in key && key.share !== firstShare,
    );
    const failures: string[] = [];
    /** Whether a custodian refused by policy (then the read is denied, not merely unavailable). */
    let refused = false;
    const ask = async (custodian: (typeof others)[number]): Promise<ResealedShare> => {
      const url = organisations.get(Number(custodian.id))?.gatewayUrl;
      if (!url) throw new NotFoundError(`organisation ${custodian.id} publishes no gateway`);
      let peer = peerClients.get(url);
      if (!peer) {
        peer = createGatewayClient({ url, identity, signatureLifetimeSeconds: lifetime });
        peerClients.set(url, peer);
      }
      const answer = await peer.accessRecord(envelope.meta.recordId, purpose);
      if (!answer.sealedShare)
        throw new NotFoundError(`organisation ${custodian.id}'s gateway holds no share`);
      return toShare(answer.sealedShare);
    };
    // Ask as many custodians as shares are still missing, in parallel; ask the next ones only for
    // those that fail, so that a read costs k custodian requests when all is well.
    const queue = [...others];
    const worker = async (): Promise<void> => {
      for (let custodian = queue.shift(); custodian; custodian = queue.shift()) {
        try {
          shares.push(await ask(custodian));
          return;
        } catch (error) {
          if (error instanceof MedledgerError && error.code === 'access_denied') refused = true;
          failures.push(
            `organisation ${custodian.id}: ${error instanceof MedledgerError ? error.shortMessage : String(error)}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(0, threshold - shares.length) }, worker));
    if (shares.length < threshold) {
      const ErrorClass = refused ? AccessDeniedError : LedgerUnavailableError;
      throw new ErrorClass(
        `Only ${shares.length} of the ${threshold} key shares needed could be had; the record stays closed.`,
        { metaMessages: failures },
      );
    }
    return shares.slice(0, threshold);
  }

  const context = { request, sign, ledger, account };
  const client = {
    ...coSignatureActions(
      context,
      (recordId: Hex, purpose?: string): Promise<{ record: Api.RecordMetadata }> =>
        client.readRecord(recordId, purpose),
    ),
    ...secondFactorActions(context),
    ...emergencyMethods({ request, sign, address: account.address }),
    ...notificationMethods({
      request,
      baseUrl,
      sessionToken: async () => (await ensureSession()).token,
      dropSession: () => {
        session = undefined;
      },
    }),
    address: me,
    url: baseUrl,
    /** This identity's access history at this gateway, with proofs against the anchored batches. */
    auditProofs: () => request<Api.AuditTrailProofs>('GET', '/api/audit/proofs'),
    /** Every leaf of this gateway's anchored audit batches, a page of whole batches from batch `from` on. */
    auditBatches: (from = 0) => request<Api.AuditBatchPage>('GET', `/api/audit/batches?from=${from}`),
    /** The raw answer of one gateway to a read: envelope, and a key or this gateway's key share. */
    accessRecord: (recordId: Hex, purpose?: string) =>
      request<Api.RecordAccess>(
        'POST',
        `/api/records/${recordId.toLowerCase()}/access`,
        purpose ? { purpose } : {},
      ),
    identity,
    signIn: ensureSession,
    /** A request to this gateway, signed in unless `authenticated` is false (for actions kept in their own files). */
    call: request,
    /** Signs an action of this identity for a ledger contract, with a fresh nonce and deadline. */
    signAction: sign,
    ledger,
    health: () => request<Api.Health>('GET', '/api/health', undefined, false),
    me: () => request<Api.Me>('GET', '/api/me'),

    async createOrganisation(input: { name: string; kind: OrganisationKind; gatewayUrl?: string }) {
      const info = await ledger();
      const message = {
        name: input.name,
        kind: organisationKindCode(input.kind),
        admin: account.address,
        encryptionKey: info.custodian.encryptionKey,
        gatewayUrl: input.gatewayUrl ?? baseUrl,
      };
      const signed = await sign('consortium', consortiumTypes, 'ProposeOrganisation', message);
      const created = await request<Api.OrganisationCreated>('POST', '/api/organisations', {
        ...message,
        ...signed,
      });
      // A founding organisation is active at once and publishes its gateway straight away; one that
      // joins does so once approved (`publishGateway`).
      if (created.status === 'active')
        await publishGateway(created.organisationId, { gatewayUrl: message.gatewayUrl });
      return created;
    },

    publishGateway,

    /** Proposes the consortium's key custody: which organisations hold shares, and k. */
    async proposeCustody(custodians: number[], threshold: number) {
      const message = { custodians, threshold, admin: account.address };
      const signed = await sign('consortium', consortiumTypes, 'ProposeCustody', message);
      return request<Api.CustodyProposalResult>('POST', '/api/custody/proposals', {
        ...message,
        ...signed,
      });
    },

    async approveCustody(proposalId: number) {
      const signed = await sign('consortium', consortiumTypes, 'ApproveCustody', {
        proposalId: BigInt(proposalId),
        approver: account.address,
      });
      return request<Api.CustodyProposalResult>('POST', `/api/custody/proposals/${proposalId}/approvals`, {
        approver: account.address,
        ...signed,
      });
    },

    async approveOrganisation(organisationId: number) {
      const signed = await sign('consortium', consortiumTypes, 'ApproveOrganisation', {
        organisationId,
        approver: account.address,
      });
      return request<Api.OrganisationCreated>('POST', `/api/organisations/${organisationId}/approvals`, {
        approver: account.address,
        ...signed,
      });
    },

    organisations: () => request<Api.OrganisationList>('GET', '/api/organisations', undefined, false),
    members: (organisationId: number) =>
      request<Api.MemberList>('GET', `/api/organisations/${organisationId}/members`),

    async addMember(input: { organisationId: number; member: Address; role: Role; encryptionKey: Hex }) {
      const message = {
        organisationId: input.organisationId,
        member: input.member,
        role: roleCode(input.role),
        encryptionKey: input.encryptionKey,
        admin: account.address,
      };
      const signed = await sign('consortium', consortiumTypes, 'AddMember', message);
      return request<Api.MemberAdded>('POST', '/api/members', { ...message, ...signed });
    },

    async suspendMember(member: Address) {
      const signed = await sign('consortium', consortiumTypes, 'SuspendMember', {
        member,
        admin: account.address,
      });
      return request<Api.MemberSuspended>('POST', `/api/members/${member}/suspension`, {
        admin: account.address,
        ...signed,
      });
    },

    /** Registers this identity as a patient, with the organisation that will be its custodian. */
    async registerPatient(input: { organisationId?: number } = {}) {
      const info = await ledger();
      const organisationId = input.organisationId ?? info.custodian.organisationIds[0];
      if (organisationId === undefined) {
        throw new InvalidInputError(
          'This gateway hosts no organisation yet: pass the organisation to register with.',
        );
      }
      const message = {
        patient: account.address,
        encryptionKey: identity.encryption.publicKey,
        organisationId,
      };
      const signed = await sign('consortium', consortiumTypes, 'RegisterPatient', message);
      return request<Api.PatientRegistered>('POST', '/api/patients', { ...message, ...signed });
    },

    /**
     * Checks, encrypts, signs and uploads a FHIR resource as a record of `patient`; resolves once
     * it is anchored in a block.
     */
    async addRecord(input: {
      patient: Address;
      category: Category;
      sensitivity?: Sensitivity;
      resource: unknown;
      supersedes?: Hex;
    }): Promise<Api.RecordAdded> {
      const sensitivity = input.sensitivity ?? 'normal';
      const resource = validateResource(input.resource, input.category);
      const [info, keys] = await Promise.all([ledger(), patientKeysOf(input.patient)]);
      const patient = input.patient.toLowerCase() as Address;
      const recordId = bytesToHex(randomBytes(32));
      const createdAt = Math.floor(Date.now() / 1000);
      const supersedes = (input.supersedes?.toLowerCase() as Hex | undefined) ?? zeroHash;
      const recipients: Recipient[] = [{ kind: 'patient', id: patient, publicKey: keys.encryptionKey }];
      const custody = await custodyRecipients(info);
      if (!custody && keys.custodian) {
        recipients.push({
          kind: 'custodian',
          id: String(keys.custodian.organisationId),
          publicKey: keys.custodian.encryptionKey,
        });
      }
      const { envelope, dataKey } = await sealRecord({
        plaintext: utf8ToBytes(JSON.stringify(resource)),
        metadata: {
          recordId,
          patient,
          author: me,
          category: input.category,
          sensitivity,
          supersedes,
          createdAt,
        },
        recipients,
        ...(custody ? { custody } : {}),
      });
      dataKey.fill(0);
      const leaf: RecordLeaf = {
        recordId,
        patient,
        author: me,
        category: categoryIndex(input.category),
        sensitivity: sensitivities.indexOf(sensitivity),
        contentDigest: digestOf(envelope),
        supersedes,
        createdAt: BigInt(createdAt),
      };
      const signature = await account.signTypedData({
        domain: ledgerDomain('records', info.chainId, info.contracts.records),
        types: recordsTypes,
        primaryType: 'Record',
        message: leaf,
      });
      return request<Api.RecordAdded>('POST', '/api/records', {
        leaf: { ...leaf, createdAt },
        signature,
        envelope: bytesToBase64url(envelope),
      });
    },

    /**
     * As the patient: encrypts the record again under a fresh data key (new shares to the
     * custodians) as a new version that supersedes it. A reader who kept the old key, say before
     * a revocation, can open nothing of the new version.
     */
    async rekeyRecord(recordId: Hex): Promise<Api.RecordAdded> {
      const { record, resource } = await client.readRecord(recordId);
      if (record.patient.toLowerCase() !== me) {
        throw new AccessDeniedError('Only the patient re-keys its records.');
      }
      return client.addRecord({
        patient: me,
        category: record.category,
        sensitivity: record.sensitivity,
        resource,
        supersedes: record.recordId,
      });
    },

    listRecords: (patient: Address) =>
      request<RecordList>('GET', `/api/records?patient=${patient.toLowerCase()}`),

    /** Fetches a record's envelope and key, checks the envelope against its anchored digest, and decrypts it. */
    async readRecord(
      recordId: Hex,
      purpose?: string,
    ): Promise<{ record: Api.RecordMetadata; resource: unknown }> {
      const answer = await request<Api.RecordAccess>(
        'POST',
        `/api/records/${recordId.toLowerCase()}/access`,
        purpose ? { purpose } : {},
      );
      const bytes = base64urlToBytes(answer.envelope, 'envelope');
      if (digestOf(bytes) !== answer.record.contentDigest) {
        throw new IntegrityError(`The envelope of record ${recordId} does not match its anchored digest.`);
      }
      const envelope = parseEnvelope(bytes);
      if (envelope.meta.recordId.toLowerCase() !== recordId.toLowerCase()) {
        throw new IntegrityError(`The envelope served for record ${recordId} belongs to another record.`);
      }
      const secret = identity.encryption.secretKey;
      // The patient opens its own slot, unless the slot is sealed to a key it has rotated out since.
      const ownSlot =
        envelope.meta.patient.toLowerCase() === me &&
        envelope.keys.some(
          (key) =>
            key.kind === 'patient' &&
            key.publicKey.toLowerCase() === identity.encryption.publicKey.toLowerCase(),
        );
      if (envelope.v === 2 && !answer.sealedKey && !ownSlot) {
        const shares = await gatherShares(envelope, answer, purpose);
        const { plaintext, dataKey } = await openRecordFromShares(envelope, shares, secret);
        dataKey.fill(0);
        return { record: answer.record, resource: JSON.parse(bytesToUtf8(plaintext)) };
      }
      const dataKey = answer.sealedKey
        ? await openResealedDataKey(
            { enc: base64urlToBytes(answer.sealedKey.enc), ct: base64urlToBytes(answer.sealedKey.ct) },
            secret,
            envelope.meta.recordId,
          )
        : await unwrapDataKey(envelope, { kind: 'patient', id: me }, secret);
      try {
        return { record: answer.record, resource: JSON.parse(bytesToUtf8(openRecord(envelope, dataKey))) };
      } finally {
        dataKey.fill(0);
      }
    },

    grantConsent,

    async revokeConsent(grantId: number) {
      const signed = await sign('consents', consentsTypes, 'Revoke', {
        patient: account.address,
        grantId: BigInt(grantId),
      });
      return request<Api.ConsentRevoked>('POST', `/api/consents/${grantId}/revocation`, {
        patient: account.address,
        ...signed,
      });
    },

    listConsents: () => request<Api.ConsentList>('GET', '/api/consents'),

    async requestAccess(input: {
      patient: Address;
      categories: Category[];
      actions?: Action[];
      reason?: string;
    }) {
      const reason = input.reason ?? '';
      const message = {
        requester: account.address,
        patient: input.patient,
        categories: categoryMask(input.categories),
        actions: actionMask(input.actions ?? ['read']),
        reasonHash: keccak256(toBytes(reason)),
      };
      const signed = await sign('consents', consentsTypes, 'RequestAccess', message);
      return request<Api.AccessRequested>('POST', '/api/access-requests', {
        ...message,
        reason,
        ...signed,
      });
    },

    accessRequest: (requestId: number) =>
      request<Api.AccessRequest>('GET', `/api/access-requests/${requestId}`),
    listAccessRequests: () => request<Api.AccessRequestList>('GET', '/api/access-requests'),

    /** Approves a pending request of this patient with a grant of what was asked for. */
    async approveAccessRequest(
      requestId: number,
      input: { expiresInSeconds: number; maxSensitivity?: Sensitivity; purpose?: string; otp?: string },
    ) {
      const pending = await request<Api.AccessRequest>('GET', `/api/access-requests/${requestId}`);
      if (pending.patient.toLowerCase() !== me) {
        throw new AccessDeniedError(`Access request ${requestId} is addressed to another patient.`);
      }
      if (pending.status !== 'pending') {
        throw new ConflictError(`Access request ${requestId} is already ${pending.status}.`);
      }
      return grantConsent({
        grantee: pending.requester,
        categories: pending.categories,
        actions: pending.actions,
        expiresInSeconds: input.expiresInSeconds,
        requestId,
        ...(input.maxSensitivity ? { maxSensitivity: input.maxSensitivity } : {}),
        ...(input.purpose ? { purpose: input.purpose } : {}),
        ...(input.otp ? { otp: input.otp } : {}),
      });
    },

    async denyAccessRequest(requestId: number) {
      const signed = await sign('consents', consentsTypes, 'DenyRequest', {
        patient: account.address,
        requestId: BigInt(requestId),
      });
      return request<Api.AccessRequestDenied>('POST', `/api/access-requests/${requestId}/denial`, {
        patient: account.address,
        ...signed,
      });
    },

    audit: (query: { patient?: Address; organisation?: number } = {}) => {
      const params = new URLSearchParams();
      if (query.patient) params.set('patient', query.patient.toLowerCase());
      if (query.organisation) params.set('organisation', String(query.organisation));
      return request<AuditEventList>('GET', `/api/audit?${params}`);
    },
  };
  return client;
}

/** A purpose of use (e.g. HL7 v3 ActReason `TREAT`) as the `bytes32` the ledger keeps. */
export function purposeCode(purpose: string): Hex {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(purpose)) {
    throw new InvalidInputError(`Invalid purpose "${purpose}": 1 to 32 letters, digits, _ or -.`);
  }
  return stringToHex(purpose, { size: 32 });
}
