/**
 * The second factor for approvals (TOTP): enrolment, confirmation, deactivation. Once it is on, the
 * consent route asks for the current code before relaying the patient's grants. A patient attached
 * to this gateway's organisation can also have the chain accept its grants from this gateway only
 * (Consents.setHomeRelayOnly), so the code cannot be skipped by relaying a signed grant elsewhere.
 */

import { created, errorResponse, object, oneTimeCode, signedFields } from '@medledger/api';
import { AccessDeniedError } from '@medledger/core';
import type { FastifyInstance } from 'fastify';
import type { Address } from 'viem';
import type { GatewayServices } from '../gatewayServices.ts';
import { signedArgs } from '../operations/signedActions.ts';
import { requireSession, sameAddress, typedRoutes } from './routeHelpers.ts';

/** The patient's signed `SetHomeRelayOnly` (its `patient` is the session, `enabled` set by the route). */
const homeRelay = object({ ...signedFields }, ['nonce', 'deadline', 'signature']);

export function secondFactorRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = typedRoutes(instance);
  const { ledger, auth, secondFactor } = services;
  const session = requireSession(auth);
  const security = [{ session: [] }];

  /** True when this gateway relays for the organisation `patient` registered with. */
  async function isHomeGateway(patient: Address): Promise<boolean> {
    const { organisationId } = await ledger.read('consortium', 'patient', [patient]);
    if (!organisationId) return false;
    const relayer = await ledger.read('consortium', 'gatewayRelayerOf', [organisationId]);
    return sameAddress(relayer, ledger.relayerAddress);
  }

  async function describe(patient: Address) {
    const [status, homeRelayOnly, homeGateway] = await Promise.all([
      secondFactor.status(patient),
      ledger.read('consents', 'homeRelayOnly', [patient]),
      isHomeGateway(patient),
    ]);
    return { ...status, homeRelayOnly, homeGateway };
  }

  async function setHomeRelayOnly(
    patient: Address,
    enabled: boolean,
    signed: { nonce: string; deadline: string; signature: string },
  ) {
    await ledger.write('consents', 'setHomeRelayOnly', [patient, enabled, ...signedArgs(signed)]);
  }

  app.get(
    '/api/otp',
    {
      preHandler: session,
      schema: {
        summary:
          'Whether the caller’s one-time code is on, and whether only its home gateway relays its grants',
        tags: ['second factor'],
        security,
        response: { 200: created, 503: errorResponse },
      },
    },
    async (request) => describe(request.session.address),
  );

  app.post(
    '/api/otp/enrolment',
    {
      preHandler: session,
      schema: {
        summary:
          'Start enrolling an authenticator: answers its otpauth:// URI (once), to confirm with a first code',
        tags: ['second factor'],
        security,
        response: { 201: created, 403: errorResponse, 409: errorResponse, 503: errorResponse },
      },
    },
    async (request, reply) => {
      const patient = request.session.address;
      if (!(await ledger.read('consortium', 'patient', [patient])).registered) {
        throw new AccessDeniedError('Only a registered patient turns on a one-time code for its approvals.');
      }
      const { uri } = await secondFactor.startEnrolment(patient);
      return reply.status(201).send({ uri, homeGateway: await isHomeGateway(patient) });
    },
  );

  app.post(
    '/api/otp/confirmation',
    {
      preHandler: session,
      schema: {
        summary: 'Turn the one-time code on with a first valid code',
        description:
          'With homeRelay (the patient’s signed SetHomeRelayOnly, enabled), the chain will accept the patient’s ' +
          'grants only from this gateway, its home gateway.',
        tags: ['second factor'],
        security,
        body: object({ code: oneTimeCode, homeRelay }, ['code']),
        response: {
          200: created,
          400: errorResponse,
          403: errorResponse,
          404: errorResponse,
          409: errorResponse,
          429: errorResponse,
        },
      },
    },
    async (request) => {
      const patient = request.session.address;
      const { homeRelay } = request.body;
      // The code first, then the binding on chain, then the factor is on: a failure leaves it pending.
      await secondFactor.confirmEnrolment(patient, request.body.code, async () => {
        if (homeRelay) await setHomeRelayOnly(patient, true, homeRelay);
      });
      return describe(patient);
    },
  );

  app.post(
    '/api/otp/deactivation',
    {
      preHandler: session,
      schema: {
        summary: 'Turn the one-time code off, with a valid code',
        description:
          'With homeRelay (the patient’s signed SetHomeRelayOnly, disabled), any gateway may relay its grants again.',
        tags: ['second factor'],
        security,
        body: object({ code: oneTimeCode, homeRelay }, ['code']),
        response: {
          200: created,
          400: errorResponse,
          403: errorResponse,
          404: errorResponse,
          429: errorResponse,
        },
      },
    },
    async (request) => {
      const patient = request.session.address;
      const { homeRelay } = request.body;
      await secondFactor.disable(patient, request.body.code, async () => {
        if (homeRelay) await setHomeRelayOnly(patient, false, homeRelay);
      });
      return describe(patient);
    },
  );
}
