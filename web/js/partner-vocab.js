// What the partner-search pages (partners.html, partner-database.html) share: the words of a profile (roles,
// countries, languages) in the page's language, a profile shown as a card, and the reasons of a match in words.
import './partner-strings.js';
import { h } from '../lib/dom.js';
import { t, label, lang } from '../lib/i18n.js';

// What an organisation offers a partnership and what it seeks (src/domain/partner_rules.hpp, partner_roles; the API
// has no list of them, and they are not configurable).
export const ROLES = ['lead_partner', 'project_partner', 'expertise', 'methods', 'target_groups', 'study_visits',
  'staff_exchange', 'pilot_site', 'eu_funding', 'co_financing'];

// The countries offered in the forms (ISO 3166-1 alpha-2): Europe and its neighbours, where the project's partners
// are. A profile written with another code (through the API) keeps it: the forms add what they do not list.
export const COUNTRIES = ['AL', 'AD', 'AM', 'AT', 'AZ', 'BA', 'BE', 'BG', 'BY', 'CH', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES',
  'FI', 'FO', 'FR', 'GB', 'GE', 'GL', 'GR', 'HR', 'HU', 'IE', 'IS', 'IT', 'LI', 'LT', 'LU', 'LV', 'MC', 'MD', 'ME', 'MK',
  'MT', 'NL', 'NO', 'PL', 'PT', 'RO', 'RS', 'RU', 'SE', 'SI', 'SK', 'SM', 'TR', 'UA'];

// Languages offered (ISO 639-1): the languages of those countries and the most spoken others in the Stockholm region.
export const LANGUAGES = ['sv', 'en', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'da', 'no', 'fi', 'is', 'et', 'lv', 'lt',
  'pl', 'ru', 'uk', 'be', 'cs', 'sk', 'sl', 'hr', 'sr', 'bs', 'mk', 'sq', 'hu', 'ro', 'bg', 'el', 'tr', 'mt', 'ga',
  'ar', 'fa', 'so', 'ku'];

const names = new Map();

/** The name of an ISO code in the page's language (Intl.DisplayNames), or the code when the browser has none. */
function displayName(type, code) {
  if (!code) return '';
  const key = `${lang()} ${type}`;
  let dn = names.get(key);
  if (dn === undefined) {
    try { dn = new Intl.DisplayNames([lang() === 'sv' ? 'sv-SE' : 'en-GB'], { type, fallback: 'code' }); } catch { dn = null; }
    names.set(key, dn);
  }
  try { return (dn && dn.of(type === 'region' ? String(code).toUpperCase() : String(code).toLowerCase())) || code; } catch { return code; }
}

export const countryName = (code) => displayName('region', code);

/** A language's name; Swedish writes them in lower case, which reads oddly at the start of a line: capitalised. */
export function languageName(code) {
  const n = displayName('language', code);
  return n ? n.charAt(0).toLocaleUpperCase(lang()) + n.slice(1) : n;
}

export const roleName = (code) => label('partner_role', code);

/** Codes sorted by their names in the page's language, with any extra codes (not in the list) added. */
export function sortedCodes(codes, nameOf, extra = []) {
  const all = [...new Set([...codes, ...extra.filter(Boolean)])];
  const collator = new Intl.Collator(lang() === 'sv' ? 'sv' : 'en');
  return all.sort((a, b) => collator.compare(nameOf(a), nameOf(b)));
}

/** "A, B and C" in the page's language. */
export function listText(items) {
  const list = items.filter(Boolean);
  try { return new Intl.ListFormat(lang() === 'sv' ? 'sv' : 'en', { type: 'conjunction' }).format(list); } catch { return list.join(', '); }
}

/** The sentence for one reason of a match ({kind, values}). */
export function reasonText(reason) {
  const values = reason.values || [];
  let words;
  switch (reason.kind) {
    case 'focus_areas': words = values.map((v) => label('focus_area', v)); break;
    case 'offers_what_you_seek':
    case 'seeks_what_you_offer': words = values.map(roleName); break;
    case 'common_language': words = values.map(languageName); break;
    case 'wanted_country':
    case 'wants_your_country': words = values.map(countryName); break;
    default: words = values;
  }
  const key = `partner.reason.${reason.kind}`;
  const text = listText(words);
  const sentence = t(key, { values: text, n: values.length });
  return sentence === key ? `${reason.kind.replace(/_/g, ' ')}: ${text}` : sentence;
}

function fact(key, value) {
  return value ? h('div', {}, h('dt', {}, t(key)), h('dd', {}, value)) : null;
}

/**
 * A profile as a card: its organisation as the heading (level `heading`), the person's name when given (forum
 * participants see it; the public database has none), country, summary, focus areas, offers, seeks, languages and
 * wanted countries. `extra` is appended inside the card (reasons, a request button).
 */
export function profileCard(p, { heading = 'h3', idPrefix = 'profile', extra = null, own = false } = {}) {
  const titleId = `${idPrefix}-${p.id}-title`;
  const list = (codes, nameOf) => (codes && codes.length ? listText(codes.map(nameOf)) : null);
  return h('article', { class: `profile-card${own ? ' own' : ''}`, 'aria-labelledby': titleId, 'data-profile-id': p.id },
    h(heading, { id: titleId, class: 'profile-title', tabindex: '-1' }, p.organisation || t('partner.unnamed')),
    p.name || own ? h('p', { class: 'profile-person' }, p.name || '', own ? [p.name ? ' ' : '', h('span', { class: 'own-mark' }, t('partner.own'))] : null) : null,
    h('p', { class: 'profile-summary' }, p.summary || ''),
    h('dl', { class: 'facts compact profile-facts' },
      fact('partner.card.country', countryName(p.country)),
      fact('partner.card.focus_areas', list(p.focus_areas, (v) => label('focus_area', v))),
      fact('partner.card.offers', list(p.offers, roleName)),
      fact('partner.card.seeks', list(p.seeks, roleName)),
      fact('partner.card.languages', list(p.languages, languageName)),
      fact('partner.card.partner_countries', list(p.partner_countries, countryName))),
    extra);
}
