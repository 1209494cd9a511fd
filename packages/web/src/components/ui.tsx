/** Small building blocks shared by every screen: cards, fields, buttons with progress, notices. */
import { type ReactNode, useCallback, useEffect, useId, useState } from 'react';
import { plainError } from '../errors.ts';
import { shownName, useDirectoryEntry } from './directory.tsx';

export function Card(props: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <section className={`card ${props.className ?? ''}`}>
      {(props.title || props.actions) && (
        <header className="card-header">
          {props.title && <h2>{props.title}</h2>}
          {props.actions && <div className="card-actions">{props.actions}</div>}
        </header>
      )}
      {props.children}
    </section>
  );
}

/** A labelled form control; the label is tied to the control for screen readers and clicks. */
export function Field(props: { label: string; hint?: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children(id)}
      {props.hint && <p className="hint">{props.hint}</p>}
    </div>
  );
}

export function Notice(props: { kind: 'error' | 'success' | 'info' | 'denied'; children: ReactNode }) {
  return (
    <div
      className={`notice notice-${props.kind}`}
      role={props.kind === 'error' || props.kind === 'denied' ? 'alert' : 'status'}
    >
      {props.children}
    </div>
  );
}

export function Badge(props: { tone?: 'good' | 'bad' | 'warn' | 'neutral'; children: ReactNode }) {
  return <span className={`badge badge-${props.tone ?? 'neutral'}`}>{props.children}</span>;
}

export function Spinner(props: { label: string }) {
  return (
    <p className="progress" role="status">
      <span className="spinner" aria-hidden="true" /> {props.label}
    </p>
  );
}

/**
 * An address as people know it: the directory's name of a member or a gateway ("Dr Ana Silva (doctor,
 * St Mary)"), else the address shortened for reading (a patient is never named); complete on hover
 * and for assistive technology.
 */
export function AddressText(props: { address: string }) {
  const entry = useDirectoryEntry(props.address);
  const named = entry?.kind === 'member' || entry?.kind === 'organisation-gateway';
  return (
    <span
      className={named ? 'actor-name' : 'mono'}
      title={props.address}
      data-address={props.address.toLowerCase()}
    >
      {shownName(props.address, entry)}
    </span>
  );
}

export function formatTime(seconds: number | string): string {
  const date = typeof seconds === 'number' ? new Date(seconds * 1000) : new Date(seconds);
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Runs an action with a busy flag and a plain-words error. */
export function useAction<A extends unknown[], T>(action: (...args: A) => Promise<T>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const run = useCallback(
    async (...args: A): Promise<T | undefined> => {
      setBusy(true);
      setError(undefined);
      try {
        return await action(...args);
      } catch (caught) {
        setError(plainError(caught));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [action],
  );
  return { run, busy, error, setError };
}

/** Loads data when its dependencies change; `reload` fetches again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names the dependencies.
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((value) => value + 1) };
}

export function Button(props: {
  children: ReactNode;
  onClick?: () => void;
  busy?: boolean;
  busyLabel?: string;
  kind?: 'primary' | 'secondary' | 'danger' | 'ghost';
  type?: 'button' | 'submit';
  disabled?: boolean;
  label?: string;
}) {
  return (
    <button
      type={props.type ?? 'button'}
      className={`button button-${props.kind ?? 'primary'}`}
      onClick={props.onClick}
      disabled={props.disabled || props.busy}
      aria-busy={props.busy || undefined}
      aria-label={props.label}
    >
      {props.busy ? (
        <>
          <span className="spinner" aria-hidden="true" /> {props.busyLabel ?? 'Working…'}
        </>
      ) : (
        props.children
      )}
    </button>
  );
}

/**
 * A row of toggle chips of which one (or, before a choice, none) is chosen: a list's filter, or
 * which form to show. `legend` names the group for screen readers.
 */
export function ChipGroup<T extends string>(props: {
  legend: string;
  value: T | undefined;
  options: readonly (readonly [T, string])[];
  onChange: (value: T) => void;
}) {
  return (
    <fieldset className="filters">
      <legend className="visually-hidden">{props.legend}</legend>
      {props.options.map(([value, label]) => (
        <button
          key={value}
          type="button"
          className={`chip ${props.value === value ? 'chip-active' : ''}`}
          aria-pressed={props.value === value}
          onClick={() => props.onChange(value)}
        >
          {label}
        </button>
      ))}
    </fieldset>
  );
}
