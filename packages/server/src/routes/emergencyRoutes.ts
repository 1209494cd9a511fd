/**
 * Emergency access ("break the glass"): privileges given by organisation admins, declarations by
 * privileged members (the justification stays here, its salted hash goes on chain), reviews by the
 * member's organisation admins, and the consortium's window. Reads under an emergency go through
 * access control like any other read (see accessControl.ts).
 */

import { address, bytes32, created, errorResponse, idParam, object, signedFields } from '@medledger/api';
import {
  emergencyCategories,
  emergencyReasonOfCode,
  emergencyReasons,
  emergencySensitivity,
  emergencyVerdicts,
  InvalidInputError,
  justificationHashOf,
  maxEmergencyWindowSeconds,
  maxJustificationLength,
  minEmergencyWindowSeconds,
  NotFoundError,
  roleCode,
} from '@medledger/core';
import type { FastifyInstance } from 'fastify';
import type { Address, Hex } from 'viem';
import type { GatewayServices } from '../gatewayServices.ts';
import { requireSigner, signedArgs } from '../operations/signedActions.ts';
import type { EmergencyRow } from '../store/emergencyStore.ts';
import { requireSession, sameAddress, typedRoutes } from './routeHelpers.ts';

export function emergencyRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = typedRoutes(instance);
  const { ledger, auth, indexer, emergencies, eventFollower, emergencyWatcher } = services;
  const session = requireSession(auth);
  const security = [{ session: [] }];
  const tags = ['emergencies'];

  /**
   * Brings the index, the emergency state and this gateway's audit of emergency starts and ends up
   * to the block just mined. The watcher also runs on its own, so a failure here only delays the
   * audit of a start or an end; it never loses it.
   */
  async function catchUp(request: { log: { warn: (object: object, message: string) => void } }) {
    await indexer.sync();
    await eventFollower.sync();
    await emergencyWatcher
      .sync()
      .catch((error: unknown) =>
        request.log.warn({ err: error }, 'auditing the emergency failed; the watcher retries'),
      );
  }

  /** Whether `caller` is an active admin of `organisationId`, as the chain says now. */
  async function isActiveAdminOf(caller: Address, organisationId: number): Promise<boolean> {
    const [member, activeOrganisation] = await Promise.all([
      ledger.read('consortium', 'member', [caller]),
      ledger.read('consortium', 'activeOrganisationOf', [caller]),
    ]);
    return member.role === roleCode('admin') && activeOrganisation === organisationId && organisationId !== 0;
  }

  /** The organisations `caller` is an active admin of (none, or its own). */
  async function administeredBy(caller: Address): Promise<number[]> {
    const organisationId = await ledger.read('consortium', 'activeOrganisationOf', [caller]);
    return organisationId && (await isActiveAdminOf(caller, organisationId)) ? [organisationId] : [];
  }

  /** The later of the gateway's clock and the chain's (unix seconds): an emergency ends by either. */
  async function now(): Promise<number> {
    const gatewayTime = Date.now() / 1000;
    return Math.max(gatewayTime, Number((await ledger.block().catch(() => undefined))?.timestamp ?? 0));
  }

  /** An emergency as its member, its patient and its organisation's admins see it. */
  async function describe(row: EmergencyRow, caller: Address, administered: number[], time: number) {
    const mayReadJustification = sameAddress(row.member, caller) || administered.includes(row.organisationId);
    const justification = mayReadJustification
      ? ((await emergencies.justification(row.justificationHash))?.text ?? null)
      : null;
    const ended = row.verdict === 2 || row.expiresAt <= time;
    return {
      emergencyId: row.emergencyId,
      member: row.member,
      patient: row.patient,
      organisationId: row.organisationId,
      reason: emergencyReasonOfCode(row.reasonCode) ?? String(row.reasonCode),
      justification,
      categories: [...emergencyCategories],
      sensitivity: emergencySensitivity,
      declaredAt: row.declaredAt,
      expiresAt: row.expiresAt,
      status: ended ? 'ended' : 'open',
      verdict: emergencyVerdicts[row.verdict] ?? String(row.verdict),
      reviewer: row.reviewer,
      reviewedAt: row.reviewedAt,
      blockNumber: row.blockNumber,
      transactionHash: row.transactionHash,
    };
  }

  /** The emergency, if `caller` may see it: its member, its patient or an admin of its organisation. */
  async function visibleEmergency(emergencyId: number, caller: Address) {
    const row = await emergencies.emergency(emergencyId);
    const administered = await administeredBy(caller);
    if (
      !row ||
      !(
        sameAddress(row.member, caller) ||
        sameAddress(row.patient, caller) ||
        administered.includes(row.organisationId)
      )
    ) {
      throw new NotFoundError(`No emergency ${emergencyId} of yours.`);
    }
    return describe(row, caller, administered, await now());
  }

  app.post(
    '/api/members/:address/emergency-privilege',
    {
      preHandler: session,
      schema: {
        summary:
          'Give a member the emergency privilege, or take it away, signed by an admin of its organisation',
        tags,
        security,
        params: object({ address }, ['address']),
        body: object({ admin: address, privileged: { type: 'boolean' }, ...signedFields }, [
          'admin',
          'privileged',
          'nonce',
          'deadline',
          'signature',
        ]),
        response: {
          200: created,
          400: errorResponse,
          403: errorResponse,
          404: errorResponse,
          409: errorResponse,
        },
      },
    },
    async (request) => {
      const admin = requireSigner(request.session, request.body.admin, 'emergency privilege');
      const member = request.params.address.toLowerCase() as Address;
      const sent = await ledger.write('emergencies', 'setEmergencyPrivilege', [
        member,
        request.body.privileged,
        admin,
        ...signedArgs(request.body),
      ]);
      await catchUp(request);
      const set = sent.events.find((event) => event.eventName === 'EmergencyPrivilegeSet');
      return {
        member,
        privileged: request.body.privileged,
        organisationId: set && 'organisationId' in set.args ? set.args.organisationId : null,
        transactionHash: sent.hash,
        blockNumber: Number(sent.blockNumber),
      };
    },
  );

  app.post(
    '/api/emergencies',
    {
      preHandler: session,
      schema: {
        summary: 'Declare an emergency for a patient, signed by a member holding the emergency privilege',
        description:
          'Opens the patient’s emergency set (conditions, medications, allergies, emergency summaries; normal ' +
          'sensitivity; read only) to the member for the consortium’s window, and queues a review by an admin ' +
          'of the member’s organisation. The justification stays at this gateway: the chain keeps ' +
          'keccak256(salt ‖ UTF-8 text) only. Answers once the declaration is in a block.',
        tags,
        security,
        body: object(
          {
            member: address,
            patient: address,
            reasonCode: { type: 'integer', minimum: 1, maximum: emergencyReasons.length },
            justification: { type: 'string', minLength: 1, maxLength: maxJustificationLength },
            justificationSalt: bytes32,
            justificationHash: bytes32,
            ...signedFields,
          },
          [
            'member',
            'patient',
            'reasonCode',
            'justification',
            'justificationSalt',
            'justificationHash',
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
          503: errorResponse,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const member = requireSigner(request.session, body.member, 'emergency declaration');
      const justificationHash = body.justificationHash.toLowerCase() as Hex;
      if (justificationHashOf(body.justificationSalt as Hex, body.justification) !== justificationHash) {
        throw new InvalidInputError(
          'justificationHash must be keccak256 of the 32-byte salt followed by the justification’s UTF-8 bytes.',
        );
      }
      const kept = await emergencies.saveJustification(justificationHash, {
        salt: body.justificationSalt as Hex,
        text: body.justification,
      });
      let sent: Awaited<ReturnType<typeof ledger.write>>;
      try {
        sent = await ledger.write('emergencies', 'declareEmergency', [
          member,
          body.patient as Address,
          body.reasonCode,
          justificationHash,
          ...signedArgs(body),
        ]);
      } catch (error) {
        // A refused declaration leaves no justification behind (one kept for another does stay).
        if (kept) await emergencies.forgetJustification(justificationHash);
        throw error;
      }
      const declared = sent.events.find((event) => event.eventName === 'EmergencyDeclared');
      const emergencyId = declared && 'emergencyId' in declared.args ? Number(declared.args.emergencyId) : 0;
      await catchUp(request);
      return reply.status(201).send(await visibleEmergency(emergencyId, member));
    },
  );

  app.get(
    '/api/emergencies',
    {
      preHandler: session,
      schema: {
        summary:
          'Emergencies the caller declared, on the caller’s record, and (for an organisation admin) of its members',
        description: 'Unreviewed ones first, then the newest first. status=unreviewed lists those only.',
        tags,
        security,
        querystring: object({ status: { type: 'string', enum: ['all', 'unreviewed'] } }),
      },
    },
    async (request) => {
      const me = request.session.address;
      const administered = await administeredBy(me);
      const rows = (await emergencies.emergencies({ member: me, patient: me, organisationIds: administered }))
        .filter((row) => request.query.status !== 'unreviewed' || row.verdict === 0)
        .sort((a, b) => Number(a.verdict !== 0) - Number(b.verdict !== 0) || b.emergencyId - a.emergencyId);
      const time = await now();
      return { emergencies: await Promise.all(rows.map((row) => describe(row, me, administered, time))) };
    },
  );

  app.get(
    '/api/emergencies/:id',
    {
      preHandler: session,
      schema: {
        summary: 'One emergency (to its member, its patient and its organisation’s admins)',
        tags,
        security,
        params: idParam,
      },
    },
    async (request) => visibleEmergency(Number(request.params.id), request.session.address),
  );

  app.post(
    '/api/emergencies/:id/review',
    {
      preHandler: session,
      schema: {
        summary:
          'Judge an emergency justified or unjustified, signed by an admin of the member’s organisation',
        description: 'An unjustified verdict closes the emergency’s access at once.',
        tags,
        security,
        params: idParam,
        body: object(
          {
            reviewer: address,
            verdict: { type: 'integer', enum: [1, 2], description: '1 justified, 2 unjustified' },
            ...signedFields,
          },
          ['reviewer', 'verdict', 'nonce', 'deadline', 'signature'],
        ),
        response: {
          200: created,
          400: errorResponse,
          403: errorResponse,
          404: errorResponse,
          409: errorResponse,
        },
      },
    },
    async (request) => {
      const reviewer = requireSigner(request.session, request.body.reviewer, 'emergency review');
      const emergencyId = Number(request.params.id);
      await ledger.write('emergencies', 'reviewEmergency', [
        BigInt(emergencyId),
        request.body.verdict,
        reviewer,
        ...signedArgs(request.body),
      ]);
      await catchUp(request);
      return visibleEmergency(emergencyId, reviewer);
    },
  );

  app.get(
    '/api/emergency-window',
    {
      schema: {
        summary: 'How long an emergency declared now stays open (seconds), and the window’s version',
        tags,
        response: {
          200: object({ windowSeconds: { type: 'integer' }, version: { type: 'integer' } }),
          503: errorResponse,
        },
      },
    },
    async () => {
      const [windowSeconds, version] = await ledger.read('emergencies', 'emergencyWindow', []);
      return { windowSeconds: Number(windowSeconds), version: Number(version) };
    },
  );

  app.post(
    '/api/emergency-window/proposals',
    {
      preHandler: session,
      schema: {
        summary: 'Propose the emergency window, as an admin of an active organisation',
        description:
          'Takes effect for emergencies declared once two thirds of the active organisations approve; the ' +
          'proposer’s organisation counts.',
        tags,
        security,
        body: object(
          {
            windowSeconds: {
              type: 'integer',
              minimum: minEmergencyWindowSeconds,
              maximum: maxEmergencyWindowSeconds,
            },
            admin: address,
            ...signedFields,
          },
          ['windowSeconds', 'admin', 'nonce', 'deadline', 'signature'],
        ),
        response: { 201: created, 400: errorResponse, 403: errorResponse },
      },
    },
    async (request, reply) => {
      const admin = requireSigner(request.session, request.body.admin, 'window proposal');
      const sent = await ledger.write('emergencies', 'proposeEmergencyWindow', [
        BigInt(request.body.windowSeconds),
        admin,
        ...signedArgs(request.body),
      ]);
      await catchUp(request);
      const proposed = sent.events.find((event) => event.eventName === 'EmergencyWindowProposed');
      return reply.status(201).send({
        proposalId: proposed && 'proposalId' in proposed.args ? Number(proposed.args.proposalId) : null,
        enacted: sent.events.some((event) => event.eventName === 'EmergencyWindowChanged'),
        transactionHash: sent.hash,
      });
    },
  );

  app.post(
    '/api/emergency-window/proposals/:id/approvals',
    {
      preHandler: session,
      schema: {
        summary: 'Approve an emergency window proposal, as an admin of an active organisation',
        tags,
        security,
        params: idParam,
        body: object({ approver: address, ...signedFields }, ['approver', 'nonce', 'deadline', 'signature']),
      },
    },
    async (request) => {
      const approver = requireSigner(request.session, request.body.approver, 'window approval');
      const sent = await ledger.write('emergencies', 'approveEmergencyWindow', [
        BigInt(request.params.id),
        approver,
        ...signedArgs(request.body),
      ]);
      await catchUp(request);
      return {
        proposalId: Number(request.params.id),
        enacted: sent.events.some((event) => event.eventName === 'EmergencyWindowChanged'),
        transactionHash: sent.hash,
      };
    },
  );
}
