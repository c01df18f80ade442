import {
  Field,
  Tag,
  TagPicker,
  TagPickerControl,
  TagPickerGroup,
  TagPickerInput,
  TagPickerList,
  TagPickerOption,
  type TagPickerProps,
} from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { errorText } from '../api/problem';

/** One choice of a picker: `value` is what is stored (an id), `text` what a person reads. */
export interface PickerOption {
  readonly value: string;
  readonly text: string;
  /** Shown under the text: a user principal name, "Group", a role's description. */
  readonly secondary?: string;
  /** Why it cannot be chosen (shown, and choosing it says so instead of adding it). */
  readonly unavailable?: string;
}

/** What the picker offers for the text typed so far; async for a directory search. */
export type PickerSearch = (text: string) => readonly PickerOption[] | Promise<readonly PickerOption[]>;

const SEARCH_DELAY_MS = 250;

/**
 * A labelled, searchable picker (Fluent's TagPicker): type to search, arrows to move through the
 * matches, Enter to choose; the chosen ones are tags (Backspace or their button removes one). The
 * options come from `search`, called again (after a short pause) as the text changes; an error of
 * the search is shown in the list. `single`: a new choice replaces the old one.
 */
export function SearchPicker(props: {
  readonly label: string;
  readonly selected: readonly PickerOption[];
  readonly onChange: (selected: PickerOption[]) => void;
  readonly search: PickerSearch;
  /** Characters to type before searching (a directory search needs one; a short list none). */
  readonly minChars?: number;
  readonly single?: boolean;
  readonly required?: boolean;
  readonly hint?: string;
  readonly validationMessage?: string;
}) {
  const { search, minChars = 0 } = props;
  const [query, setQuery] = useState('');
  // The answer to the last search, for the text (and tenant) it was for: current only while they are.
  const [result, setResult] = useState<{
    readonly text: string;
    readonly search: PickerSearch;
    readonly options: readonly PickerOption[];
    readonly error?: string;
  }>();
  const [refused, setRefused] = useState<string>();
  const text = query.trim();
  const searchable = text.length >= minChars;

  useEffect(() => {
    if (!searchable) return;
    let current = true;
    const timer = window.setTimeout(
      () => {
        Promise.resolve(search(text)).then(
          (found) => {
            if (current) setResult({ text, search, options: found });
          },
          (error: unknown) => {
            if (current) setResult({ text, search, options: [], error: errorText(error) });
          },
        );
      },
      minChars > 0 ? SEARCH_DELAY_MS : 0,
    );
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [text, searchable, search, minChars]);

  const loading = searchable && (result?.text !== text || result.search !== search);
  const options = searchable && !loading ? (result?.options ?? []) : [];
  const error = searchable && !loading ? result?.error : undefined;
  const chosen = new Set(props.selected.map((o) => o.value));
  const offered = options.filter((o) => !chosen.has(o.value));

  const onOptionSelect: TagPickerProps['onOptionSelect'] = (_, data) => {
    const removed = props.selected.filter((o) => !data.selectedOptions.includes(o.value));
    if (removed.length > 0) {
      props.onChange(props.selected.filter((o) => data.selectedOptions.includes(o.value)));
      return;
    }
    const picked = options.find((o) => o.value === data.value);
    if (picked === undefined) return;
    if (picked.unavailable !== undefined) {
      setRefused(`${picked.text} cannot be chosen: ${picked.unavailable}`);
      return;
    }
    setRefused(undefined);
    setQuery('');
    props.onChange(props.single === true ? [picked] : [...props.selected, picked]);
  };

  const status = error
    ? `The search failed: ${error}`
    : loading
      ? 'Searching…'
      : !searchable
        ? `Type ${minChars === 1 ? 'a character' : `${minChars} characters`} to search`
        : 'No matches';

  return (
    <Field
      label={props.label}
      required={props.required}
      hint={props.hint}
      validationMessage={refused ?? props.validationMessage}
    >
      <TagPicker selectedOptions={props.selected.map((o) => o.value)} onOptionSelect={onOptionSelect}>
        <TagPickerControl>
          <TagPickerGroup aria-label={`Chosen: ${props.label}`}>
            {props.selected.map((o) => (
              <Tag key={o.value} value={o.value} shape="rounded" dismissible>
                {o.text}
              </Tag>
            ))}
          </TagPickerGroup>
          <TagPickerInput
            aria-label={props.label}
            value={query}
            onChange={(e) => {
              setRefused(undefined);
              setQuery(e.target.value);
            }}
          />
        </TagPickerControl>
        <TagPickerList aria-label={`Matches: ${props.label}`}>
          {offered.length > 0
            ? offered.map((o) => (
                <TagPickerOption
                  key={o.value}
                  value={o.value}
                  text={o.text}
                  secondaryContent={o.unavailable !== undefined ? `Cannot be chosen: ${o.unavailable}` : o.secondary}
                >
                  {o.text}
                </TagPickerOption>
              ))
            : status}
        </TagPickerList>
      </TagPicker>
    </Field>
  );
}
