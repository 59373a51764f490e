// The programme period (issue 8): a setting the report page and the dashboard preselect, and the demo's own period,
// in which every goal panel shows something real.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryPath, startServer, client, signIn, writeConfig } from '../support/server.mjs';
import { makeUser } from '../support/fixtures.mjs';

test('the programme period comes from the config file and is refused when it ends before it starts', async () => {
  const server = await startServer({ config: { goals: { programme_start: '2024-01-01', programme_end: '2025-12-31', forum_deadline: '2025-06-30' } } });
  try {
    const r = await client(server.url)('GET', '/api/v1/config');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.programme, { start: '2024-01-01', end: '2025-12-31', forum_deadline: '2025-06-30' });
  } finally {
    await server.stop();
    server.cleanup();
  }
  const plain = await startServer();
  try {
    const r = await client(plain.url)('GET', '/api/v1/config');
    assert.deepEqual(r.body.programme, { start: null, end: null, forum_deadline: '2013-12-31' }, 'unset: no period, the forum deadline of DOMAIN.md');
  } finally {
    await plain.stop();
    plain.cleanup();
  }
  const dir = mkdtempSync(join(tmpdir(), 'eventd-programme-'));
  try {
    for (const [goals, key] of [[{ programme_start: '2025-01-01', programme_end: '2024-12-31' }, 'goals.programme_end'],
      [{ programme_start: '2025-02-30' }, 'goals.programme_start'], [{ programme_end: 20251231 }, 'goals.programme_end']]) {
      const file = writeConfig(dir, { goals });
      const r = spawnSync(binaryPath(), ['--config', file, '--db', join(dir, 'x.db'), '--listen', '127.0.0.1:0'], { encoding: 'utf8', timeout: 20000 });
      assert.equal(r.status, 2, `${JSON.stringify(goals)}: exit ${r.status} ${r.stderr}`);
      assert.match(r.stderr, new RegExp(key.replace('.', '\\.')));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the demo covers a whole programme of its own: every goal panel has something real in its period', async () => {
  const server = await startServer({ demo: true });
  try {
    const api = client(server.url);
    const { programme } = (await api('GET', '/api/v1/config')).body;
    const day = (offsetDays) => new Date(Date.now() + offsetDays * 86400e3).toISOString().slice(0, 10);
    assert.ok(programme.start < day(-365) && programme.end > day(90), `a period around today: ${JSON.stringify(programme)}`);
    assert.equal(programme.forum_deadline, programme.end, 'the forum may be held until the programme ends');
    const admin = await signIn(server.url);
    const steering = (await makeUser(server.url, admin, 'steering')).token;
    const g = (await api('GET', `/api/v1/goals?from=${programme.start}&to=${programme.end}`, undefined, { token: steering })).body;
    assert.deepEqual(g.period, { from: programme.start, to: programme.end });
    assert.ok(g.representation.held_events >= 10, `network events held: ${g.representation.held_events}`);
    assert.equal(g.representation.unrepresented_events.length, g.representation.held_events - g.representation.represented_events);
    assert.ok(g.representation.unrepresented_events.length > 0, 'some held network events still lack the region (the list is not empty)');
    assert.ok(g.user_organisations.represented_events > 0);
    for (const [area, m] of Object.entries(g.network_meetings.by_focus_area)) assert.ok(m.held >= 1, `${area}: a meeting held`);
    assert.ok(g.partner_search_forums.held >= 1 && g.partner_search_forums.met, 'a forum held before the demo deadline');
    assert.ok(g.participation.unique_persons > 100 && g.participation.home_region > 0 && g.participation.other > 0);
    assert.ok(g.support.project_ideas >= 5 && g.support.average_hours_per_project > 0, `counselling: ${JSON.stringify(g.support)}`);
    assert.ok(g.evaluations.responses > 0 && g.evaluations.mean_usefulness !== null, `evaluations: ${JSON.stringify(g.evaluations)}`);
    // Every demo event lies in the programme period, so the period's figures are the whole programme's.
    const all = (await api('GET', '/api/v1/goals', undefined, { token: steering })).body;
    assert.deepEqual({ ...all, period: null }, { ...g, period: null });
  } finally {
    await server.stop();
    server.cleanup();
  }
});
