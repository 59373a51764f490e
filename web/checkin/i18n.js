// The check-in app's own strings in Swedish and English, and the language choice.

const STRINGS = {
  en: {
    pageTitle: 'Door check-in – eventd',
    appName: 'Door check-in',
    skip: 'Skip to the main content',
    language: 'Language',
    signOut: 'Sign out',
    loading: 'Loading…',

    signInTitle: 'Sign in',
    signInIntro: 'For the project’s organisers. Sign in with your eventd account.',
    email: 'E-mail',
    password: 'Password',
    signInButton: 'Sign in',
    signInFailed: 'Wrong e-mail or password.',
    tooManyAttempts: 'Too many attempts. Try again in a while.',
    signInOffline: 'There is no connection, so you cannot sign in right now.',
    sessionExpired: 'Your session has ended. Please sign in again.',

    forbiddenTitle: 'You may not check in',
    forbiddenText: 'You are signed in as {name}, a member of the steering group. The steering group has read-only access: it may follow attendance on the dashboard but may not check people in or register walk-ins. Ask an organiser or an admin.',
    forbiddenOther: 'Your account ({name}) may not check people in. Ask an organiser or an admin.',

    pickEvent: 'Choose the event',
    today: 'Today',
    upcoming: 'Upcoming',
    earlier: 'Earlier events',
    noEventsToday: 'No event today.',
    noEventsUpcoming: 'No upcoming events.',
    draft: 'Draft',
    reloadEvents: 'Update the list',
    eventsOffline: 'No connection: showing the list saved on this device.',
    eventsFailed: 'The events could not be loaded ({status}).',

    changeEvent: 'Change event',
    countsLabel: 'Attendance',
    checkedIn: 'Checked in',
    confirmed: 'Confirmed',
    walkIns: 'Walk-ins',
    listUpdated: 'Door list updated {time}.',
    listNotLoaded: 'The door list is not on this device yet.',

    codeLabel: 'Ticket code or name',
    codeHint: 'Scan or type the 8-character code and press Enter, or search by name or organisation.',
    checkInButton: 'Check in',
    matchesLabel: 'Matching tickets',
    matches: { one: '1 match. Use the down arrow to reach it.', other: '{n} matches. Use the down arrow to reach them.' },
    noMatches: 'No matches.',
    notACode: '“{text}” is not a complete ticket code. A code has 8 characters; or pick a name from the list.',
    checkInName: 'Check in {name}',

    resultIdle: 'Ready. Scan a ticket.',
    admitted: 'Admitted',
    admittedOverride: 'Admitted by exception',
    admittedWalkIn: 'Walk-in admitted',
    already: 'Already checked in at {time}',
    alreadyNoTime: 'Already checked in',
    unknown: 'Unknown ticket',
    cancelled: 'Cancelled',
    waitlisted: 'Waitlisted',
    notAdmitted: 'Not admitted',
    unknownNote: 'No ticket {code} for this event.',
    unknownLocalNote: 'Ticket {code} is not in the list on this device. It may be new: admit anyway, and the server checks it when the connection returns.',
    cancelledNote: 'This registration was cancelled.',
    waitlistedNote: 'This person is on the waiting list and has no confirmed place.',
    savedOffline: 'No connection: saved on this device and sent when the connection returns.',
    admitAnyway: 'Admit anyway',
    undo: 'Undo',
    undone: 'Check-in undone',
    undoneNote: '{name} is no longer checked in.',
    undoQueued: 'The undo is sent when the connection returns.',
    walkInBadge: 'Walk-in',
    checkedInAt: 'Checked in {time}',

    offline: 'No connection. Checking in from the list on this device.',
    pending: { one: '1 scan waiting to be sent', other: '{n} scans waiting to be sent' },
    sending: 'Sending…',
    allSent: 'All scans have been sent.',
    sendFailed: 'The scans could not be sent yet ({status}); trying again soon.',

    conflictsTitle: 'Scans the server did not accept',
    conflictsIntro: 'These people were admitted while offline, but the server answered differently. Check with them.',
    conflictLine: '{name} ({code}), scanned {time}: {reason}',
    dismiss: 'Dismiss',

    cameraTitle: 'Camera',
    startCamera: 'Start camera',
    stopCamera: 'Stop camera',
    cameraHint: 'Hold the ticket’s QR code in front of the camera.',
    cameraOn: 'Camera on, reading QR codes.',
    cameraUnsupported: 'This browser cannot use a camera here. Type the code or use a barcode scanner.',
    cameraFailed: 'The camera could not be started: {reason}',
    cameraDenied: 'Access to the camera was refused. Allow it in the browser settings.',
    cameraNone: 'No camera found.',
    videoLabel: 'Camera picture',

    sound: 'Sound on results',

    walkInTitle: 'Register a walk-in',
    walkInIntro: 'For a person without a registration. They are registered as confirmed and checked in at once.',
    name: 'Name',
    organisation: 'Organisation',
    organisationType: 'Type of organisation',
    municipality: 'Municipality',
    municipalityHint: 'The municipality the person’s organisation works in.',
    country: 'Country, when the organisation is abroad',
    municipalityOrCountry: 'Enter the municipality, or the country when the organisation is abroad.',
    choose: 'Choose…',
    orgTypes: {
      public: 'Public sector',
      private: 'Private company',
      non_profit: 'Non-profit organisation',
      user_organisation: 'User organisation',
    },
    consent: 'The person agrees that their data is used to run and report this event, as the privacy notice describes.',
    registerWalkIn: 'Register and check in',
    required: 'Required.',
    badEmail: 'Enter an e-mail address such as name@example.org.',
    consentRequired: 'The person’s consent is required.',
    fixFields: 'Please correct the marked fields.',
    walkInOffline: 'Walk-ins need a connection. Try again when it returns.',
    walkInDuplicate: 'This e-mail address already has a registration for the event. Search for the name instead.',
    walkInClosed: 'The server refused the walk-in: {detail}',

    notAllowed: 'Your account may not do this.',
    serverError: 'The server answered with an error ({status}). Try again.',
    networkError: 'No connection.',

    recordAfterwards: 'Record attendance afterwards',
    toDoor: 'Door check-in',
    attIntro: 'Tick each person who attended. The date below is recorded with every tick; unticking removes the attendance after you confirm.',
    attDate: 'Date attended',
    attDateHint: 'The event started on {date}. Ticks and added attendees are recorded on the date chosen here.',
    attDateMissing: 'Choose the date of the attendance first.',
    attDateFuture: 'The date cannot be in the future.',
    attCount: '{n} of {m} attended',
    attListTitle: 'Registrations',
    attFilter: 'Find a name or organisation',
    attShown: { one: '1 of {m} registrations shown.', other: '{n} of {m} registrations shown.' },
    attLoading: 'Loading the registrations…',
    attNone: 'No registrations. Add the attendees with the form below.',
    attNoMatch: 'No registration matches.',
    attLoadFailed: 'The registrations could not be loaded ({status}).',
    attLoadOffline: 'No connection: the registrations could not be loaded. Try again when the connection returns.',
    reloadList: 'Update the list',
    attStatus: { confirmed: 'Confirmed', waitlisted: 'Waitlisted', cancelled: 'Cancelled' },
    attAttendedOn: 'Attended {date}',
    attErased: 'Erased registration',
    attRecorded: 'Recorded: {name} attended on {date}. {count}.',
    attAlready: '{name} was already recorded as attended on {date}. {count}.',
    attRemoved: 'Removed: {name} is no longer recorded as attended. {count}.',
    attAdded: 'Added: {name} attended on {date}. {count}.',
    attConfirmRemove: 'Remove the attendance of {name} ({date})?',
    attConfirmForce: 'The registration of {name} is {status}. Record the attendance anyway?',
    attRefused: 'Not recorded for {name}: {detail}',
    attUnknown: '{name} is no longer registered for this event. Update the list.',
    attNetwork: 'No connection: nothing was changed for {name}. Try again when the connection returns.',
    attFailed: 'The change for {name} failed: {detail}',
    attAddTitle: 'Add attendee',
    attAddIntro: 'For a person who attended without a registration. They are registered as confirmed and recorded as attended on the date chosen above.',
    attAddSubmit: 'Add as attended',
    attAddDuplicate: 'This e-mail address already has a registration for the event: tick the name in the list instead.',
    attAddOffline: 'Adding an attendee needs a connection. Try again when it returns.',
    attAddRefused: 'The server did not add the attendee: {detail}',
  },
  sv: {
    pageTitle: 'Incheckning – eventd',
    appName: 'Incheckning',
    skip: 'Hoppa till huvudinnehållet',
    language: 'Språk',
    signOut: 'Logga ut',
    loading: 'Hämtar…',

    signInTitle: 'Logga in',
    signInIntro: 'För projektets arrangörer. Logga in med ditt eventd-konto.',
    email: 'E-post',
    password: 'Lösenord',
    signInButton: 'Logga in',
    signInFailed: 'Fel e-postadress eller lösenord.',
    tooManyAttempts: 'För många försök. Försök igen om en stund.',
    signInOffline: 'Det finns ingen anslutning, så du kan inte logga in just nu.',
    sessionExpired: 'Din inloggning har gått ut. Logga in igen.',

    forbiddenTitle: 'Du får inte checka in',
    forbiddenText: 'Du är inloggad som {name}, ledamot i styrgruppen. Styrgruppen har bara läsbehörighet: den kan följa närvaron på översikten men får inte checka in deltagare eller registrera deltagare på plats. Be en arrangör eller administratör.',
    forbiddenOther: 'Ditt konto ({name}) får inte checka in deltagare. Be en arrangör eller administratör.',

    pickEvent: 'Välj evenemang',
    today: 'I dag',
    upcoming: 'Kommande',
    earlier: 'Tidigare evenemang',
    noEventsToday: 'Inget evenemang i dag.',
    noEventsUpcoming: 'Inga kommande evenemang.',
    draft: 'Utkast',
    reloadEvents: 'Uppdatera listan',
    eventsOffline: 'Ingen anslutning: visar listan som finns sparad på enheten.',
    eventsFailed: 'Evenemangen kunde inte hämtas ({status}).',

    changeEvent: 'Byt evenemang',
    countsLabel: 'Närvaro',
    checkedIn: 'Incheckade',
    confirmed: 'Bekräftade',
    walkIns: 'Anmälda på plats',
    listUpdated: 'Deltagarlistan uppdaterad {time}.',
    listNotLoaded: 'Deltagarlistan finns inte på enheten än.',

    codeLabel: 'Biljettkod eller namn',
    codeHint: 'Skanna eller skriv den 8 tecken långa koden och tryck Enter, eller sök på namn eller organisation.',
    checkInButton: 'Checka in',
    matchesLabel: 'Biljetter som matchar',
    matches: { one: '1 träff. Nå den med nedåtpilen.', other: '{n} träffar. Nå dem med nedåtpilen.' },
    noMatches: 'Inga träffar.',
    notACode: '”{text}” är inte en hel biljettkod. En kod har 8 tecken; eller välj ett namn i listan.',
    checkInName: 'Checka in {name}',

    resultIdle: 'Redo. Skanna en biljett.',
    admitted: 'Incheckad',
    admittedOverride: 'Incheckad som undantag',
    admittedWalkIn: 'Incheckad på plats',
    already: 'Redan incheckad kl. {time}',
    alreadyNoTime: 'Redan incheckad',
    unknown: 'Okänd biljett',
    cancelled: 'Avbokad',
    waitlisted: 'På väntelistan',
    notAdmitted: 'Inte incheckad',
    unknownNote: 'Det finns ingen biljett {code} till det här evenemanget.',
    unknownLocalNote: 'Biljett {code} finns inte i listan på enheten. Den kan vara ny: släpp in ändå, så kontrollerar servern den när anslutningen är tillbaka.',
    cancelledNote: 'Anmälan är avbokad.',
    waitlistedNote: 'Personen står på väntelistan och har ingen bekräftad plats.',
    savedOffline: 'Ingen anslutning: sparad på enheten och skickas när anslutningen är tillbaka.',
    admitAnyway: 'Släpp in ändå',
    undo: 'Ångra',
    undone: 'Incheckningen ångrad',
    undoneNote: '{name} är inte längre incheckad.',
    undoQueued: 'Ångringen skickas när anslutningen är tillbaka.',
    walkInBadge: 'På plats',
    checkedInAt: 'Incheckad {time}',

    offline: 'Ingen anslutning. Incheckning sker mot listan på enheten.',
    pending: { one: '1 skanning väntar på att skickas', other: '{n} skanningar väntar på att skickas' },
    sending: 'Skickar…',
    allSent: 'Alla skanningar är skickade.',
    sendFailed: 'Skanningarna kunde inte skickas än ({status}); nytt försök snart.',

    conflictsTitle: 'Skanningar som servern inte godtog',
    conflictsIntro: 'De här personerna släpptes in utan anslutning, men servern svarade annorlunda. Stäm av med dem.',
    conflictLine: '{name} ({code}), skannad {time}: {reason}',
    dismiss: 'Stäng',

    cameraTitle: 'Kamera',
    startCamera: 'Starta kameran',
    stopCamera: 'Stoppa kameran',
    cameraHint: 'Håll biljettens QR-kod framför kameran.',
    cameraOn: 'Kameran är på och läser QR-koder.',
    cameraUnsupported: 'Den här webbläsaren kan inte använda en kamera här. Skriv koden eller använd en streckkodsläsare.',
    cameraFailed: 'Kameran kunde inte startas: {reason}',
    cameraDenied: 'Åtkomst till kameran nekades. Tillåt den i webbläsarens inställningar.',
    cameraNone: 'Ingen kamera hittades.',
    videoLabel: 'Kamerabild',

    sound: 'Ljud vid svar',

    walkInTitle: 'Registrera deltagare på plats',
    walkInIntro: 'För en person utan anmälan. Personen registreras som bekräftad och checkas in direkt.',
    name: 'Namn',
    organisation: 'Organisation',
    organisationType: 'Typ av organisation',
    municipality: 'Kommun',
    municipalityHint: 'Kommunen där personens organisation verkar.',
    country: 'Land, om organisationen finns utomlands',
    municipalityOrCountry: 'Ange kommunen, eller landet om organisationen finns utomlands.',
    choose: 'Välj…',
    orgTypes: {
      public: 'Offentlig sektor',
      private: 'Privat företag',
      non_profit: 'Ideell organisation',
      user_organisation: 'Brukarorganisation',
    },
    consent: 'Personen samtycker till att uppgifterna används för att genomföra och redovisa evenemanget, så som integritetsmeddelandet beskriver.',
    registerWalkIn: 'Registrera och checka in',
    required: 'Obligatoriskt.',
    badEmail: 'Ange en e-postadress, till exempel namn@example.org.',
    consentRequired: 'Personens samtycke krävs.',
    fixFields: 'Rätta de markerade fälten.',
    walkInOffline: 'Registrering på plats kräver anslutning. Försök igen när den är tillbaka.',
    walkInDuplicate: 'E-postadressen har redan en anmälan till evenemanget. Sök på namnet i stället.',
    walkInClosed: 'Servern godtog inte registreringen: {detail}',

    notAllowed: 'Ditt konto får inte göra det här.',
    serverError: 'Servern svarade med ett fel ({status}). Försök igen.',
    networkError: 'Ingen anslutning.',

    recordAfterwards: 'Registrera närvaro i efterhand',
    toDoor: 'Incheckning vid dörren',
    attIntro: 'Bocka för varje person som deltog. Datumet nedan registreras med varje bock; tar du bort en bock tas närvaron bort när du har bekräftat.',
    attDate: 'Datum för närvaron',
    attDateHint: 'Evenemanget började {date}. Bockar och tillagda deltagare registreras med datumet som väljs här.',
    attDateMissing: 'Välj först datumet för närvaron.',
    attDateFuture: 'Datumet kan inte ligga i framtiden.',
    attCount: '{n} av {m} deltog',
    attListTitle: 'Anmälningar',
    attFilter: 'Sök namn eller organisation',
    attShown: { one: '1 av {m} anmälningar visas.', other: '{n} av {m} anmälningar visas.' },
    attLoading: 'Hämtar anmälningarna…',
    attNone: 'Inga anmälningar. Lägg till deltagarna med formuläret nedan.',
    attNoMatch: 'Ingen anmälan matchar.',
    attLoadFailed: 'Anmälningarna kunde inte hämtas ({status}).',
    attLoadOffline: 'Ingen anslutning: anmälningarna kunde inte hämtas. Försök igen när anslutningen är tillbaka.',
    reloadList: 'Uppdatera listan',
    attStatus: { confirmed: 'Bekräftad', waitlisted: 'På väntelistan', cancelled: 'Avbokad' },
    attAttendedOn: 'Deltog {date}',
    attErased: 'Raderad anmälan',
    attRecorded: 'Registrerat: {name} deltog {date}. {count}.',
    attAlready: '{name} var redan registrerad som deltagare {date}. {count}.',
    attRemoved: 'Borttaget: {name} är inte längre registrerad som deltagare. {count}.',
    attAdded: 'Tillagd: {name} deltog {date}. {count}.',
    attConfirmRemove: 'Ta bort närvaron för {name} ({date})?',
    attConfirmForce: 'Anmälan för {name} är {status}. Registrera närvaron ändå?',
    attRefused: 'Inte registrerat för {name}: {detail}',
    attUnknown: '{name} är inte längre anmäld till evenemanget. Uppdatera listan.',
    attNetwork: 'Ingen anslutning: inget ändrades för {name}. Försök igen när anslutningen är tillbaka.',
    attFailed: 'Ändringen för {name} misslyckades: {detail}',
    attAddTitle: 'Lägg till deltagare',
    attAddIntro: 'För en person som deltog utan anmälan. Personen registreras som bekräftad och som deltagare det datum som valts ovan.',
    attAddSubmit: 'Lägg till som deltagare',
    attAddDuplicate: 'E-postadressen har redan en anmälan till evenemanget: bocka för namnet i listan i stället.',
    attAddOffline: 'Att lägga till en deltagare kräver anslutning. Försök igen när den är tillbaka.',
    attAddRefused: 'Servern lade inte till deltagaren: {detail}',
  },
};

