/**
 * Live notifications in the header: the gateway's server-sent events stream read with fetch
 * streaming (`client.followNotifications`: the session token in the Authorization header, resumed
 * with Last-Event-ID after any interruption, so nothing is missed or shown twice). Notifications
 * carry ids, addresses, categories and times, never health content; which ones were seen is kept
 * per identity in this browser (their ids only).
 */
import type { Notification } from '@medledger/client';
import { type Category, categories } from '@medledger/core';
import { useEffect, useId, useRef, useState } from 'react';
import { useAddressNames } from '../components/directory.tsx';
import { formatTime } from '../components/ui.tsx';
import { plainError } from '../errors.ts';
import { useSession } from '../session.tsx';
import { categoryLabels } from './Chart.tsx';
import { announceOrderUpdate, describeOrderNotification } from './orders.ts';

const short = (value: unknown) =>
  typeof value === 'string' && value.startsWith('0x')
    ? `${value.slice(0, 6)}…${value.slice(-4)}`
    : String(value);

function categoryText(value: unknown): string {
  const list = Array.isArray(value) ? value : [value];
  return list
    .filter((c): c is Category => typeof c === 'string' && (categories as readonly string[]).includes(c))
    .map((c) => categoryLabels[c].toLowerCase())
    .join(', ');
}

