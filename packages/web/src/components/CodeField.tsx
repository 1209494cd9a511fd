import { Field } from './ui.tsx';

/** A six-digit code field, as authenticator apps show it. */
export function CodeField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: string;
}) {
  return (
    <Field label={props.label} {...(props.hint ? { hint: props.hint } : {})}>
      {(id) => (
        <input
          id={id}
          className="code-input"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          required
          value={props.value}
          onChange={(e) => props.onChange(e.target.value.replace(/\D/g, ''))}
        />
      )}
    </Field>
  );
}