export const LANGUAGES = ['sv', 'en'];
const KEY = 'eventd.checkin.lang';

let current = pickDefault();

function pickDefault() {
  try {
    const saved = localStorage.getItem(KEY);
    if (LANGUAGES.includes(saved)) return saved;
  } catch { /* storage blocked */ }
  const prefs = navigator.languages?.length ? navigator.languages : [navigator.language || 'en'];
  for (const p of prefs) {
    const base = String(p).toLowerCase().split('-')[0];
    if (base === 'sv') return 'sv';
    if (base === 'en') return 'en';
    // Norwegian and Danish readers usually read Swedish more easily than English.
    if (['nb', 'nn', 'no', 'da'].includes(base)) return 'sv';
  }
  return 'en';
}

export function lang() { return current; }

export function setLang(l) {
  if (!LANGUAGES.includes(l)) return;
  current = l;
  try { localStorage.setItem(KEY, l); } catch { /* storage blocked */ }
  document.documentElement.lang = l;
}

/** The string `key` (dotted for nested tables) with {name} placeholders filled; plural tables take {n}. */
export function t(key, vars = {}) {
  let v = lookup(STRINGS[current], key) ?? lookup(STRINGS.en, key) ?? key;
  if (v && typeof v === 'object' && 'n' in vars) {
    v = new Intl.PluralRules(current).select(vars.n) === 'one' ? v.one : v.other;
  }
  return String(v).replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

function lookup(table, key) {
  return key.split('.').reduce((o, k) => (o == null ? undefined : o[k]), table);
}

/** Fills every [data-i18n] element's text and [data-i18n-attr="attr:key;attr:key"] attributes under root. */
export function translate(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key) el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
  document.title = t('pageTitle');
}

