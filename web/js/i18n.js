// Swedish and English strings, the language switch and the translation of static markup (data-i18n attributes).
//
// Markup marks translatable text with data-i18n="key" (sets textContent), attributes with
// data-i18n-attr="attr:key;attr2:key2", enum values with data-i18n-enum="group:value", and blocks written in
// both languages with data-lang-only="sv|en". Pages re-render their dynamic parts from onLanguageChange().

const STORAGE_KEY = 'eventd.lang';
export const LANGUAGES = ['sv', 'en'];

function plural(n, one, many) { return n === 1 ? one : many; }

const en = {
  'site.name': 'Networking Europe',
  'site.tagline': 'Seminars and meetings on transnational ESF work in the Stockholm region',
  'skip': 'Skip to main content',
  'lang.nav': 'Language',
  'footer.about': 'Networking Europe is a European Social Fund project run by Sensus Stockholm-Gotland with public and non-profit partners of the Stockholm region.',
  'footer.privacy': 'Privacy notice',
  'footer.events': 'All events',
  'footer.organisers': 'For organisers',
  'common.loading': 'Loading…',
  'common.required': '(required)',
  'common.optional': '(optional)',
  'common.back': 'Back to all events',
  'common.network_error': 'Could not reach the server. Check your connection and try again.',
  'common.server_error': 'Something went wrong on our side. Please try again later.',
  'common.rate_limited': (p) => `Too many attempts. Please wait${p.seconds ? ` ${p.seconds} seconds` : ' a moment'} and try again.`,
  'common.opens_new_tab': '(opens in a new tab)',

  // index
  'index.title': 'Upcoming events – Networking Europe',
  'index.h1': 'Upcoming events',
  'index.intro': 'Seminars, network meetings, partner-search forums and study visits on transnational cooperation. Registration is free and needs no account.',
  'index.filters': 'Filter events',
  'index.filter.kind': 'Kind of event',
  'index.filter.topic': 'Seminar topic',
  'index.filter.focus': 'Focus area',
  'index.filter.all': 'All',
  'index.filter.reset': 'Show all events',
  'index.count': (p) => p.n === 0 ? 'No events match your choice.' : `${p.n} ${plural(p.n, 'event', 'events')} shown.`,
  'index.none': 'There are no upcoming events right now. Please come back later.',
  'index.error': 'The events could not be loaded.',
  'index.when': 'When',
  'index.where': 'Where',
  'index.seats': 'Seats',
  'index.read_more': (p) => `Details and registration: ${p.title}`,

  // seats
  'seats.left': (p) => `${p.n} ${plural(p.n, 'seat', 'seats')} left`,
  'seats.unlimited': 'Open – no seat limit',
  'seats.full': 'Full – join the waitlist',
  'seats.waitlist': (p) => `Waitlist (${p.n} waiting) – join the waitlist`,
  'seats.closed': 'Registration closed',
  'seats.cancelled': 'Cancelled',
  'place.online': 'Place to be announced',

  // event page
  'event.title': 'Event – Networking Europe',
  'event.unavailable': 'Event not available',
  'event.missing_id': 'No event was chosen. Go back to the list of events.',
  'event.not_found': 'We could not find this event. It may have been removed or not yet published.',
  'event.error': 'The event could not be loaded.',
  'event.when': 'When',
  'event.where': 'Where',
  'event.language': 'Language',
  'event.seats': 'Seats',
  'event.topic': 'Topic',
  'event.focus_area': 'Focus area',
  'event.network': 'Network',
  'event.about': 'About the event',
  'event.accessibility': 'Accessibility at the venue',
  'event.accessibility.none': 'The venue has not listed any accessibility features. Tell us below what you need and we will try to arrange it.',
  'event.accessibility.intro': 'The venue offers:',
  'event.cancelled': 'This event has been cancelled.',
  'event.register': 'Register',
  'event.register.intro': 'Fields marked (required) must be filled in. You will get a ticket with a QR code and a private link to change or cancel your registration.',
  'event.register.waitlist_intro': 'The event is full. If you register you are put on the waitlist and get a seat automatically, in order, when someone cancels.',
  'event.register.closed': 'Registration for this event is closed.',
  'event.submit': 'Register',
  'event.submit.waitlist': 'Join the waitlist',
  'event.sending': 'Sending your registration…',
  'event.conflict.duplicate': 'This e-mail address is already registered for this event. Use the private link you received to see or change your registration.',
  'event.conflict.closed': 'Registration is not possible: the event is closed for registration, cancelled or not published.',
  'event.conflict.title': 'Registration not possible',

  // form
  'form.errors.title': 'There is a problem',
  'form.errors.intro': 'Please correct the following:',
  'field.name': 'Full name',
  'field.email': 'E-mail',
  'field.email.hint': 'We send your ticket and private link here.',
  'field.organisation': 'Organisation',
  'field.organisation_type': 'Type of organisation',
  'field.organisation_type.choose': 'Choose…',
  'field.location': 'Where is your organisation based?',
  'field.location.sweden': 'In Sweden',
  'field.location.abroad': 'Outside Sweden',
  'field.municipality': 'Municipality',
  'field.municipality.hint': 'For example Solna or Södertälje. The list suggests the municipalities of Stockholm county.',
  'field.country': 'Country',
  'field.gender': 'Gender',
  'field.gender.hint': 'Used only for the anonymous statistics the European Social Fund asks for.',
  'field.accessibility_needs': 'Accessibility needs',
  'field.accessibility_needs.hint': 'Tick what you need to take part on equal terms.',
  'field.accessibility_needs.offered': '(offered at the venue)',
  'field.accessibility_note': 'More about your needs',
  'field.accessibility_note.hint': 'For example which allergy, or another need we should know about.',
  'field.dietary': 'Food preferences',
  'field.dietary.hint': 'For example vegetarian or gluten-free.',
  'field.consent': 'I agree that Networking Europe processes my data as described in the',
  'field.consent.link': 'privacy notice',
  'field.consent.short': 'Consent',
  'field.language': 'Language',
  'field.event': 'Event',

  // ticket
  'ticket.title': 'Your ticket – Networking Europe',
  'ticket.h1.confirmed': 'You are registered',
  'ticket.h1.waitlisted': 'You are on the waitlist',
  'ticket.h1.cancelled': 'Your registration is cancelled',
  'ticket.h1.erased': 'Your personal data has been erased',
  'ticket.h1.default': 'Your ticket',
  'ticket.status': 'Status',
  'ticket.confirmed_text': 'Your seat is confirmed. Show the QR code or the ticket code at the entrance.',
  'ticket.waitlisted_text': (p) => `You are number ${p.n} on the waitlist. You get a seat automatically when someone cancels, and we will e-mail you.`,
  'ticket.waitlisted_text_nopos': 'You get a seat automatically when someone cancels, and we will e-mail you.',
  'ticket.cancelled_text': 'This registration has been cancelled. You can register again from the event page while registration is open.',
  'ticket.erased_text': 'Your personal data has been removed. Only anonymous statistics remain.',
  'ticket.code': 'Ticket code',
  'ticket.qr_alt': (p) => `QR code for ticket code ${p.code}`,
  'ticket.event': 'Event',
  'ticket.participant': 'Participant',
  'ticket.print': 'Print ticket',
  'ticket.ics': 'Add to calendar (.ics)',
  'ticket.manage.h2': 'Your private link',
  'ticket.manage.text': 'Keep this link. With it you can see, change or cancel your registration and erase your personal data. Anyone who has the link can do the same, so do not share it.',
  'ticket.manage.label': 'Private link',
  'ticket.manage.copy': 'Copy link',
  'ticket.manage.copied': 'The link has been copied.',
  'ticket.manage.copy_failed': 'Could not copy automatically. Select the link and copy it yourself.',
  'ticket.manage.open': 'Change or cancel your registration',
  'ticket.no_token': 'This link is incomplete: it has no registration token. Use the full link from your e-mail.',
  'ticket.not_found': 'We could not find this registration. The link may be incomplete, or the data may have been erased.',
  'ticket.error': 'The registration could not be loaded.',

  // manage
  'manage.title': 'Your registration – Networking Europe',
  'manage.h1': 'Your registration',
  'manage.event': 'Event',
  'manage.status': 'Status',
  'manage.code': 'Ticket code',
  'manage.show_ticket': 'Show ticket',
  'manage.details.h2': 'Your details',
  'manage.details.intro': 'Change what is wrong and save.',
  'manage.save': 'Save changes',
  'manage.saving': 'Saving…',
  'manage.saved': 'Your changes have been saved.',
  'manage.cancel.h2': 'Cancel your registration',
  'manage.cancel.text': 'If you cannot come, please cancel so that someone on the waitlist gets your seat.',
  'manage.cancel.button': 'Cancel registration',
  'manage.cancel.confirm.h': 'Cancel your registration?',
  'manage.cancel.confirm.text': 'Your seat will go to the next person on the waitlist. This cannot be undone.',
  'manage.cancel.confirm.yes': 'Yes, cancel my registration',
  'manage.cancel.confirm.no': 'No, keep it',
  'manage.cancelled': 'Your registration has been cancelled.',
  'manage.erase.h2': 'Erase your personal data',
  'manage.erase.text': 'This removes your name, e-mail, organisation name and needs for good. Anonymous statistics (event, type of organisation, whether you are from the region, gender, attendance) remain. After this, the private link no longer shows your data.',
  'manage.erase.button': 'Erase my personal data',
  'manage.erase.confirm.h': 'Erase your personal data?',
  'manage.erase.confirm.text': 'Your registration is cancelled if it is active, and your personal data is removed. This cannot be undone.',
  'manage.erase.confirm.yes': 'Yes, erase my data',
  'manage.erase.confirm.no': 'No, keep it',
  'manage.erased': 'Your personal data has been erased.',
  'manage.erased_state': 'The personal data of this registration has been erased. Only anonymous statistics remain.',
  'manage.readonly_cancelled': 'This registration is cancelled, so it can no longer be changed. You can still erase your personal data.',
  'manage.action_failed': 'That did not work.',

  // privacy
  'privacy.title': 'Privacy notice – Networking Europe',
  'privacy.h1': 'Privacy notice',

  // statuses
  'status.confirmed': 'Confirmed',
  'status.waitlisted': 'On the waitlist',
  'status.cancelled': 'Cancelled',
  'status.waitlist_position': (p) => `On the waitlist, number ${p.n}`,
};

