/**
 * The signed-in session: the unlocked identity (in memory only), a gateway client acting as it, and
 * what the ledger says it is (patient, member with a role, organisation admin). A wallet identity
 * (`identity/wallet.ts`) signs out when its wallet changes account or network. Signing out drops
 * the keys and ends the session at the gateway; so does inactivity. Signing out everywhere ends
 * every session of the account at the gateway (other devices too) before dropping the keys.
 */
import {
  type AccessRequest,
  createGatewayClient,
  type GatewayClient,
  type Me,
  type Organisation,
} from '@medledger/client';
import {
  type Actor,
  isWalletIdentity,
  MedledgerError,
  type Role,
  roleOfCode,
  UnauthenticatedError,
} from '@medledger/core';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { plainError } from './errors.ts';

export type Persona = Role | 'patient' | 'delegate' | 'newcomer';

export interface Session {
  /** The unlocked identity, or the wallet identity whose wallet signs. */
  identity: Actor;
  client: GatewayClient<Actor>;
  me: Me;
  persona: Persona;
  /** Organisations whose admin this identity is. */
  adminOf: Organisation[];
  organisations: Organisation[];
  refresh(): Promise<void>;
  signOut(reason?: string): void;
  /**
   * Ends every session of the account at the gateway, then signs out here; says why in the
   * signed-out message, including when the gateway could not be told (the keys are dropped anyway).
   */
  signOutEverywhere(): Promise<void>;
}

/** Minutes without a key press, click or touch after which the keys are dropped from memory. */
export const inactivityMinutes = 10;

/** A sign-in waiting for the member's one-time code (its organisation's policy, or its own enrolment). */
export interface CodeRequest {
  identity: Actor;
  /** `pending`: the first code of an enrolment an admin started, which turns it on. */
  enrolment: 'enabled' | 'pending';
}

interface SessionState {
  session: Session | undefined;
  signedOutReason: string | undefined;
  /**
   * Signs in; when the gateway asks for the member's one-time code, resolves with `codeRequest` set
   * instead, for `signInWithCode`.
   */
  signIn(identity: Actor): Promise<void>;
  codeRequest: CodeRequest | undefined;
  /** Signs the code request's identity in with its code; rejects with the gateway's refusal. */
  signInWithCode(code: string): Promise<void>;
  cancelCodeRequest(): void;
}

const SessionContext = createContext<SessionState | undefined>(undefined);

export function personaOf(me: Me): Persona {
  if (me.member?.active) return roleOfCode(me.member.role) ?? 'newcomer';
  if (me.patient?.registered) return 'patient';
  // Family, a caregiver or a researcher a patient registered (not a member of an organisation).
  if (me.delegateOf.length > 0) return 'delegate';
  return 'newcomer';
}