/** HH:MM in the current language (24-hour clock). */
export function formatTime(iso) {
  const d = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(current === 'sv' ? 'sv-SE' : 'en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
}

/** "Tue 1 Dec, 09:00–12:00" style, for the event list and header. */
export function formatWhen(startIso, endIso) {
  const s = new Date(startIso);
  if (Number.isNaN(s.getTime())) return '';
  const loc = current === 'sv' ? 'sv-SE' : 'en-GB';
  const day = new Intl.DateTimeFormat(loc, { weekday: 'short', day: 'numeric', month: 'short', year: s.getFullYear() === new Date().getFullYear() ? undefined : 'numeric' }).format(s);
  const e = endIso ? new Date(endIso) : null;
  const end = e && !Number.isNaN(e.getTime())
    ? (e.toDateString() === s.toDateString() ? formatTime(e) : new Intl.DateTimeFormat(loc, { day: 'numeric', month: 'short' }).format(e) + ' ' + formatTime(e))
    : '';
  return `${day}, ${formatTime(s)}${end ? '–' + end : ''}`;
}

const ZONE = 'Europe/Stockholm';

/** The calendar date (YYYY-MM-DD) of a moment in Stockholm, where the project's events are reported; '' when invalid. */
export function stockholmDate(when = new Date()) {
  const d = when instanceof Date ? when : new Date(when);
  if (Number.isNaN(d.getTime())) return '';
  const p = {};
  for (const x of new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(d)) p[x.type] = x.value;
  return `${p.year}-${p.month}-${p.day}`;
}

/** "10 March 2025" / "10 mars 2025" for a date YYYY-MM-DD; '' when it is not one. */
export function formatDay(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(ymd || ''));
  if (!m) return '';
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12));
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(current === 'sv' ? 'sv-SE' : 'en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }).format(d);
}
