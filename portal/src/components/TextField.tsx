import { Field, Input } from '@fluentui/react-components';

/**
 * A labelled one-line text input: the label names the input for screen readers, `hint` says what
 * to type, `validationMessage` what is wrong with it (from the form's own check or the API's problem).
 */
export function TextField(props: {
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly required?: boolean;
  readonly disabled?: boolean;
  readonly hint?: string;
  readonly validationMessage?: string;
  /** A secret: masked, and never offered for autofill. */
  readonly secret?: boolean;
  readonly className?: string;
}) {
  return (
    <Field
      label={props.label}
      required={props.required}
      hint={props.hint}
      validationMessage={props.validationMessage}
      className={props.className}
    >
      <Input
        value={props.value}
        disabled={props.disabled}
        onChange={(_, d) => props.onChange(d.value)}
        {...(props.secret ? { type: 'password', autoComplete: 'off' } : {})}
      />
    </Field>
  );
}
