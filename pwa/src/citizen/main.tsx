import { render } from 'preact';
import '../shared/styles.css';
import './citizen.css';
import { applyDocumentLang } from '../shared/i18n';
import { registerServiceWorker } from '../shared/sw-register';
import { App } from './App';
import { loadLocal, refresh } from './catalogue';

applyDocumentLang();
render(<App />, document.getElementById('app')!);

// Local data first, then the network feeds the local store.
void loadLocal()
  .catch((err: unknown) => console.warn('local catalogue unavailable', err))
  .then(() => refresh());

// Service workers only in the build (the dev server has no sw.js).
if (import.meta.env.PROD) registerServiceWorker('/sw.js', '/');
