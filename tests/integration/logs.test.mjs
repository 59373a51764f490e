// Logs carry no personal data and no credential: after a participant's and an organiser's whole journey (with mail
// delivery failing, so its error path logs too), no name, address, organisation, token, ticket or password used
// appears anywhere in the server's stdout or stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn } from '../support/server.mjs';
import { ongoingEventBody, registrationBody } from '../support/fixtures.mjs';

/** The ways a string may be written into a log: as is, percent-encoded (a query string), JSON-escaped. */
function spellings(s) {
  const json = JSON.stringify(s).slice(1, -1).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [s, encodeURIComponent(s), encodeURIComponent(s).replace(/%20/g, '+'), json];
}

test('no name, address, token or password reaches the logs', { timeout: 60000 }, async () => {
  // Nothing listens on port 1: every message fails to send and is logged as such.
  const server = await startServer({ keepStdout: true, env: { EVENTD_SMTP_URL: 'smtp://127.0.0.1:1' } });
  const secrets = [];
  const remember = (...xs) => { for (const x of xs) if (x) secrets.push(String(x)); return xs[0]; };
  try {
    const api = client(server.url);
    const admin = await signIn(server.url);
    remember(admin);
    const tag = `q${process.pid}z`;

    // An organiser account, signed in, and a failed sign-in with a wrong password and an unknown address.
    const organiser = {
      email: remember(`ottilia.${tag}@logscan.example.org`), name: remember(`Ottilia Organiserdottir ${tag}`),
      role: 'organiser', password: remember(`organiser secret ${tag}`),
    };
    assert.equal((await api('POST', '/api/v1/users', organiser, { token: admin })).status, 201);
    const orgToken = remember(await signIn(server.url, organiser.email, organiser.password));
    assert.equal((await api('POST', '/api/v1/session', { email: organiser.email, password: remember(`wrong ${tag}`) })).status, 401);
    assert.equal((await api('POST', '/api/v1/session', { email: remember(`nobody.${tag}@logscan.example.org`), password: 'x' })).status, 401);

    const ev = await api('POST', '/api/v1/events', ongoingEventBody({ capacity: 1 }), { token: orgToken });
    assert.equal(ev.status, 201, ev.text);
    const eventId = ev.body.id;

    // Register, read and change by the private link, and a duplicate refused.
    const person = registrationBody({
      name: remember(`Zelda Quixotica ${tag}`), email: remember(`zelda.${tag}@logscan.example.org`),
      organisation: remember(`Logscan Förening ${tag}`), accessibility_note: remember(`needs a ramp ${tag}`),
    });
    const reg = await api('POST', `/api/v1/events/${eventId}/registrations`, person);
    assert.equal(reg.status, 201, reg.text);
    remember(reg.body.manage_token, reg.body.ticket_code);
    assert.equal((await api('POST', `/api/v1/events/${eventId}/registrations`, person)).status, 409);
    const mine = `/api/v1/my/registrations/${reg.body.manage_token}`;
    assert.equal((await api('GET', mine)).status, 200);
    const patched = await api('PATCH', mine, { name: remember(`Zelda Renamed ${tag}`), email: remember(`zelda.new.${tag}@logscan.example.org`) });
    assert.equal(patched.status, 200, patched.text);
    assert.equal((await api('GET', `${mine}/ticket.svg`)).status, 200);
    // A second person goes to the waitlist and is promoted when the first cancels... after being checked in and out.
    const second = registrationBody({ name: remember(`Wilhelmina Waitlist ${tag}`), email: remember(`wilma.${tag}@logscan.example.org`) });
    const reg2 = await api('POST', `/api/v1/events/${eventId}/registrations`, second);
    assert.equal(reg2.status, 201, reg2.text);
    remember(reg2.body.manage_token, reg2.body.ticket_code);

    // The organiser searches by address and name, checks in by ticket, undoes it, and takes a walk-in.
    for (const q of [`zelda.new.${tag}@logscan.example.org`, `Renamed ${tag}`]) {
      const found = await api('GET', `/api/v1/events/${eventId}/registrations?q=${encodeURIComponent(q)}`, undefined, { token: orgToken });
      assert.equal(found.status, 200, found.text);
      assert.equal(found.body.items.length, 1, `search ${q}`);
    }
    const scan = await api('POST', `/api/v1/events/${eventId}/checkins`, { ticket_code: reg.body.ticket_code, scan_id: remember(`scan-${tag}`) }, { token: orgToken });
    assert.equal(scan.status, 201, scan.text);
    assert.equal((await api('DELETE', `/api/v1/events/${eventId}/checkins/${reg.body.id}`, undefined, { token: orgToken })).status, 200);
    const walkIn = await api('POST', `/api/v1/events/${eventId}/walk-ins`,
      registrationBody({ name: remember(`Walter Walkin ${tag}`), email: remember(`walter.${tag}@logscan.example.org`) }), { token: orgToken });
    assert.equal(walkIn.status, 201, walkIn.text);
    assert.equal((await api('GET', `/api/v1/events/${eventId}/attendance.csv`, undefined, { token: orgToken })).status, 200);
    assert.equal((await api('GET', '/api/v1/reports/participants.csv', undefined, { token: admin })).status, 200);

    // Cancel (promoting the second), erase both, sign out.
    assert.equal((await api('DELETE', mine)).status, 200);
    assert.equal((await api('POST', `${mine}/erase`)).status, 200);
    assert.equal((await api('POST', `/api/v1/my/registrations/${reg2.body.manage_token}/erase`)).status, 200);
    assert.equal((await api('DELETE', '/api/v1/session', undefined, { token: orgToken })).status, 204);

    // Give the mail thread time to fail and log it, then stop so every line is flushed.
    for (let i = 0; i < 50 && !/smtp delivery failed/.test(server.stderr); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await server.stop()).code, 0);

    const log = server.stdout + server.stderr;
    const requestLines = log.split('\n').filter((l) => l.includes('"route"'));
    assert.ok(requestLines.length >= 20, `the request log was captured (${requestLines.length} lines)`);
    assert.match(server.stderr, /smtp delivery failed/, 'the mail error path ran');
    const lower = log.toLowerCase();
    const found = secrets.filter((x) => spellings(x).some((v) => lower.includes(v.toLowerCase())));
    // Also the local part of an address on its own, as a log might split it off.
    for (const x of secrets.filter((y) => y.includes('@'))) if (lower.includes(x.split('@')[0].toLowerCase())) found.push(`${x} (local part)`);
    assert.deepEqual(found, [], 'personal data or credentials in the log');
  } finally {
    await server.stop();
    server.cleanup();
  }
});
