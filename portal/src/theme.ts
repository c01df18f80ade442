import { webDarkTheme, webLightTheme, type Theme } from '@fluentui/react-components';
import { useSyncExternalStore } from 'react';

const DARK = '(prefers-color-scheme: dark)';

function subscribe(onChange: () => void): () => void {
  const query = window.matchMedia(DARK);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

/** Fluent's web theme, light or dark as the system is, following it when it changes. */
export function useSystemTheme(): Theme {
  const dark = useSyncExternalStore(subscribe, () => window.matchMedia(DARK).matches);
  return dark ? webDarkTheme : webLightTheme;
}
