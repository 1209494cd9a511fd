import {
  address,
  bytes32,
  created,
  errorResponse,
  object,
  signedFields,
  uint8,
  uint32,
} from '@medledger/api';
import { NotFoundError, organisationKindOfCode, organisationStatuses, roleOfCode } from '@medledger/core';
import type { FastifyInstance } from 'fastify';
import type { Address, Hex } from 'viem';
import type { GatewayServices } from '../gatewayServices.ts';
import { requireSigner, signedArgs } from '../operations/signedActions.ts';
import { requireSession, typedRoutes } from './routeHelpers.ts';

const idParams = object({ id: { type: 'string', pattern: '^[0-9]{1,10}$' } }, ['id']);
const addressParams = object({ address }, ['address']);

export function consortiumRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = typedRoutes(instance);
  const { ledger, auth, store } = services;
  const session = requireSession(auth);
  const security = [{ session: [] }];

  app.post(
    '/api/organisations',
    {
      preHandler: session,
      schema: {
        summary: 'Propose an organisation (the first one founds the consortium), signed by its admin',
        tags: ['consortium'],
        security,
        body: object(
          {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            kind: uint8,
            admin: address,
            encryptionKey: bytes32,
            gatewayUrl: { type: 'string', maxLength: 500 },
            ...signedFields,
          },
          ['name', 'kind', 'admin', 'encryptionKey', 'gatewayUrl', 'nonce', 'deadline', 'signature'],
        ),
        response: { 201: created, 400: errorResponse, 403: errorResponse, 409: errorResponse },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const admin = requireSigner(request.session, body.admin, 'organisation proposal');
      const sent = await ledger.write('consortium', 'proposeOrganisation', [
        body.name,
        body.kind,
        admin,
        body.encryptionKey as Hex,
        body.gatewayUrl,
        ...signedArgs(body),
      ]);
      const proposed = sent.events.find((event) => event.eventName === 'OrganisationProposed');
      const activated = sent.events.some((event) => event.eventName === 'OrganisationActivated');
      await services.indexer.sync();
      return reply.status(201).send({
        organisationId:
          proposed && 'organisationId' in proposed.args ? Number(proposed.args.organisationId) : null,
        status: activated ? 'active' : 'pending',
        transactionHash: sent.hash,
        blockNumber: Number(sent.blockNumber),
      });
    },
  );

  app.post(
    '/api/organisations/:id/approvals',
    {
      preHandler: session,
      schema: {
        summary: 'Approve a pending organisation, signed by an admin of an active organisation',
        tags: ['consortium'],
        security,
        params: idParams,
        body: object({ approver: address, ...signedFields }, ['approver', 'nonce', 'deadline', 'signature']),
      },
    },
    async (request) => {
      const approver = requireSigner(request.session, request.body.approver, 'approval');
      const id = Number(request.params.id);
      // The contract would only say "not pending"; an organisation that does not exist is a 404.
      if ((await ledger.read('consortium', 'organisation', [id])).status === 0) {
        throw new NotFoundError(`No organisation ${id}.`);
      }
      const sent = await ledger.write('consortium', 'approveOrganisation', [
        id,
        approver,
        ...signedArgs(request.body),
      ]);
      await services.indexer.sync();
      return {
        organisationId: Number(request.params.id),
        status: sent.events.some((event) => event.eventName === 'OrganisationActivated')
          ? 'active'
          : 'pending',
        transactionHash: sent.hash,
        blockNumber: Number(sent.blockNumber),
      };
    },
  );

  app.get(
    '/api/organisations',
    { schema: { summary: 'Organisations of the consortium', tags: ['consortium'] } },
    async () => ({ organisations: (await store.organisations()).map(describeOrganisation) }),
  );

  app.get(
    '/api/organisations/:id',
    { schema: { summary: 'One organisation, as the ledger has it', tags: ['consortium'], params: idParams } },
    async (request) => {
      const id = Number(request.params.id);
      const organisation = await ledger.read('consortium', 'organisation', [id]);
      if (organisation.status === 0) throw new NotFoundError(`No organisation ${id}.`);
      return {
        organisationId: id,
        name: organisation.name,
        kind: organisationKindOfCode(organisation.kind),
        status: organisationStatuses[organisation.status],
        encryptionKey: organisation.encryptionKey,
        gatewayUrl: organisation.gatewayUrl,
        approvals: organisation.approvals,
      };
    },
  );

  app.post(
    '/api/organisations/:id/gateway',
    {
      preHandler: session,
      schema: {
        summary: 'Publish the organisation’s gateway (URL and relayer account), signed by its admin',
        description:
          'Peers find each other through these; the relayer is the only account that may anchor the organisation’s audit batches.',
        tags: ['consortium'],
        security,
        params: idParams,
        body: object(
          {
            gatewayUrl: { type: 'string', maxLength: 500 },
            relayer: address,
            admin: address,
            ...signedFields,
          },
          ['gatewayUrl', 'relayer', 'admin', 'nonce', 'deadline', 'signature'],
        ),
      },
    },
    async (request) => {
      const admin = requireSigner(request.session, request.body.admin, 'gateway publication');
      const sent = await ledger.write('consortium', 'setGateway', [
        Number(request.params.id),
        request.body.gatewayUrl,
        request.body.relayer as Address,
        admin,
        ...signedArgs(request.body),
      ]);
      await services.indexer.sync();
      return {
        organisationId: Number(request.params.id),
        transactionHash: sent.hash,
        blockNumber: Number(sent.blockNumber),
      };
    },
  );

  app.post(
    '/api/custody/proposals',
    {
      preHandler: session,
      schema: {
        summary: 'Propose which organisations hold key shares and how many a read needs (k of n)',
        description:
          'Takes effect when two thirds of the active organisations approve; the proposer’s organisation counts.',
        tags: ['consortium'],
        security,
        body: object(
          {
            custodians: { type: 'array', items: uint32, minItems: 1, maxItems: 16 },
            threshold: uint8,
            admin: address,
            ...signedFields,
          },
          ['custodians', 'threshold', 'admin', 'nonce', 'deadline', 'signature'],
        ),
        response: { 201: created, 400: errorResponse, 403: errorResponse },
      },
    },
    async (request, reply) => {
      const admin = requireSigner(request.session, request.body.admin, 'custody proposal');
      const sent = await ledger.write('consortium', 'proposeCustody', [
        request.body.custodians,
        request.body.threshold,
        admin,
        ...signedArgs(request.body),
      ]);
      const proposed = sent.events.find((event) => event.eventName === 'CustodyProposed');
      return reply.status(201).send({
        proposalId: proposed && 'proposalId' in proposed.args ? Number(proposed.args.proposalId) : null,
        enacted: sent.events.some((event) => event.eventName === 'CustodyChanged'),
        transactionHash: sent.hash,
      });
    },
  );

  app.post(
    '/api/custody/proposals/:id/approvals',
    {
      preHandler: session,
      schema: {
        summary: 'Approve a custody proposal, as an admin of an active organisation',
        tags: ['consortium'],
        security,
        params: idParams,
        body: object({ approver: address, ...signedFields }, ['approver', 'nonce', 'deadline', 'signature']),
      },
    },
    async (request) => {
      const approver = requireSigner(request.session, request.body.approver, 'custody approval');
      const sent = await ledger.write('consortium', 'approveCustody', [
        BigInt(request.params.id),
        approver,
        ...signedArgs(request.body),
      ]);
      return {
        proposalId: Number(request.params.id),
        enacted: sent.events.some((event) => event.eventName === 'CustodyChanged'),
        transactionHash: sent.hash,
      };
    },
  );

  app.get(
    '/api/organisations/:id/members',
    {
      preHandler: session,
      schema: {
        summary: 'Members of an organisation (its members only)',
        tags: ['consortium'],
        security,
        params: idParams,
      },
    },
    async (request) => {
      const id = Number(request.params.id);
      const caller = await ledger.read('consortium', 'member', [request.session.address]);
      if (caller.organisationId !== id) {
        throw new NotFoundError(`No organisation ${id} among yours.`);
      }
      return {
        members: (await store.membersOf(id)).map((member) => ({
          address: member.address,
          role: roleOfCode(member.role),
          active: member.active,
          encryptionKey: member.encryptionKey,
        })),
      };
    },
  );

  app.post(
    '/api/members',
    {
      preHandler: session,
      schema: {
        summary: 'Register a member, signed by an admin of its organisation',
        tags: ['consortium'],
        security,
        body: object(
          {
            organisationId: uint32,
            member: address,
            role: uint8,
            encryptionKey: bytes32,
            admin: address,
            ...signedFields,
          },
          ['organisationId', 'member', 'role', 'encryptionKey', 'admin', 'nonce', 'deadline', 'signature'],
        ),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const admin = requireSigner(request.session, body.admin, 'member registration');
      const sent = await ledger.write('consortium', 'addMember', [
        body.organisationId,
        body.member as Address,
        body.role,
        body.encryptionKey as Hex,
        admin,
        ...signedArgs(body),
      ]);
      await services.indexer.sync();
      return reply.status(201).send({
        address: body.member.toLowerCase(),
        organisationId: body.organisationId,
        role: roleOfCode(body.role),
        transactionHash: sent.hash,
        blockNumber: Number(sent.blockNumber),
      });
    },
  );

  app.post(
    '/api/members/:address/suspension',
    {
      preHandler: session,
      schema: {
        summary: 'Suspend a member, signed by an admin of its organisation',
        tags: ['consortium'],
        security,
        params: addressParams,
        body: object({ admin: address, ...signedFields }, ['admin', 'nonce', 'deadline', 'signature']),
      },
    },
    async (request) => {
      const admin = requireSigner(request.session, request.body.admin, 'suspension');
      const sent = await ledger.write('consortium', 'suspendMember', [
        request.params.address as Address,
        admin,
        ...signedArgs(request.body),
      ]);
      await services.indexer.sync();
      return { address: request.params.address.toLowerCase(), active: false, transactionHash: sent.hash };
    },
  );

  app.post(
    '/api/patients',
    {
      preHandler: session,
      schema: {
        summary: 'Register a patient, signed by the patient',
        tags: ['consortium'],
        security,
        body: object({ patient: address, encryptionKey: bytes32, organisationId: uint32, ...signedFields }, [
          'patient',
          'encryptionKey',
          'organisationId',
          'nonce',
          'deadline',
          'signature',
        ]),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const patient = requireSigner(request.session, body.patient, 'patient registration');
      const sent = await ledger.write('consortium', 'registerPatient', [
        patient,
        body.encryptionKey as Hex,
        body.organisationId,
        ...signedArgs(body),
      ]);
      await services.indexer.sync();
      return reply.status(201).send({
        address: patient.toLowerCase(),
        organisationId: body.organisationId,
        transactionHash: sent.hash,
        blockNumber: Number(sent.blockNumber),
      });
    },
  );

  app.get(
    '/api/patients/:address',
    {
      preHandler: session,
      schema: {
        summary: 'A patient’s public keys: the patient’s own and its custodian organisation’s',
        tags: ['consortium'],
        security,
        params: addressParams,
      },
    },
    async (request) => {
      const patientAddress = request.params.address as Address;
      const patient = await ledger.read('consortium', 'patient', [patientAddress]);
      if (!patient.registered) throw new NotFoundError(`${patientAddress} is not a registered patient.`);
      const custodian = patient.organisationId
        ? await ledger.read('consortium', 'organisation', [patient.organisationId])
        : undefined;
      return {
        address: patientAddress.toLowerCase(),
        encryptionKey: patient.encryptionKey,
        organisationId: patient.organisationId,
        custodian: custodian
          ? { organisationId: patient.organisationId, encryptionKey: custodian.encryptionKey }
          : null,
      };
    },
  );
}

function describeOrganisation(row: {
  organisationId: number;
  name: string;
  kind: number;
  admin: Address;
  encryptionKey: Hex;
  gatewayUrl: string;
  active: boolean;
}) {
  return {
    organisationId: row.organisationId,
    name: row.name,
    kind: organisationKindOfCode(row.kind),
    status: row.active ? 'active' : 'pending',
    admin: row.admin,
    encryptionKey: row.encryptionKey,
    gatewayUrl: row.gatewayUrl,
  };
}
