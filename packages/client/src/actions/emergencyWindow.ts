import type { EmergencyWindow } from '@medledger/api';
import type { Transport } from '../transport.ts';

/**
 * How long a declared emergency stays open, and the proposals to change it (public: no sign-in).
 *
 * @example
 * const { windowSeconds } = await emergencyWindow(client);
 */
export function emergencyWindow(client: Transport): Promise<EmergencyWindow> {
  return client.call<EmergencyWindow>('GET', '/api/emergency-window', undefined, false);
}
