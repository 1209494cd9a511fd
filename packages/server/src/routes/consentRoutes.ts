import {
  address,
  bytes32,
  created,
  errorResponse,
  idParam,
  object,
  oneTimeCode,
  signedFields,
  uint8,
  uint32,
  uint64,
  uint256,
} from '@medledger/api';
import {
  AccessDeniedError,
  actionsOfMask,
  categoriesOfMask,
  InvalidInputError,
  NotFoundError,
  sensitivities,
} from '@medledger/core';
import type { FastifyInstance } from 'fastify';
import { type Address, type Hex, hexToString, keccak256, toBytes } from 'viem';
import type { GatewayServices } from '../gatewayServices.ts';
import { requireSigner, signedArgs } from '../operations/signedActions.ts';
import type { AccessRequestRow, GrantRow } from '../store/gatewayStore.ts';
import { requireSession, sameAddress, typedRoutes } from './routeHelpers.ts';

export function consentRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = typedRoutes(instance);
  const { ledger, auth, store, indexer, secondFactor } = services;
  const session = requireSession(auth);
  const security = [{ session: [] }];

  app.post(
    '/api/consents',
    {
      preHandler: session,
      schema: {
        summary: 'Grant consent (or approve an access request when requestId is set), signed by the patient',
        description:
          'A patient who turned on a one-time code must send the current one (otp); it is checked before relaying.',
        tags: ['consents'],
        security,
        body: object(
          {
            patient: address,
            grantee: address,
            granteeOrganisation: uint32,
            categories: uint32,
            maxSensitivity: uint8,
            actions: uint8,
            purpose: bytes32,
            expiresAt: uint64,
            requestId: uint256,
            otp: oneTimeCode,
            ...signedFields,
          },
          [
            'patient',
            'grantee',
            'granteeOrganisation',
            'categories',
            'maxSensitivity',
            'actions',
            'purpose',
            'expiresAt',
            'requestId',
            'nonce',
            'deadline',
            'signature',
          ],
        ),
        response: {
          201: created,
          400: errorResponse,
          403: errorResponse,
          404: errorResponse,
          409: errorResponse,
          429: errorResponse,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const patient = requireSigner(request.session, body.patient, 'consent');
      await secondFactor.requireCode(patient, body.otp);
      const sent = await ledger.write('consents', 'grant', [
        {
          patient,
          grantee: body.grantee as Address,
          granteeOrganisation: body.granteeOrganisation,
          categories: body.categories,
          maxSensitivity: body.maxSensitivity,
          actions: body.actions,
          purpose: body.purpose as Hex,
          expiresAt: BigInt(body.expiresAt),
          requestId: BigInt(body.requestId),
        },
        ...signedArgs(body),
      ]);
      const granted = sent.events.find((event) => event.eventName === 'ConsentGranted');
      await indexer.sync();
      return reply.status(201).send({
        grantId: granted && 'grantId' in granted.args ? Number(granted.args.grantId) : null,
        transactionHash: sent.hash,
        blockNumber: Number(sent.blockNumber),
      });
    },
  );

  app.post(
    '/api/consents/:id/revocation',
    {
      preHandler: session,
      schema: {
        summary: 'Revoke a consent, signed by its patient; effective from the block that records it',
        tags: ['consents'],
        security,
        params: idParam,
        body: object({ patient: address, ...signedFields }, ['patient', 'nonce', 'deadline', 'signature']),
      },
    },
    async (request) => {
      const patient = requireSigner(request.session, request.body.patient, 'revocation');
      const sent = await ledger.write('consents', 'revoke', [
        patient,
        BigInt(request.params.id),
        ...signedArgs(request.body),
      ]);
      await indexer.sync();
      return {
        grantId: Number(request.params.id),
        revoked: true,
        transactionHash: sent.hash,
        blockNumber: Number(sent.blockNumber),
      };
    },
  );

  app.get(
    '/api/consents',
    {
      preHandler: session,
      schema: {
        summary: 'Consents given by the caller (a patient) or to the caller (a member or its organisation)',
        tags: ['consents'],
        security,
      },
    },
    async (request) => {
      const me = request.session.address;
      const [given, member] = await Promise.all([store.grantsOfPatient(me), store.member(me)]);
      const received = await store.grantsToActor(me, member?.organisationId ?? 0);
      const now = Math.floor(Date.now() / 1000);
      return {
        given: given.map((g) => describeGrant(g, now)),
        received: received.map((g) => describeGrant(g, now)),
      };
    },
  );

  app.post(
    '/api/access-requests',
    {
      preHandler: session,
      schema: {
        summary: 'Ask a patient for access, signed by the requesting member (the reason stays off chain)',
        tags: ['consents'],
        security,
        body: object(
          {
            requester: address,
            patient: address,
            categories: uint32,
            actions: uint8,
            reason: { type: 'string', maxLength: 1000 },
            reasonHash: bytes32,
            ...signedFields,
          },
          [
            'requester',
            'patient',
            'categories',
            'actions',
            'reason',
            'reasonHash',
            'nonce',
            'deadline',
            'signature',
          ],
        ),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const requester = requireSigner(request.session, body.requester, 'access request');
      if (keccak256(toBytes(body.reason)) !== body.reasonHash.toLowerCase()) {
        throw new InvalidInputError('reasonHash must be the keccak256 of the reason’s UTF-8 bytes.');
      }
      await store.saveRequestReason(body.reasonHash.toLowerCase() as Hex, body.reason);
      const sent = await ledger.write('consents', 'requestAccess', [
        requester,
        body.patient as Address,
        body.categories,
        body.actions,
        body.reasonHash as Hex,
        ...signedArgs(body),
      ]);
      const requested = sent.events.find((event) => event.eventName === 'AccessRequested');
      await indexer.sync();
      return reply.status(201).send({
        requestId: requested && 'requestId' in requested.args ? Number(requested.args.requestId) : null,
        transactionHash: sent.hash,
        blockNumber: Number(sent.blockNumber),
      });
    },
  );

  app.get(
    '/api/access-requests',
    {
      preHandler: session,
      schema: {
        summary: 'Access requests to the caller (a patient) and by the caller',
        tags: ['consents'],
        security,
      },
    },
    async (request) => {
      const me = request.session.address;
      const [incoming, outgoing] = await Promise.all([
        store.accessRequests({ patient: me }),
        store.accessRequests({ requester: me }),
      ]);
      return {
        incoming: await Promise.all(incoming.map(describeRequest)),
        outgoing: await Promise.all(outgoing.map(describeRequest)),
      };
    },
  );

  app.get(
    '/api/access-requests/:id',
    {
      preHandler: session,
      schema: {
        summary: 'One access request (to its patient and its requester only)',
        tags: ['consents'],
        security,
        params: idParam,
      },
    },
    async (request) => {
      const row = await store.accessRequest(Number(request.params.id));
      const me = request.session.address;
      if (!row || !(sameAddress(row.patient, me) || sameAddress(row.requester, me))) {
        throw new NotFoundError(`No access request ${request.params.id} of yours.`);
      }
      return describeRequest(row);
    },
  );

  app.post(
    '/api/access-requests/:id/denial',
    {
      preHandler: session,
      schema: {
        summary: 'Deny an access request, signed by the patient',
        tags: ['consents'],
        security,
        params: idParam,
        body: object({ patient: address, ...signedFields }, ['patient', 'nonce', 'deadline', 'signature']),
      },
    },
    async (request) => {
      const patient = requireSigner(request.session, request.body.patient, 'denial');
      const row = await store.accessRequest(Number(request.params.id));
      if (row && !sameAddress(row.patient, patient))
        throw new AccessDeniedError('Only the patient can deny this request.');
      const sent = await ledger.write('consents', 'denyRequest', [
        patient,
        BigInt(request.params.id),
        ...signedArgs(request.body),
      ]);
      await indexer.sync();
      return { requestId: Number(request.params.id), status: 'denied', transactionHash: sent.hash };
    },
  );

  async function describeRequest(row: AccessRequestRow) {
    return {
      requestId: row.requestId,
      patient: row.patient,
      requester: row.requester,
      categories: categoriesOfMask(row.categories),
      actions: actionsOfMask(row.actions),
      reason: (await store.requestReason(row.reasonHash)) ?? null,
      status: row.status,
      grantId: row.grantId,
    };
  }
}

export function describeGrant(row: GrantRow, now: number) {
  return {
    grantId: row.grantId,
    patient: row.patient,
    grantee: row.grantee,
    granteeOrganisation: row.granteeOrganisation || null,
    categories: categoriesOfMask(row.categories),
    maxSensitivity: sensitivities[row.maxSensitivity],
    actions: actionsOfMask(row.actions),
    purpose: hexToString(row.purpose as Hex, { size: 32 }).replace(/\0+$/, ''),
    expiresAt: row.expiresAt,
    requestId: row.requestId || null,
    status: row.revokedAtBlock !== null ? 'revoked' : row.expiresAt <= now ? 'expired' : 'active',
  };
}