const sv = {
  'site.name': 'Networking Europe',
  'site.tagline': 'Seminarier och möten om transnationellt ESF-arbete i Stockholmsregionen',
  'skip': 'Hoppa till huvudinnehållet',
  'lang.nav': 'Språk',
  'footer.about': 'Networking Europe är ett projekt inom Europeiska socialfonden som drivs av Sensus Stockholm-Gotland tillsammans med offentliga och ideella partner i Stockholmsregionen.',
  'footer.privacy': 'Integritetspolicy',
  'footer.events': 'Alla evenemang',
  'footer.organisers': 'För arrangörer',
  'common.loading': 'Laddar…',
  'common.required': '(obligatoriskt)',
  'common.optional': '(frivilligt)',
  'common.back': 'Tillbaka till alla evenemang',
  'common.network_error': 'Det gick inte att nå servern. Kontrollera din anslutning och försök igen.',
  'common.server_error': 'Något gick fel hos oss. Försök igen senare.',
  'common.rate_limited': (p) => `För många försök. Vänta${p.seconds ? ` ${p.seconds} sekunder` : ' en stund'} och försök igen.`,
  'common.opens_new_tab': '(öppnas i en ny flik)',

  'index.title': 'Kommande evenemang – Networking Europe',
  'index.h1': 'Kommande evenemang',
  'index.intro': 'Seminarier, nätverksmöten, partnersökningsforum och studiebesök om transnationellt samarbete. Anmälan är kostnadsfri och kräver inget konto.',
  'index.filters': 'Filtrera evenemang',
  'index.filter.kind': 'Typ av evenemang',
  'index.filter.topic': 'Seminarietema',
  'index.filter.focus': 'Fokusområde',
  'index.filter.all': 'Alla',
  'index.filter.reset': 'Visa alla evenemang',
  'index.count': (p) => p.n === 0 ? 'Inga evenemang matchar ditt val.' : `${p.n} evenemang visas.`,
  'index.none': 'Det finns inga kommande evenemang just nu. Välkommen tillbaka senare.',
  'index.error': 'Evenemangen kunde inte hämtas.',
  'index.when': 'När',
  'index.where': 'Var',
  'index.seats': 'Platser',
  'index.read_more': (p) => `Information och anmälan: ${p.title}`,

  'seats.left': (p) => `${p.n} ${plural(p.n, 'plats', 'platser')} kvar`,
  'seats.unlimited': 'Öppen – inget platstak',
  'seats.full': 'Fullt – ställ dig på väntelistan',
  'seats.waitlist': (p) => `Väntelista (${p.n} väntar) – ställ dig på väntelistan`,
  'seats.closed': 'Anmälan stängd',
  'seats.cancelled': 'Inställt',
  'place.online': 'Plats meddelas senare',

  'event.title': 'Evenemang – Networking Europe',
  'event.unavailable': 'Evenemanget är inte tillgängligt',
  'event.missing_id': 'Inget evenemang valdes. Gå tillbaka till listan över evenemang.',
  'event.not_found': 'Vi hittade inte evenemanget. Det kan ha tagits bort eller ännu inte publicerats.',
  'event.error': 'Evenemanget kunde inte hämtas.',
  'event.when': 'När',
  'event.where': 'Var',
  'event.language': 'Språk',
  'event.seats': 'Platser',
  'event.topic': 'Tema',
  'event.focus_area': 'Fokusområde',
  'event.network': 'Nätverk',
  'event.about': 'Om evenemanget',
  'event.accessibility': 'Tillgänglighet i lokalen',
  'event.accessibility.none': 'Lokalen har inte angett någon tillgänglighet. Berätta nedan vad du behöver så försöker vi ordna det.',
  'event.accessibility.intro': 'Lokalen erbjuder:',
  'event.cancelled': 'Evenemanget är inställt.',
  'event.register': 'Anmälan',
  'event.register.intro': 'Fält märkta (obligatoriskt) måste fyllas i. Du får en biljett med QR-kod och en personlig länk där du kan ändra eller avboka din anmälan.',
  'event.register.waitlist_intro': 'Evenemanget är fullt. Om du anmäler dig hamnar du på väntelistan och får automatiskt en plats, i tur och ordning, när någon avbokar.',
  'event.register.closed': 'Anmälan till evenemanget är stängd.',
  'event.submit': 'Anmäl mig',
  'event.submit.waitlist': 'Ställ mig på väntelistan',
  'event.sending': 'Skickar din anmälan…',
  'event.conflict.duplicate': 'E-postadressen är redan anmäld till evenemanget. Använd den personliga länk du fick för att se eller ändra din anmälan.',
  'event.conflict.closed': 'Anmälan är inte möjlig: evenemanget är stängt för anmälan, inställt eller inte publicerat.',
  'event.conflict.title': 'Anmälan inte möjlig',

  'form.errors.title': 'Något behöver rättas',
  'form.errors.intro': 'Rätta följande:',
  'field.name': 'Namn',
  'field.email': 'E-post',
  'field.email.hint': 'Hit skickar vi din biljett och din personliga länk.',
  'field.organisation': 'Organisation',
  'field.organisation_type': 'Typ av organisation',
  'field.organisation_type.choose': 'Välj…',
  'field.location': 'Var finns din organisation?',
  'field.location.sweden': 'I Sverige',
  'field.location.abroad': 'Utanför Sverige',
  'field.municipality': 'Kommun',
  'field.municipality.hint': 'Till exempel Solna eller Södertälje. Listan föreslår kommunerna i Stockholms län.',
  'field.country': 'Land',
  'field.gender': 'Kön',
  'field.gender.hint': 'Används bara till den anonyma statistik som Europeiska socialfonden efterfrågar.',
  'field.accessibility_needs': 'Behov av tillgänglighet',
  'field.accessibility_needs.hint': 'Kryssa i det du behöver för att kunna delta på lika villkor.',
  'field.accessibility_needs.offered': '(finns i lokalen)',
  'field.accessibility_note': 'Mer om dina behov',
  'field.accessibility_note.hint': 'Till exempel vilken allergi, eller något annat behov vi bör känna till.',
  'field.dietary': 'Matpreferenser',
  'field.dietary.hint': 'Till exempel vegetariskt eller glutenfritt.',
  'field.consent': 'Jag godkänner att Networking Europe behandlar mina uppgifter enligt',
  'field.consent.link': 'integritetspolicyn',
  'field.consent.short': 'Samtycke',
  'field.language': 'Språk',
  'field.event': 'Evenemang',

  'ticket.title': 'Din biljett – Networking Europe',
  'ticket.h1.confirmed': 'Du är anmäld',
  'ticket.h1.waitlisted': 'Du står på väntelistan',
  'ticket.h1.cancelled': 'Din anmälan är avbokad',
  'ticket.h1.erased': 'Dina personuppgifter är raderade',
  'ticket.h1.default': 'Din biljett',
  'ticket.status': 'Status',
  'ticket.confirmed_text': 'Din plats är bekräftad. Visa QR-koden eller biljettkoden vid entrén.',
  'ticket.waitlisted_text': (p) => `Du är nummer ${p.n} på väntelistan. Du får automatiskt en plats när någon avbokar, och vi mejlar dig.`,
  'ticket.waitlisted_text_nopos': 'Du får automatiskt en plats när någon avbokar, och vi mejlar dig.',
  'ticket.cancelled_text': 'Anmälan är avbokad. Du kan anmäla dig igen från evenemangets sida så länge anmälan är öppen.',
  'ticket.erased_text': 'Dina personuppgifter är borttagna. Bara anonym statistik finns kvar.',
  'ticket.code': 'Biljettkod',
  'ticket.qr_alt': (p) => `QR-kod för biljettkod ${p.code}`,
  'ticket.event': 'Evenemang',
  'ticket.participant': 'Deltagare',
  'ticket.print': 'Skriv ut biljett',
  'ticket.ics': 'Lägg till i kalendern (.ics)',
  'ticket.manage.h2': 'Din personliga länk',
  'ticket.manage.text': 'Spara länken. Med den kan du se, ändra eller avboka din anmälan och radera dina personuppgifter. Den som har länken kan göra detsamma, så dela den inte.',
  'ticket.manage.label': 'Personlig länk',
  'ticket.manage.copy': 'Kopiera länken',
  'ticket.manage.copied': 'Länken är kopierad.',
  'ticket.manage.copy_failed': 'Det gick inte att kopiera automatiskt. Markera länken och kopiera den själv.',
  'ticket.manage.open': 'Ändra eller avboka din anmälan',
  'ticket.no_token': 'Länken är ofullständig: den saknar anmälningsnyckel. Använd hela länken från ditt mejl.',
  'ticket.not_found': 'Vi hittade inte anmälan. Länken kan vara ofullständig, eller så har uppgifterna raderats.',
  'ticket.error': 'Anmälan kunde inte hämtas.',

  'manage.title': 'Din anmälan – Networking Europe',
  'manage.h1': 'Din anmälan',
  'manage.event': 'Evenemang',
  'manage.status': 'Status',
  'manage.code': 'Biljettkod',
  'manage.show_ticket': 'Visa biljetten',
  'manage.details.h2': 'Dina uppgifter',
  'manage.details.intro': 'Ändra det som är fel och spara.',
  'manage.save': 'Spara ändringarna',
  'manage.saving': 'Sparar…',
  'manage.saved': 'Dina ändringar är sparade.',
  'manage.cancel.h2': 'Avboka din anmälan',
  'manage.cancel.text': 'Om du inte kan komma, avboka gärna så att någon på väntelistan får din plats.',
  'manage.cancel.button': 'Avboka anmälan',
  'manage.cancel.confirm.h': 'Avboka din anmälan?',
  'manage.cancel.confirm.text': 'Din plats går till nästa person på väntelistan. Det går inte att ångra.',
  'manage.cancel.confirm.yes': 'Ja, avboka min anmälan',
  'manage.cancel.confirm.no': 'Nej, behåll den',
  'manage.cancelled': 'Din anmälan är avbokad.',
  'manage.erase.h2': 'Radera dina personuppgifter',
  'manage.erase.text': 'Det här tar bort ditt namn, din e-post, din organisations namn och dina behov för gott. Anonym statistik (evenemang, typ av organisation, om du kommer från regionen, kön, närvaro) finns kvar. Därefter visar den personliga länken inte längre dina uppgifter.',
  'manage.erase.button': 'Radera mina personuppgifter',
  'manage.erase.confirm.h': 'Radera dina personuppgifter?',
  'manage.erase.confirm.text': 'Anmälan avbokas om den är aktiv, och dina personuppgifter tas bort. Det går inte att ångra.',
  'manage.erase.confirm.yes': 'Ja, radera mina uppgifter',
  'manage.erase.confirm.no': 'Nej, behåll dem',
  'manage.erased': 'Dina personuppgifter är raderade.',
  'manage.erased_state': 'Personuppgifterna i den här anmälan är raderade. Bara anonym statistik finns kvar.',
  'manage.readonly_cancelled': 'Anmälan är avbokad och kan inte längre ändras. Du kan fortfarande radera dina personuppgifter.',
  'manage.action_failed': 'Det gick inte.',

  'privacy.title': 'Integritetspolicy – Networking Europe',
  'privacy.h1': 'Integritetspolicy',

  'status.confirmed': 'Bekräftad',
  'status.waitlisted': 'På väntelistan',
  'status.cancelled': 'Avbokad',
  'status.waitlist_position': (p) => `På väntelistan, nummer ${p.n}`,
};

