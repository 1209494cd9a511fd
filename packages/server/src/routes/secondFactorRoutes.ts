/**
 * The second factor for approvals (TOTP): enrolment, confirmation, deactivation. Once it is on, the
 * consent routes ask for the current code before relaying the patient's grants. The work is done by
 * `operations/secondFactor.ts`; this module only declares the routes.
 */
import {
  errorResponses,
  otpCodeRequest,
  otpEnrolment,
  secondFactorStatus as secondFactorStatusSchema,
} from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import { confirmOtp, disableOtp, secondFactorStatus, startOtpEnrolment } from '../operations/secondFactor.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

export function secondFactorRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);
  const session = requireSession(services.auth);
  const security = [{ session: [] }];
  const tags = ['second factor'];

  app.get(
    '/api/otp',
    {
      onRequest: session,
      schema: {
        summary:
          'Whether the caller’s one-time code is on, and whether only its home gateway relays its grants',
        tags,
        security,
        response: { 200: secondFactorStatusSchema, ...errorResponses },
      },
    },
    async (request) => secondFactorStatus(services, request.session),
  );

  app.post(
    '/api/otp/enrolment',
    {
      onRequest: session,
      schema: {
        summary:
          'Start enrolling an authenticator: answers its otpauth:// URI (once), to confirm with a first code',
        tags,
        security,
        response: { 201: otpEnrolment, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await startOtpEnrolment(services, request.session)),
  );

  app.post(
    '/api/otp/confirmation',
    {
      onRequest: session,
      schema: {
        summary: 'Turn the one-time code on with a first valid code',
        description:
          'With homeRelay (the patient’s signed SetHomeRelayOnly, enabled), the chain will accept the patient’s ' +
          'grants only from this gateway, its home gateway.',
        tags,
        security,
        body: otpCodeRequest,
        response: { 200: secondFactorStatusSchema, ...errorResponses },
      },
    },
    async (request) => confirmOtp(services, request.session, request.body),
  );

  app.post(
    '/api/otp/deactivation',
    {
      onRequest: session,
      schema: {
        summary: 'Turn the one-time code off, with a valid code',
        description:
          'With homeRelay (the patient’s signed SetHomeRelayOnly, disabled), any gateway may relay its grants again.',
        tags,
        security,
        body: otpCodeRequest,
        response: { 200: secondFactorStatusSchema, ...errorResponses },
      },
    },
    async (request) => disableOtp(services, request.session, request.body),
  );
}
