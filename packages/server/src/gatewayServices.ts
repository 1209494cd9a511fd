/** The services a gateway runs, handed to the HTTP app and to every route module. */
import type { LedgerClient } from '@medledger/ledger';
import type { AccessControl } from './accessControl.ts';
import type { Anchorer } from './anchorer.ts';
import type { AuditLog } from './auditLog.ts';
import type { AuthService } from './auth.ts';
import type { CoSignatureAnchorer } from './coSignatureAnchorer.ts';
import type { Custodian } from './custodian.ts';
import type { EmergencyWatcher } from './emergencyWatcher.ts';
import type { EventFollower } from './eventFollower.ts';
import type { Indexer } from './indexer.ts';
import type { LedgerGuard } from './ledgerGuard.ts';
import type { Notifier } from './notifier.ts';
import type { SecondFactor } from './secondFactor.ts';
import type { StaffAttestations } from './staffAttestation.ts';
import type { Stamps } from './stamps.ts';
import type { SqlAppointmentStore } from './store/appointmentStore.ts';
import type { BlobStore } from './store/blobStore.ts';
import type { EmergencyStore } from './store/emergencyStore.ts';
import type { GatewayStore } from './store/gatewayStore.ts';
import type { SqlPatientDirectoryStore } from './store/patientDirectoryStore.ts';

export interface GatewayServices {
  ledger: LedgerClient;
  store: GatewayStore;
  blobs: BlobStore;
  auth: AuthService;
  auditLog: AuditLog;
  access: AccessControl;
  anchorer: Anchorer;
  indexer: Indexer;
  custodian: Custodian;
  coSignatureAnchorer: CoSignatureAnchorer;
  stamps: Stamps;
  secondFactor: SecondFactor;
  /** Staff second-factor attestations: signing them here, asking members' home gateways. */
  staffAttestations: StaffAttestations;
  emergencies: EmergencyStore;
  notifier: Notifier;
  eventFollower: EventFollower;
  emergencyWatcher: EmergencyWatcher;
  guard: LedgerGuard;
  /** Clinicians' slots and the appointments booked in them (`operations/appointments.ts`). */
  appointments: SqlAppointmentStore;
  /** The public URL of this gateway's read-only JSON-RPC endpoint (`POST /rpc`), for clients reading the chain. */
  readOnlyRpcUrl: string;
  /** Desk codes and the identifiers organisations keep, in this gateway's database. */
  patientDirectory: SqlPatientDirectoryStore;
}
