/**
 * The app shell: before sign-in the welcome screen; after it, the navigation of the identity's
 * persona (patient, clinician, laboratory, pharmacy, insurer, organisation admin) and the ledger
 * explorer and key screens for everyone, and live notifications in the header. A new screen is a
 * new entry of `navigationOf`.
 */
import { type ReactNode, Suspense, useState } from 'react';
import { DirectoryProvider } from './components/directory.tsx';
import { AddressText, Button, Spinner } from './components/ui.tsx';
import {
  AdminActivity,
  AdminConsortium,
  AdminEmergencies,
  AdminMembers,
  AdminVotes,
  ClinicianAppointments,
  DelegateHome,
  Explorer,
  FindPatient,
  GetStarted,
  InsurerClaims,
  KeysScreen,
  LabWorklist,
  MyOrders,
  NotificationBell,
  PatientAccessHistory,
  PatientAppointments,
  PatientEmergencies,
  PatientRecords,
  PatientRequests,
  PatientSettings,
  PatientSharing,
  PharmacyWorklist,
} from './lazyScreens.tsx';
import { Link, usePath } from './router.tsx';
import { Welcome } from './screens/Welcome.tsx';
import { type Session, useSessionState } from './session.tsx';

interface Screen {
  path: string;
  label: string;
  render: () => ReactNode;
  /** Matches paths below it too (e.g. /patients/0x…). */
  prefix?: boolean;
}

const explorer: Screen = { path: '/explorer', label: 'Ledger', render: () => <Explorer /> };

/** Ends the account's sessions on every device (a lost or shared one), then signs out here. */
function SignOutEverywhere(props: { session: Session }) {
  const [busy, setBusy] = useState(false);
  return (
    <Button
      kind="ghost"
      busy={busy}
      busyLabel="Signing out everywhere…"
      label="Sign out everywhere: end this account’s sessions on every device"
      onClick={() => {
        setBusy(true);
        void props.session.signOutEverywhere();
      }}
    >
      Sign out everywhere
    </Button>
  );
}

function navigationOf(session: Session): Screen[] {
  const screens: Screen[] = [];
  switch (session.persona) {
    case 'patient':
      screens.push(
        { path: '/records', label: 'My records', render: () => <PatientRecords /> },
        { path: '/orders', label: 'Orders and claims', render: () => <MyOrders /> },
        { path: '/requests', label: 'Requests', render: () => <PatientRequests /> },
        { path: '/sharing', label: 'Sharing', render: () => <PatientSharing /> },
        { path: '/history', label: 'Access history', render: () => <PatientAccessHistory /> },
        { path: '/emergencies', label: 'Emergencies', render: () => <PatientEmergencies /> },
        { path: '/settings', label: 'Settings', render: () => <PatientSettings /> },
        { path: '/appointments', label: 'Appointments', render: () => <PatientAppointments /> },
      );
      break;
    case 'doctor':
    case 'nurse':
      screens.push({
        path: '/patients',
        label: 'Patients',
        prefix: true,
        render: () => <FindPatient base="/patients" />,
      });
      screens.push({ path: '/appointments', label: 'Appointments', render: () => <ClinicianAppointments /> });
      break;
    case 'lab':
      screens.push(
        { path: '/worklist', label: 'Worklist', render: () => <LabWorklist /> },
        {
          path: '/patients',
          label: 'Patients',
          prefix: true,
          render: () => <FindPatient base="/patients" />,
        },
      );
      break;
    case 'pharmacist':
      screens.push(
        { path: '/prescriptions', label: 'Prescriptions', render: () => <PharmacyWorklist /> },
        {
          path: '/patients',
          label: 'Patients',
          prefix: true,
          render: () => <FindPatient base="/patients" />,
        },
      );
      break;
    case 'insurer':
      screens.push({ path: '/claims', label: 'Claims', render: () => <InsurerClaims /> });
      break;
    case 'delegate':
      screens.push({ path: '/shared', label: 'Shared with me', render: () => <DelegateHome /> });
      break;
    case 'admin':
    case 'newcomer':
      if (session.adminOf.length === 0)
        screens.push({ path: '/start', label: 'Get started', render: () => <GetStarted /> });
      break;
  }
  if (session.adminOf.length > 0) {
    screens.push(
      { path: '/admin/members', label: 'Members', render: () => <AdminMembers /> },
      { path: '/admin/consortium', label: 'Consortium', render: () => <AdminConsortium /> },
      { path: '/admin/votes', label: 'Votes', render: () => <AdminVotes /> },
      { path: '/admin/activity', label: 'Activity', render: () => <AdminActivity /> },
      { path: '/admin/emergencies', label: 'Emergencies', render: () => <AdminEmergencies /> },
    );
  }
  // Patients back up their keys; anyone registered may be a guardian of someone's backup.
  if (session.persona !== 'newcomer' || session.adminOf.length > 0)
    screens.push({ path: '/keys', label: 'Keys', render: () => <KeysScreen /> });
  screens.push(explorer);
  return screens;
}

const personaLabels: Record<Session['persona'], string> = {
  patient: 'Patient',
  doctor: 'Doctor',
  nurse: 'Nurse',
  lab: 'Laboratory',
  pharmacist: 'Pharmacy',
  insurer: 'Insurer',
  admin: 'Administrator',
  delegate: 'Delegate',
  newcomer: 'New identity',
};

export function App() {
  const { session } = useSessionState();
  const path = usePath();
  if (!session) {
    return (
      <Frame>
        <Welcome />
      </Frame>
    );
  }
  const screens = navigationOf(session);
  const current =
    screens.find((s) => s.path === path || (s.prefix && path.startsWith(`${s.path}/`))) ??
    screens[0] ??
    explorer;
  const role =
    session.adminOf.length > 0 && session.persona === 'newcomer'
      ? 'Organisation admin'
      : personaLabels[session.persona];
  return (
    <DirectoryProvider client={session.client}>
      <Frame
        header={
          <div className="who">
            <span className="role-pill">{role}</span> <AddressText address={session.identity.address} />
            <Suspense fallback={null}>
              <NotificationBell />
            </Suspense>
            <Button
              kind="ghost"
              onClick={() => session.signOut('You signed out. Your keys are no longer in memory.')}
            >
              Sign out
            </Button>
            <SignOutEverywhere session={session} />
          </div>
        }
        nav={
          <nav aria-label="Main" className="nav">
            {screens.map((screen) => (
              <Link key={screen.path} to={screen.path} className="nav-link" current={screen === current}>
                {screen.label}
              </Link>
            ))}
          </nav>
        }
      >
        <Suspense fallback={<Spinner label="Loading…" />}>{current.render()}</Suspense>
      </Frame>
    </DirectoryProvider>
  );
}

function Frame(props: { header?: ReactNode; nav?: ReactNode; children: ReactNode }) {
  return (
    <div className="frame">
      <header className="topbar">
        <a className="brand" href="/">
          <img src="/favicon.svg" alt="" width="28" height="28" /> medledger
        </a>
        {props.header}
      </header>
      {props.nav}
      <main id="main" className="main">
        {props.children}
      </main>
      <footer className="footer muted">
        Encrypted in your browser · every access checked against and recorded on the ledger
      </footer>
    </div>
  );
}
