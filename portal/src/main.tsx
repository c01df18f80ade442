import { FluentProvider } from '@fluentui/react-components';
import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createMsal } from './auth/msal';
import { loadConfig } from './config';
import { useSystemTheme } from './theme';
import './index.css';

function Themed({ children }: { readonly children: ReactNode }) {
  return (
    <FluentProvider theme={useSystemTheme()} style={{ minHeight: '100vh' }}>
      {children}
    </FluentProvider>
  );
}

async function start(): Promise<void> {
  const root = createRoot(document.getElementById('root') as HTMLElement);
  try {
    const config = await loadConfig();
    const msal = await createMsal(config);
    root.render(
      <StrictMode>
        <Themed>
          <App msal={msal} config={config} />
        </Themed>
      </StrictMode>,
    );
  } catch (error) {
    // Nothing fails silently: without settings or sign-in the page says why.
    root.render(
      <Themed>
        <main role="alert" style={{ padding: '2rem' }}>
          <h1>Entra JIT cannot start</h1>
          <p>{error instanceof Error ? error.message : String(error)}</p>
        </main>
      </Themed>,
    );
  }
}

void start();
