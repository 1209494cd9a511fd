import { loadFhirDefinitions } from '@medledger/core';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { SessionProvider } from './session.tsx';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
// Records are validated (synchronously) before they are encrypted; the FHIR R4 definitions that
// takes are a chunk of their own (~2 MB), fetched once here rather than carried in this bundle.
await loadFhirDefinitions();
createRoot(root).render(
  <StrictMode>
    <SessionProvider>
      <App />
    </SessionProvider>
  </StrictMode>,
);
