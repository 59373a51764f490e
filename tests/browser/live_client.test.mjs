// web/lib/live.js on its own, in Node with a stand-in WebSocket and mocked timers: what it sends, which data reaches
// the page (stale seq dropped), the backoff (growing, jittered, never over 30 s, afresh after a stable connection),
// resubscribing after a reconnect, and polling in place of the connection. The real server and browser are in
// live.test.mjs. No server, no browser.
import { test, mock, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { LiveClient, backoffDelay } from '../../web/lib/live.js';

/** A WebSocket stand-in: records what is sent; the test opens, feeds and closes it. */
class FakeSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.sent = [];
    this.closed = false;
    FakeSocket.all.push(this);
  }
  static last() { return FakeSocket.all[FakeSocket.all.length - 1]; }
  send(text) { this.sent.push(JSON.parse(text)); }
  close() { this.closed = true; }
  open() { this.onopen?.({}); }
  feed(msg) { this.onmessage?.({ data: JSON.stringify(msg) }); }
  drop() { this.onclose?.({ code: 1006 }); }
}

let clock = 0;
const now = () => clock;
/** Moves the mocked clock and timers on by ms. */
function advance(ms) {
  clock += ms;
  mock.timers.tick(ms);
}

beforeEach(() => {
  FakeSocket.all = [];
  clock = 1_000_000;
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
});
afterEach(() => mock.timers.reset());

const client = (opts = {}) => new LiveClient({ url: 'ws://test/ws', WebSocket: FakeSocket, random: () => 1, now, windowEvents: null, ...opts });

test('subscribes on open, delivers snapshot and updates, and drops a stale seq', () => {
  const live = client();
  const got = [];
  live.subscribe('events', { onData: (d, m) => got.push([d, m.seq, m.source]) });
  live.subscribe('event:7', { onData: (d, m) => got.push([d, m.seq, m.source]) });
  assert.equal(live.state, 'connecting');
  assert.equal(FakeSocket.all.length, 1, 'one connection for every topic');
  const ws = FakeSocket.last();
  assert.equal(ws.url, 'ws://test/ws');
  ws.open();
  assert.equal(live.state, 'open');
  assert.deepEqual(ws.sent, [{ type: 'subscribe', topics: ['events', 'event:7'] }]);
  assert.equal(live.lastHeard, clock);

  clock += 5;
  ws.feed({ type: 'snapshot', topic: 'event:7', seq: 3, data: { confirmed: 1 } });
  ws.feed({ type: 'update', topic: 'event:7', seq: 5, data: { confirmed: 2 } });
  ws.feed({ type: 'update', topic: 'event:7', seq: 4, data: { confirmed: 99 } }); // late: dropped
  ws.feed({ type: 'update', topic: 'event:7', seq: 5, data: { confirmed: 98 } }); // repeated: dropped
  ws.feed({ type: 'update', topic: 'event:8', seq: 9, data: {} });               // not followed: ignored
  assert.deepEqual(got, [[{ confirmed: 1 }, 3, 'snapshot'], [{ confirmed: 2 }, 5, 'update']]);
  assert.equal(live.lastHeard, clock, 'every message counts as hearing from the server');

  // A topic followed later is subscribed on the open connection at once.
  live.subscribe('goals', {});
  assert.deepEqual(ws.sent.at(-1), { type: 'subscribe', topics: ['goals'] });
});

test('a second follower of a topic gets what is known at once; the last one leaving unsubscribes', async () => {
  const live = client();
  const first = [];
  const stopFirst = live.subscribe('events', { onData: (d) => first.push(d) });
  const ws = FakeSocket.last();
  ws.open();
  ws.feed({ type: 'snapshot', topic: 'events', seq: 1, data: ['a'] });
  const second = [];
  const stopSecond = live.subscribe('events', { onData: (d, m) => second.push([d, m.source]) });
  await Promise.resolve();
  assert.deepEqual(second, [[['a'], 'cache']]);
  assert.equal(ws.sent.length, 1, 'no second subscribe for a topic already followed');
  stopFirst();
  assert.equal(ws.sent.length, 1, 'still followed by the second');
  stopSecond();
  assert.deepEqual(ws.sent.at(-1), { type: 'unsubscribe', topics: ['events'] });
});

test('reconnects with growing, jittered waits up to 30 s, resubscribes, and accepts the new server’s seq', () => {
  const live = client({ random: () => 1 });
  const got = [];
  const states = [];
  live.onState((s) => states.push(s));
  live.subscribe('events', { onData: (d) => got.push(d) });
  FakeSocket.last().open();
  FakeSocket.last().feed({ type: 'snapshot', topic: 'events', seq: 40, data: 'old server' });

  FakeSocket.last().drop();
  assert.equal(live.state, 'lost');
  assert.equal(live.nextRetryAt, clock + 1000, 'the first retry after a short connection: 1 s');
  // Each failed attempt doubles the wait, up to 30 s.
  const waits = [];
  for (let i = 0; i < 8; i += 1) {
    const before = FakeSocket.all.length;
    const wait = live.nextRetryAt - clock;
    waits.push(wait);
    advance(wait - 1);
    assert.equal(FakeSocket.all.length, before, 'not before its time');
    advance(1);
    assert.equal(FakeSocket.all.length, before + 1, 'a new attempt when due');
    FakeSocket.last().drop();
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);

  FakeSocket.last(); // the next attempt succeeds: a restarted server, counting seq from 1 again
  advance(live.nextRetryAt - clock);
  const ws = FakeSocket.last();
  ws.open();
  assert.equal(live.state, 'open');
  assert.deepEqual(ws.sent, [{ type: 'subscribe', topics: ['events'] }], 'resubscribed after the reconnect');
  ws.feed({ type: 'snapshot', topic: 'events', seq: 1, data: 'new server' });
  assert.deepEqual(got, ['old server', 'new server']);
  assert.deepEqual(states.filter((s, i) => s !== states[i - 1]), ['open', 'lost', 'open']);

  // Open for long enough, then dropped (a server restart): the backoff starts afresh.
  advance(15000);
  ws.drop();
  assert.equal(live.nextRetryAt - clock, 1000);
});