export function SessionProvider(props: { children: ReactNode }) {
  const [state, setState] = useState<{
    identity: Actor;
    client: GatewayClient<Actor>;
    me: Me;
    organisations: Organisation[];
  }>();
  const [signedOutReason, setSignedOutReason] = useState<string>();

  const load = useCallback(async (identity: Actor, client: GatewayClient<Actor>) => {
    await client.signIn();
    const [me, { organisations }] = await Promise.all([client.me(), client.organisations()]);
    if (isWalletIdentity(identity) && !holdsRegisteredKey(me, identity.encryption.publicKey)) {
      endAtGateway(client);
      throw new MedledgerError(
        'Your wallet gives another encryption key than the one the ledger holds for this account, so it could not read your records: its signatures are not deterministic. Sign in the way you registered.',
        { reason: 'wallet_key_mismatch' },
      );
    }
    setState({ identity, client, me, organisations });
  }, []);

  const [codeRequest, setCodeRequest] = useState<CodeRequest>();

  const signIn = useCallback(
    async (identity: Actor) => {
      setSignedOutReason(undefined);
      try {
        await load(identity, createGatewayClient<Actor>({ url: window.location.origin, identity }));
      } catch (error) {
        if (error instanceof MedledgerError && error.reason === 'second_factor_enrolment_required') {
          throw new Error(
            'Your organisation requires a one-time code at sign-in, and you have no authenticator enrolled yet: ask an admin of your organisation to enrol one for you, then unlock again.',
          );
        }
        if (!(error instanceof MedledgerError) || error.reason !== 'otp_required') throw error;
        setCodeRequest({
          identity,
          enrolment: error.fields?.enrolment === 'pending' ? 'pending' : 'enabled',
        });
      }
    },
    [load],
  );

  const signInWithCode = useCallback(
    async (code: string) => {
      if (!codeRequest) throw new Error('No sign-in is waiting for a code.');
      const { identity } = codeRequest;
      await load(
        identity,
        createGatewayClient<Actor>({ url: window.location.origin, identity, otp: onceOnly(code) }),
      );
      setCodeRequest(undefined);
    },
    [load, codeRequest],
  );

  const signOut = useCallback((reason?: string) => {
    setState(undefined);
    setSignedOutReason(reason);
  }, []);

  useEffect(() => {
    if (!state) return;
    let timer = window.setTimeout(expire, inactivityMinutes * 60_000);
    function expire() {
      endAtGateway(state?.client);
      signOut(
        `You were signed out after ${inactivityMinutes} minutes without activity. Your keys are no longer in memory.`,
      );
    }
    const reset = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(expire, inactivityMinutes * 60_000);
    };
    const events = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;
    for (const event of events) window.addEventListener(event, reset, { passive: true });
    return () => {
      window.clearTimeout(timer);
      for (const event of events) window.removeEventListener(event, reset);
    };
  }, [state, signOut]);

  // A wallet identity lasts while its wallet stays on the same account and network. The wallet
  // module is loaded on demand (already loaded by then: it connected the wallet).
  useEffect(() => {
    if (!state || !isWalletIdentity(state.identity)) return;
    const { address } = state.identity;
    let live = true;
    let stop: (() => void) | undefined;
    void import('./identity/wallet.ts').then(({ injectedWallet, watchWallet }) => {
      const provider = injectedWallet();
      if (!live || !provider) return;
      stop = watchWallet(provider, address, (reason) => {
        endAtGateway(state.client);
        signOut(reason);
      });
    });
    return () => {
      live = false;
      stop?.();
    };
  }, [state, signOut]);

  const session = useMemo<Session | undefined>(() => {
    if (!state) return undefined;
    const me = state.me.address.toLowerCase();
    return {
      ...state,
      persona: personaOf(state.me),
      adminOf: state.organisations.filter((o) => o.admin.toLowerCase() === me),
      refresh: () => load(state.identity, state.client),
      signOut: (reason?: string) => {
        endAtGateway(state.client);
        signOut(reason);
      },
      signOutEverywhere: async () => {
        try {
          const { ended } = await state.client.signOutEverywhere();
          signOut(
            `You signed out everywhere: ${ended === 1 ? '1 session' : `${ended} sessions`} of this account ended, on every device. Your keys are no longer in memory.`,
          );
        } catch (error) {
          endAtGateway(state.client);
          signOut(
            `Your other sessions could not be ended: ${plainError(error)} You are signed out here; unlock again and retry.`,
          );
        }
      },
    };
  }, [state, load, signOut]);

  return (
    <SessionContext.Provider
      value={{
        session,
        signedOutReason,
        signIn,
        codeRequest,
        signInWithCode,
        cancelCodeRequest: () => setCodeRequest(undefined),
      }}
    >
      {props.children}
    </SessionContext.Provider>
  );
}

/** Whether every encryption key the ledger holds for the account (as patient, as member) is `publicKey`. */
function holdsRegisteredKey(me: Me, publicKey: string): boolean {
  const registered = [
    me.patient?.registered ? me.patient.encryptionKey : undefined,
    me.member?.encryptionKey,
  ];
  return registered.every((key) => key === undefined || key.toLowerCase() === publicKey.toLowerCase());
}

/**
 * The code for the sign-in it was typed for: a later sign-in of the same client (the session ended)
 * needs a new code, so it is refused and the user unlocks again.
 */
function onceOnly(code: string): () => string {
  let unused: string | undefined = code;
  return () => {
    const given = unused;
    unused = undefined;
    if (given) return given;
    throw new UnauthenticatedError('Your session has ended: unlock again with a new one-time code.', {
      reason: 'otp_required',
    });
  };
}

/** Ends the client's session at the gateway, if it holds one; the keys go regardless, so a failure is let be. */
function endAtGateway(client: GatewayClient<Actor> | undefined): void {
  void client?.signOut().catch(() => undefined);
}

export function useSessionState(): SessionState {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSessionState outside SessionProvider');
  return value;
}

/** The signed-in session; only for screens rendered after sign-in. */
export function useSession(): Session {
  const { session } = useSessionState();
  if (!session) throw new Error('Not signed in.');
  return session;
}

/** Patients who have an active grant to this identity (or its organisation), from the consents it received. */
export async function patientsSharingWithMe(
  client: GatewayClient<Actor>,
): Promise<{ patient: string; sharesDemographics: boolean }[]> {
  const { received } = await client.listConsents();
  const patients = new Map<string, boolean>();
  for (const grant of received) {
    if (grant.status !== 'active') continue;
    const patient = grant.patient.toLowerCase();
    const demographics = grant.categories.includes('demographics') && grant.actions.includes('read');
    patients.set(patient, (patients.get(patient) ?? false) || demographics);
  }
  return [...patients].map(([patient, sharesDemographics]) => ({ patient, sharesDemographics }));
}

export type { AccessRequest };
