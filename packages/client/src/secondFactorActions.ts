/**
 * The patient's second factor for approvals (TOTP): enrol an authenticator, confirm it with a first
 * code, turn it off. At its home gateway the patient also signs, on confirming, that the chain take its
 * grants from that gateway only, and lifts that rule on turning the code off.
 */

import type * as Api from '@medledger/api';
import { consentsTypes } from '@medledger/core';
import type { ClientActionContext } from './clientActions.ts';

export function secondFactorActions({ request, sign, account }: ClientActionContext) {
  const homeRelay = (enabled: boolean) =>
    sign('consents', consentsTypes, 'SetHomeRelayOnly', { patient: account.address, enabled });

  return {
    otpStatus: () => request<Api.SecondFactorStatus>('GET', '/api/otp'),

    /** Starts an enrolment: the `otpauth://` URI to load into an authenticator app (shown once). */
    startOtpEnrolment: () => request<Api.OtpEnrolment>('POST', '/api/otp/enrolment', {}),

    /** Turns the code on with a first valid code; at the home gateway, binds grants to it on chain. */
    async confirmOtp(code: string, options: { bindHomeGateway?: boolean } = {}) {
      const bind =
        options.bindHomeGateway ?? (await request<Api.SecondFactorStatus>('GET', '/api/otp')).homeGateway;
      return request<Api.SecondFactorStatus>('POST', '/api/otp/confirmation', {
        code,
        ...(bind ? { homeRelay: await homeRelay(true) } : {}),
      });
    },

    /** Turns the code off (needs a valid one); lifts the home-gateway rule if this gateway can. */
    async disableOtp(code: string) {
      const status = await request<Api.SecondFactorStatus>('GET', '/api/otp');
      const unbind = status.homeRelayOnly && status.homeGateway;
      return request<Api.SecondFactorStatus>('POST', '/api/otp/deactivation', {
        code,
        ...(unbind ? { homeRelay: await homeRelay(false) } : {}),
      });
    },
  };
}