test('the jitter spreads each wait over its upper half', () => {
  assert.equal(backoffDelay(0, () => 0), 500);
  assert.equal(backoffDelay(0, () => 1), 1000);
  assert.equal(backoffDelay(3, () => 0), 4000);
  assert.equal(backoffDelay(30, () => 1), 30000);
  assert.equal(backoffDelay(30, () => 0), 15000);
});

test('polls while the connection is lost or the topic refused, and stops once live', async () => {
  const live = client();
  let polls = 0;
  const got = [];
  const errors = [];
  live.subscribe('goals', {
    onData: (d, m) => got.push([d, m.source]),
    onError: (code) => errors.push(code),
    poll: async () => { polls += 1; return `poll ${polls}`; },
    pollMs: 1000,
  });
  const ws = FakeSocket.last();
  ws.open();
  ws.feed({ type: 'error', topic: 'goals', code: 'forbidden' });
  assert.deepEqual(errors, ['forbidden']);
  advance(1000);
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(polls, 1, 'a refused topic is polled');
  assert.deepEqual(got, [['poll 1', 'poll']]);

  // Live data ends the polling.
  ws.feed({ type: 'snapshot', topic: 'goals', seq: 1, data: 'live' });
  advance(5000);
  await Promise.resolve();
  assert.equal(polls, 1, 'no poll while the topic is live');

  // A lost connection starts it again.
  ws.drop();
  advance(1000);
  await Promise.resolve();
  await Promise.resolve();
  assert.ok(polls >= 2, 'polled while the connection is lost');
});

test('without WebSocket the client says so and only polls', async () => {
  const live = new LiveClient({ WebSocket: undefined, now, windowEvents: null });
  let polls = 0;
  live.subscribe('events', { poll: async () => { polls += 1; return []; }, pollMs: 2000 });
  assert.equal(live.state, 'unavailable');
  for (let i = 0; i < 2; i += 1) {
    advance(2000);
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(polls, 2);
  live.close();
  advance(4000);
  assert.equal(polls, 2, 'close() stops the polls');
});

test('many topics are split into messages the server accepts', () => {
  const live = client();
  const refused = [];
  for (let i = 0; i < 70; i += 1) live.subscribe(`checkins:${1000000000 + i}`, { onError: (c, topic) => refused.push([c, topic]) });
  const ws = FakeSocket.last();
  ws.open();
  const sent = ws.sent.flatMap((m) => m.topics);
  assert.equal(sent.length, 64, 'no more than the server allows on one connection');
  for (const m of ws.sent) assert.ok(JSON.stringify(m).length <= 4096);
  assert.equal(refused.length, 6);
  assert.equal(refused[0][0], 'too_many_topics');
});

test('renew() connects afresh (a new sign-in’s cookie) and subscribes again', () => {
  const live = client();
  const states = [];
  live.onState((s) => states.push(s));
  live.subscribe('goals', {});
  const first = FakeSocket.last();
  first.open();
  live.renew();
  assert.equal(first.closed, true, 'the old connection is closed');
  assert.equal(live.state, 'connecting');
  const second = FakeSocket.last();
  assert.notEqual(second, first);
  second.open();
  assert.deepEqual(second.sent, [{ type: 'subscribe', topics: ['goals'] }]);
  assert.deepEqual(states, ['open', 'connecting', 'open']);
  first.drop(); // a late close of the old socket changes nothing
  assert.equal(live.state, 'open');
});

test('authorize() sends its message before the subscriptions on every connection, and asks again for refused topics', () => {
  const auth = { type: 'auth', manage_token: '12-secret' };
  const live = client();
  live.authorize(auth);
  live.authorize({ ...auth }); // the same credential twice is sent once
  live.subscribe('partner:12', {});
  const first = FakeSocket.last();
  first.open();
  assert.deepEqual(first.sent, [auth, { type: 'subscribe', topics: ['partner:12'] }]);

  // After a reconnection: the credential first again, then the topic.
  first.drop();
  advance(live.nextRetryAt - clock);
  const second = FakeSocket.last();
  second.open();
  assert.deepEqual(second.sent, [auth, { type: 'subscribe', topics: ['partner:12'] }]);

  // A topic refused before its credential came is asked for again when it comes on the open connection.
  const errors = [];
  live.subscribe('partner:13', { onError: (c) => errors.push(c) });
  second.feed({ type: 'error', topic: 'partner:13', code: 'forbidden' });
  assert.deepEqual(errors, ['forbidden']);
  const other = { type: 'auth', manage_token: '13-secret' };
  live.authorize(other);
  assert.deepEqual(second.sent.slice(-2), [other, { type: 'subscribe', topics: ['partner:13'] }]);
});
