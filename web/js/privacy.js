// The privacy notice: both languages are in the markup; i18n shows the current one. Under "Your rights", the form that
// sends a lost private link again (recover.js), with the published events to choose from.
import './strings.js';
import { api } from '../lib/api.js';
import { $, h, replaceChildren } from '../lib/dom.js';
import { onLanguageChange } from '../lib/i18n.js';
import { errorText } from '../lib/errors.js';
import { initPage } from '../lib/page.js';
import { createRecoverForm } from './recover.js';

initPage();

let recoverForm = null;
let loadError = null;

function render() {
  if (recoverForm) { recoverForm.relabel(); return; }
  if (loadError) replaceChildren($('recover-slot'), h('p', { class: 'notice error' }, errorText(loadError, 'recover.events_error')));
}

async function load() {
  try {
    // The public list: published events only, past ones included (a link may be wanted to evaluate or erase).
    const body = await api('GET', '/api/v1/events');
    recoverForm = createRecoverForm({ events: (body && body.items) || [] });
    replaceChildren($('recover-slot'), recoverForm.form);
  } catch (err) {
    loadError = err;
    render();
  }
}

onLanguageChange(render);
load();
