import { render } from 'preact';
import '../shared/styles.css';
import './staff.css';
import { applyDocumentLang } from '../shared/i18n';
import { registerServiceWorker } from '../shared/sw-register';
import { App } from './App';
import { start } from './session';
import { startSyncWhenReady } from './sync';

applyDocumentLang();
render(<App />, document.getElementById('app')!);
void start();
startSyncWhenReady();
// Service workers only in the build (the dev server has no sw.js).
if (import.meta.env.PROD) registerServiceWorker('/staff/sw.js', '/staff/');