// Labels of the enum values of DOMAIN.md. The lists themselves come from /api/v1/config; a value that is
// configured but has no label here is shown in a readable form of its code.
const enums = {
  en: {
    kind: { seminar: 'Seminar', network_meeting: 'Network meeting', partner_search_forum: 'Partner-search forum',
      network_event: 'Network event', study_visit: 'Study visit' },
    topic: { running_esf_across_borders: 'Running ESF projects across borders', project_management: 'Project management',
      budgeting: 'Budgeting', culture: 'Culture', eu_knowledge: 'EU knowledge' },
    focus_area: { poverty_social_exclusion: 'Poverty and social exclusion', roma: 'Roma inclusion',
      employment_mobility: 'Employment and mobility', social_innovation_entrepreneurship: 'Social innovation and entrepreneurship' },
    network: { euroma: 'EURoma', baltic_sea: 'Baltic Sea Network' },
    organisation_type: { public: 'Public sector', private: 'Private company', non_profit: 'Non-profit organisation',
      user_organisation: 'User organisation (for example a disability or Roma association)' },
    gender: { woman: 'Woman', man: 'Man', non_binary: 'Non-binary', undisclosed: 'Prefer not to say' },
    need: { hearing_loop: 'Hearing loop', sign_language_interpreter: 'Sign language interpreter',
      step_free_access: 'Step-free access', personal_assistant: 'Personal assistant', easy_read: 'Easy-read material',
      large_print: 'Large print', allergy: 'Allergy (describe below)', other: 'Other need (describe below)' },
    language: { sv: 'Swedish', en: 'English' },
  },
  sv: {
    kind: { seminar: 'Seminarium', network_meeting: 'Nätverksmöte', partner_search_forum: 'Partnersökningsforum',
      network_event: 'Nätverksevenemang', study_visit: 'Studiebesök' },
    topic: { running_esf_across_borders: 'Att driva ESF-projekt över gränser', project_management: 'Projektledning',
      budgeting: 'Budgetering', culture: 'Kultur', eu_knowledge: 'EU-kunskap' },
    focus_area: { poverty_social_exclusion: 'Fattigdom och social utestängning', roma: 'Romsk inkludering',
      employment_mobility: 'Sysselsättning och rörlighet', social_innovation_entrepreneurship: 'Social innovation och socialt entreprenörskap' },
    network: { euroma: 'EURoma', baltic_sea: 'Östersjönätverket' },
    organisation_type: { public: 'Offentlig sektor', private: 'Privat företag', non_profit: 'Ideell organisation',
      user_organisation: 'Brukarorganisation (till exempel en funktionsrätts- eller romsk förening)' },
    gender: { woman: 'Kvinna', man: 'Man', non_binary: 'Icke-binär', undisclosed: 'Vill inte uppge' },
    need: { hearing_loop: 'Hörslinga', sign_language_interpreter: 'Teckenspråkstolk',
      step_free_access: 'Tillgängligt utan trappsteg', personal_assistant: 'Personlig assistent', easy_read: 'Lättläst material',
      large_print: 'Storstil', allergy: 'Allergi (beskriv nedan)', other: 'Annat behov (beskriv nedan)' },
    language: { sv: 'Svenska', en: 'Engelska' },
  },
};

