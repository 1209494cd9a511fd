/**
 * The staff second factor (TOTP at sign-in): an organisation's policy and its members' codes, for
 * its admins at its gateway, and each member's own code. The sign-in check itself runs in
 * `POST /api/auth/session`. The work is done by `operations/staffSecondFactor.ts`; this module only
 * declares the routes.
 */
import {
  addressParam,
  errorResponses,
  memberOtpEnrolment,
  memberSecondFactor,
  organisationMemberParams,
  organisationSecondFactors as organisationSecondFactorsSchema,
  staffOtpCodeRequest,
  staffOtpEnrolment,
  staffOtpRequirement as staffOtpRequirementSchema,
  staffSecondFactorAttestation,
  staffSecondFactorPolicy,
  staffSecondFactorPolicyBody,
  staffSecondFactorStatus,
  uint32IdParam,
} from '@medledger/api';
import type { FastifyInstance } from 'fastify';
import type { GatewayServices } from '../gatewayServices.ts';
import {
  confirmStaffOtp,
  disableStaffOtp,
  organisationSecondFactors,
  resetMemberOtp,
  setStaffSecondFactorPolicy,
  staffOtpAttestation,
  staffOtpRequirement,
  staffOtpStatus,
  startMemberOtpEnrolment,
  startStaffOtpEnrolment,
} from '../operations/staffSecondFactor.ts';
import { apiRoutes, requireSession } from './routeHelpers.ts';

export function staffSecondFactorRoutes(instance: FastifyInstance, services: GatewayServices): void {
  const app = apiRoutes(instance);
  const session = requireSession(services.auth);
  const security = [{ session: [] }];
  const tags = ['second factor'];

  app.get(
    '/api/organisations/:id/second-factor',
    {
      onRequest: session,
      schema: {
        summary: 'The organisation’s sign-in code policy and each member’s second factor (its admins)',
        tags,
        security,
        params: uint32IdParam,
        response: { 200: organisationSecondFactorsSchema, ...errorResponses },
      },
    },
    async (request) => organisationSecondFactors(services, request.session, Number(request.params.id)),
  );

  app.put(
    '/api/organisations/:id/second-factor/policy',
    {
      onRequest: session,
      schema: {
        summary: 'Set who must give a one-time code at sign-in: optional, privileged or all (its admins)',
        description:
          'A policy that requires a code of admins is refused (409 second_factor_enrolment_required) while the ' +
          'admin’s own code is not on. Sessions of members it requires a code of, who have none, end.',
        tags,
        security,
        params: uint32IdParam,
        body: staffSecondFactorPolicyBody,
        response: { 200: staffSecondFactorPolicy, ...errorResponses },
      },
    },
    async (request) =>
      setStaffSecondFactorPolicy(services, request.session, Number(request.params.id), request.body.policy),
  );

  app.post(
    '/api/organisations/:id/second-factor/members/:address/enrolment',
    {
      onRequest: session,
      schema: {
        summary: 'Start a member’s enrolment (its admins): the otpauth:// URI, answered once, for the member',
        description:
          'The member’s first code, at sign-in or to POST /api/staff-otp/confirmation, turns it on. ' +
          'Audited; the member is notified.',
        tags,
        security,
        params: organisationMemberParams,
        response: { 201: memberOtpEnrolment, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await startMemberOtpEnrolment(
            services,
            request.session,
            Number(request.params.id),
            request.params.address,
          ),
        ),
  );

  app.delete(
    '/api/organisations/:id/second-factor/members/:address',
    {
      onRequest: session,
      schema: {
        summary:
          'Reset a member’s second factor (its admins, not their own): the code is removed, sessions end',
        description: 'Audited; the member is notified.',
        tags,
        security,
        params: organisationMemberParams,
        response: { 200: memberSecondFactor, ...errorResponses },
      },
    },
    async (request) =>
      resetMemberOtp(services, request.session, Number(request.params.id), request.params.address),
  );

  app.get(
    '/api/staff-otp',
    {
      onRequest: session,
      schema: {
        summary:
          'Whether the member’s sign-in code is on, pending, and required by its organisation’s policy',
        tags,
        security,
        response: { 200: staffSecondFactorStatus, ...errorResponses },
      },
    },
    async (request) => staffOtpStatus(services, request.session),
  );

  app.post(
    '/api/staff-otp/enrolment',
    {
      onRequest: session,
      schema: {
        summary:
          'Enrol the member’s own authenticator while the policy does not require one of it: the otpauth:// URI, once',
        tags,
        security,
        response: { 201: staffOtpEnrolment, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await startStaffOtpEnrolment(services, request.session)),
  );

  app.post(
    '/api/staff-otp/confirmation',
    {
      onRequest: session,
      schema: {
        summary: 'Turn the member’s sign-in code on with a first valid code',
        tags,
        security,
        body: staffOtpCodeRequest,
        response: { 200: staffSecondFactorStatus, ...errorResponses },
      },
    },
    async (request) => confirmStaffOtp(services, request.session, request.body.code),
  );

  app.post(
    '/api/staff-otp/deactivation',
    {
      onRequest: session,
      schema: {
        summary: 'Turn the member’s sign-in code off with a valid code, unless the policy requires it',
        tags,
        security,
        body: staffOtpCodeRequest,
        response: { 200: staffSecondFactorStatus, ...errorResponses },
      },
    },
    async (request) => disableStaffOtp(services, request.session, request.body.code),
  );

  app.get(
    '/api/staff-otp/attestation',
    {
      onRequest: session,
      schema: {
        summary:
          'An attestation, signed with this gateway’s relayer key, that the member signed in here under its organisation’s policy',
        description:
          'Given at another organisation’s gateway with the sign-in (field attestation) when this gateway requires a ' +
          'code of the member. Only at the gateway hosting the member’s organisation (404 organisation_not_hosted) ' +
          'and publishing its relayer on chain (409 gateway_relayer_not_published); valid until the session’s end.',
        tags,
        security,
        response: { 200: staffSecondFactorAttestation, ...errorResponses },
      },
    },
    async (request) => staffOtpAttestation(services, request.session),
  );

  app.get(
    '/api/staff-otp/requirement/:address',
    {
      schema: {
        summary:
          'Whether a member of an organisation this gateway hosts needs a code at sign-in (public: other gateways ask)',
        description: 'Anyone else: 404 not_hosted_member.',
        tags,
        params: addressParam,
        response: { 200: staffOtpRequirementSchema, ...errorResponses },
      },
    },
    async (request) => staffOtpRequirement(services, request.params.address),
  );
}