/** A notification in plain words, from the reader's point of view. */
export function describeNotification(
  notification: Notification,
  me: string,
  nameOf: (value: unknown) => string = short,
): string {
  const d = notification.data;
  const mine = (value: unknown) => typeof value === 'string' && value.toLowerCase() === me.toLowerCase();
  switch (notification.kind) {
    case 'access-requested':
      return `${nameOf(d.requester)} asks to ${Array.isArray(d.actions) ? d.actions.join(' and ') : 'read'} your ${categoryText(d.categories)} records (request #${d.requestId}).`;
    case 'access-request-approved':
      return `${nameOf(d.patient)} approved your request #${d.requestId}: ${categoryText(d.categories)} until ${formatTime(Number(d.expiresAt))}.`;
    case 'access-request-denied':
      return `${nameOf(d.patient)} denied your request #${d.requestId}.`;
    case 'grant-used':
      return `${nameOf(d.actor)} used your consent #${d.grantId} to ${String(d.action)} ${categoryText(d.category) || 'your'} records.`;
    case 'access-refused':
      return `${nameOf(d.requester)}${d.organisationId ? ` (organisation #${d.organisationId})` : ''} was refused access to ${categoryText(d.category) || 'your'} records (${String(d.action)}, ${String(d.reason).replaceAll('_', ' ')})${Number(d.attempts) > 1 ? `: ${d.attempts} attempts since the last alert` : ''}.`;
    case 'record-added':
      return `${nameOf(d.author)} added a ${categoryText(d.category) || 'new'} record to your chart.`;
    case 'record-copied':
      return `${nameOf(d.by)} copied a ${categoryText(d.category) || 'health'} record of yours for organisation #${d.toOrganisation}: its members may read that copy.`;
    case 'record-duplicated':
      return `${nameOf(d.by)} duplicated a ${categoryText(d.category) || 'health'} record in your chart.`;
    case 'record-moved':
      return mine(d.toPatient)
        ? `${nameOf(d.by)} moved a ${categoryText(d.category) || 'health'} record into your chart from another patient’s, where it was filed by mistake.`
        : `${nameOf(d.by)} moved a ${categoryText(d.category) || 'health'} record out of your chart: it belonged to another patient, and it is erased from yours.`;
    case 'record-co-signed':
      return `${nameOf(d.signer)} co-signed a record of yours${d.finalised ? ': it is final now' : ''}.`;
    case 'emergency-declared':
      return mine(d.patient)
        ? `Emergency access to your record: ${nameOf(d.member)} opened your ${categoryText(d.categories)} until ${formatTime(Number(d.expiresAt))} (emergency #${d.emergencyId}).`
        : `${nameOf(d.member)} declared emergency #${d.emergencyId} for patient ${nameOf(d.patient)}: it awaits review.`;
    case 'emergency-reviewed':
      return `Emergency #${d.emergencyId} was reviewed: ${d.verdict === 'justified' ? 'justified' : 'not justified'}.`;
    case 'emergency-ended':
      return `Emergency #${d.emergencyId} has ended: its access is closed.`;
    case 'emergency-privilege-set':
      return d.privileged
        ? 'You now hold the emergency privilege of your organisation.'
        : 'Your emergency privilege was taken away.';
    case 'record-erased':
      return `${mine(d.by) ? 'You' : nameOf(d.by)} erased a record of yours (${String(d.reason).replaceAll('-', ' ')}): its content and keys are destroyed at every gateway.`;
    case 'record-hidden':
      return `${mine(d.by) ? 'You' : nameOf(d.by)} deleted a record of yours${Number(d.retainUntil) ? `; it is erased for good after ${formatTime(Number(d.retainUntil))} unless you restore it` : '; you may restore it'}.`;
    case 'appointment-booked':
      return mine(d.patient)
        ? `Your appointment #${d.appointmentId} with ${nameOf(d.practitioner)} is booked for ${formatTime(Number(d.start))}.`
        : `${nameOf(d.patient)} booked appointment #${d.appointmentId} with you for ${formatTime(Number(d.start))}.`;
    case 'appointment-cancelled':
      return `Appointment #${d.appointmentId} of ${formatTime(Number(d.start))} was cancelled${mine(d.by) ? '' : ` by ${nameOf(d.by)}`}${d.rescheduledTo ? ` (moved to #${d.rescheduledTo})` : ''}.`;
    case 'second-factor-changed':
      return d.change === 'reset'
        ? `${nameOf(d.by)}, an admin of your organisation, removed your one-time code for signing in; your sessions were ended.`
        : `${nameOf(d.by)}, an admin of your organisation, started enrolling an authenticator for your sign-in: its first code turns it on.`;
    default:
      return (
        describeOrderNotification(notification.kind, d, me, nameOf) ??
        `Notification: ${notification.kind.replaceAll('-', ' ')}.`
      );
  }
}

export function NotificationBell() {
  const { client, identity } = useSession();
  const seenKey = `medledger:notifications-seen:${identity.address.toLowerCase()}`;
  const [items, setItems] = useState<Notification[]>([]);
  const [seen, setSeen] = useState(() => Number(window.localStorage.getItem(seenKey) ?? 0));
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string>();
  const panelId = useId();
  const container = useRef<HTMLDivElement>(null);

  // The list closes on Escape and on a click elsewhere.
  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && setOpen(false);
    const onPointer = (event: PointerEvent) => {
      if (!container.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [open]);

  useEffect(() => {
    const controller = new AbortController();
    void (async () => {
      try {
        for await (const notification of client.followNotifications({ signal: controller.signal })) {
          setItems((previous) =>
            previous.some((item) => item.id === notification.id) ? previous : [...previous, notification],
          );
          announceOrderUpdate(notification);
          setError(undefined);
        }
      } catch (caught) {
        if (!controller.signal.aborted) setError(plainError(caught));
      }
    })();
    return () => controller.abort();
  }, [client]);

  // While the list is open, what arrives is seen as it arrives.
  useEffect(() => {
    const last = items[items.length - 1]?.id;
    if (open && last !== undefined && last > seen) {
      window.localStorage.setItem(seenKey, String(last));
      setSeen(last);
    }
  }, [open, items, seen, seenKey]);

  const unseen = items.filter((item) => item.id > seen);
  const latest = unseen[unseen.length - 1];
  const toggle = () => {
    if (!open && items.length > 0) {
      const last = items[items.length - 1]?.id ?? seen;
      window.localStorage.setItem(seenKey, String(last));
      setSeen(last);
    }
    setOpen(!open);
  };
  const me = identity.address;
  const nameOf = useAddressNames(items.flatMap((item) => Object.values(item.data)));
  return (
    <div className="notifications" ref={container}>
      <button
        type="button"
        className="bell"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={`Notifications, ${unseen.length} new`}
        onClick={toggle}
      >
        <svg
          aria-hidden="true"
          viewBox="0 0 24 24"
          width="20"
          height="20"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
        >
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
          <path d="M13.7 21a2 2 0 0 1-3.4 0" />
        </svg>
        {unseen.length > 0 && <span className="bell-count">{unseen.length}</span>}
      </button>
      <p className="visually-hidden" role="status">
        {latest ? describeNotification(latest, me, nameOf) : ''}
      </p>
      {open && (
        <section id={panelId} className="notification-panel" aria-label="Notifications">
          {error && <p className="notice notice-error">{error}</p>}
          {items.length === 0 ? (
            <p className="empty">Nothing yet. New requests, emergencies and records will appear here live.</p>
          ) : (
            <ol className="notification-list">
              {[...items].reverse().map((item) => (
                <li key={item.id} data-kind={item.kind} className={item.id > seen ? 'unseen' : ''}>
                  <span>{describeNotification(item, me, nameOf)}</span>
                  <time className="muted" dateTime={item.createdAt}>
                    {formatTime(item.createdAt)}
                  </time>
                </li>
              ))}
            </ol>
          )}
        </section>
      )}
    </div>
  );
}