const STRINGS = { en, sv };

/**
 * Adds a family of pages' own strings, {en: {key: text}, sv: {key: text}} (e.g. the organisers' pages in
 * web/admin/). Call it before initI18n(); keys should carry their own prefix so they never replace shared ones.
 */
export function addStrings(tables) {
  for (const code of LANGUAGES) Object.assign(STRINGS[code], (tables && tables[code]) || {});
}

function initialLanguage() {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (LANGUAGES.includes(stored)) return stored;
  } catch { /* storage may be disabled */ }
  const nav = (navigator.language || '').toLowerCase();
  return nav.startsWith('sv') ? 'sv' : 'en';
}

let current = initialLanguage();
const listeners = [];

/** The current language code, 'sv' or 'en'. */
export function lang() { return current; }

/** The BCP 47 locale used for Intl formatting. */
export function locale() { return current === 'sv' ? 'sv-SE' : 'en-GB'; }

/** The translation of key, with {params} for strings that need them. Unknown keys show as themselves. */
export function t(key, params = {}) {
  const s = STRINGS[current][key] ?? STRINGS.en[key];
  if (s === undefined) return key;
  return typeof s === 'function' ? s(params) : s;
}

/** True when a translation exists for key. */
export function has(key) { return key in STRINGS[current] || key in STRINGS.en; }

