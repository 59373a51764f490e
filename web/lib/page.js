// What every page with the site's shell shares: translation at start-up, the language switch, the skip link,
// confirmation dialogs.
import { initI18n } from './i18n.js';
import { h } from './dom.js';

/** Translates the page and wires the language switch. */
export function initPage() {
  initI18n();
  // The skip link moves the focus itself instead of following "#main": the ticket and manage pages keep the
  // private token in the URL fragment, which a fragment link would replace.
  const skip = document.querySelector('.skip-link');
  const main = document.getElementById('main');
  if (skip && main) {
    skip.addEventListener('click', (e) => {
      e.preventDefault();
      main.focus();
      main.scrollIntoView();
    });
  }
}

/**
 * Asks for confirmation in a modal <dialog>. Resolves true only when the "yes" button was chosen.
 * The safe choice comes first, so it has the focus when the dialog opens; focus returns to the opener.
 */
export function confirmDialog({ title, text, yes, no }) {
  const opener = document.activeElement;
  return new Promise((resolve) => {
    const titleId = `dlg-title-${Date.now()}`;
    const textId = `${titleId}-text`;
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': titleId, 'aria-describedby': textId },
      h('h2', { id: titleId }, title),
      h('p', { id: textId }, text),
      h('form', { method: 'dialog', class: 'button-row' },
        h('button', { type: 'submit', value: 'no', class: 'button secondary' }, no),
        h('button', { type: 'submit', value: 'yes', class: 'button danger' }, yes)));
    dialog.addEventListener('close', () => {
      const ok = dialog.returnValue === 'yes';
      dialog.remove();
      if (!ok && opener && typeof opener.focus === 'function') opener.focus();
      resolve(ok);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
