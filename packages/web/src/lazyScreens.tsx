/**
 * The screens behind the navigation, each fetched the first time it is shown (`React.lazy`), so
 * the first load carries only the shell, the welcome screen and the session. A screen module's
 * own heavy imports (FHIR validation, QR codes, charts) travel with it.
 */
import { type ComponentType, lazy } from 'react';

// biome-ignore lint/suspicious/noExplicitAny: React.lazy's own bound; each screen keeps its props type.
type AnyComponent = ComponentType<any>;

/** `name` of the module `load` imports, as a lazily loaded component with the same props. */
function lazyScreen<Name extends string, Module extends { [key in Name]: AnyComponent }>(
  load: () => Promise<Module>,
  name: Name,
) {
  return lazy(async () => ({ default: (await load())[name] }));
}

export const AdminActivity = lazyScreen(() => import('./screens/AdminScreens.tsx'), 'AdminActivity');
export const AdminConsortium = lazyScreen(() => import('./screens/AdminScreens.tsx'), 'AdminConsortium');
export const AdminVotes = lazyScreen(() => import('./screens/ConsortiumVotes.tsx'), 'AdminVotes');
export const AdminMembers = lazyScreen(() => import('./screens/AdminScreens.tsx'), 'AdminMembers');
export const ClinicianAppointments = lazyScreen(
  () => import('./screens/AppointmentScreens.tsx'),
  'ClinicianAppointments',
);
export const PatientAppointments = lazyScreen(
  () => import('./screens/AppointmentScreens.tsx'),
  'PatientAppointments',
);
export const FindPatient = lazyScreen(() => import('./screens/CareScreens.tsx'), 'FindPatient');
export const InsurerClaims = lazyScreen(() => import('./screens/ClaimScreens.tsx'), 'InsurerClaims');
export const DelegateHome = lazyScreen(() => import('./screens/DelegateScreens.tsx'), 'DelegateHome');
export const AdminEmergencies = lazyScreen(
  () => import('./screens/EmergencyScreens.tsx'),
  'AdminEmergencies',
);
export const PatientEmergencies = lazyScreen(
  () => import('./screens/EmergencyScreens.tsx'),
  'PatientEmergencies',
);
export const Explorer = lazyScreen(() => import('./screens/Explorer.tsx'), 'Explorer');
export const GetStarted = lazyScreen(() => import('./screens/GetStarted.tsx'), 'GetStarted');
export const KeysScreen = lazyScreen(() => import('./screens/KeyScreens.tsx'), 'KeysScreen');
export const LabWorklist = lazyScreen(() => import('./screens/LabScreens.tsx'), 'LabWorklist');
export const NotificationBell = lazyScreen(() => import('./screens/Notifications.tsx'), 'NotificationBell');
export const MyOrders = lazyScreen(() => import('./screens/OrderScreens.tsx'), 'MyOrders');
export const PatientAccessHistory = lazyScreen(
  () => import('./screens/PatientScreens.tsx'),
  'PatientAccessHistory',
);
export const PatientRecords = lazyScreen(() => import('./screens/PatientScreens.tsx'), 'PatientRecords');
export const PatientRequests = lazyScreen(() => import('./screens/PatientScreens.tsx'), 'PatientRequests');
export const PatientSharing = lazyScreen(() => import('./screens/PatientScreens.tsx'), 'PatientSharing');
export const PatientSettings = lazyScreen(() => import('./screens/PatientSettings.tsx'), 'PatientSettings');
export const PharmacyWorklist = lazyScreen(() => import('./screens/PharmacyScreens.tsx'), 'PharmacyWorklist');
export const RecoverWithGuardians = lazyScreen(
  () => import('./screens/KeyScreens.tsx'),
  'RecoverWithGuardians',
);