/** The label of an enum value (group: kind, topic, focus_area, network, organisation_type, gender, need, language). */
export function label(group, value) {
  if (value === null || value === undefined || value === '') return '';
  const found = enums[current][group]?.[value] ?? enums.en[group]?.[value];
  if (found) return found;
  const words = String(value).replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Translates the static markup under root and sets <html lang>. */
export function applyTranslations(root = document) {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((x) => x.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
  for (const el of root.querySelectorAll('[data-i18n-enum]')) {
    const [group, value] = el.dataset.i18nEnum.split(':');
    el.textContent = label(group, value);
  }
  // Blocks written out in both languages (the privacy notice): show the current one only.
  for (const el of root.querySelectorAll('[data-lang-only]')) {
    el.hidden = el.dataset.langOnly !== current;
  }
  for (const btn of document.querySelectorAll('[data-set-lang]')) {
    btn.setAttribute('aria-pressed', String(btn.dataset.setLang === current));
  }
}

/** Calls fn after every language switch (not at start). */
export function onLanguageChange(fn) { listeners.push(fn); }

/** Switches the language, remembers it and re-renders. */
export function setLanguage(code) {
  if (!LANGUAGES.includes(code) || code === current) return;
  current = code;
  try { localStorage.setItem(STORAGE_KEY, code); } catch { /* storage may be disabled */ }
  applyTranslations();
  for (const fn of listeners) fn(code);
}

/** Wires the language buttons (<button data-set-lang="sv">) and translates the page once. */
export function initI18n() {
  for (const btn of document.querySelectorAll('[data-set-lang]')) {
    btn.addEventListener('click', () => setLanguage(btn.dataset.setLang));
  }
  applyTranslations();
}
