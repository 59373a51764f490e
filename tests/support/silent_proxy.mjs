// A proxy that can make the database go silent for a node, as a network split or a host that lost power would:
// used by integration_pg.pg_silent and browser_pg.pg_outcome.
import net from 'node:net';

/**
 * A TCP proxy to `port` on `host`. silence(): from now on the answers of every open connection are dropped (what
 * the client sends still reaches the server, and neither side learns of the other closing), and new connections are
 * accepted but never answered. speak(): new connections work again; the silenced ones stay silent, as connections
 * whose state a network split lost.
 */
export async function silentProxy(host, port) {
  let silent = false;
  const sockets = new Set();
  const server = net.createServer((down) => {
    sockets.add(down);
    down.on('error', () => {});
    down.on('close', () => sockets.delete(down));
    if (silent) return;  // accepted, never answered
    const pair = { silent: false };
    const up = net.connect(port, host);
    sockets.add(up);
    up.on('error', () => {});
    up.on('close', () => sockets.delete(up));
    pair.up = up;
    proxy.pairs.push(pair);
    down.on('data', (d) => up.write(d));
    up.on('data', (d) => { if (!pair.silent) down.write(d); });
    down.on('end', () => { if (!pair.silent) up.end(); });
    up.on('end', () => { if (!pair.silent) down.end(); });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const proxy = {
    port: server.address().port,
    pairs: [],
    silence() { silent = true; for (const p of proxy.pairs) p.silent = true; },
    speak() { silent = false; },
    close() { server.close(); for (const s of sockets) s.destroy(); },
  };
  return proxy;
}

/** Waits until `ok()` (async) gives a truthy value, every 200 ms, and returns it; throws naming `what` after `ms`. */
export async function until(what, ok, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await ok();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A TCP proxy to `port` on `host` that can lose one COMMIT's answer, as a connection broken at the wrong moment
 * would. cutNextCommit(): the next answer from the server that holds both an INSERT's completion and the COMMIT's
 * (PostgreSQL's CommandComplete "COMMIT": a writer's batch, which always inserts its commit mark) is dropped and both
 * of its connections are closed: the database has committed, the client never hears so. New connections pass as
 * usual. `cuts` counts the answers it dropped.
 */
export async function commitCutter(host, port) {
  const commitDone = Buffer.from('C\0\0\0\x0bCOMMIT\0', 'latin1');
  const insertDone = Buffer.from('INSERT 0 ', 'latin1');
  let armed = false;
  const sockets = new Set();
  const server = net.createServer((down) => {
    const up = net.connect(port, host);
    for (const s of [down, up]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    down.on('data', (d) => up.write(d));
    up.on('data', (d) => {
      if (armed && d.includes(commitDone) && d.includes(insertDone)) {
        armed = false;
        cutter.cuts += 1;
        up.destroy();
        down.destroy();
        return;
      }
      down.write(d);
    });
    down.on('end', () => up.end());
    up.on('end', () => down.end());
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const cutter = {
    port: server.address().port,
    cuts: 0,
    cutNextCommit() { armed = true; },
    close() { server.close(); for (const s of sockets) s.destroy(); },
  };
  return cutter;
}
