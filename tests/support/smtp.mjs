// A small SMTP server for tests, answering the client as a real mail server would: it records each message with its
// envelope and its text (dot-stuffing undone). Options: port (listen on this one, e.g. where a mail server "comes
// back"), refuse (answer 550 to every recipient).
import net from 'node:net';

export async function smtpSink(opts = {}) {
  const messages = [];
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = '';
    let inData = false;
    let current = { from: '', to: [], data: '' };
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let idx;
      while ((idx = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, idx);
        buffer = buffer.slice(idx + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            messages.push(current);
            current = { from: '', to: [], data: '' };
            socket.write('250 queued\r\n');
          } else {
            current.data += (line.startsWith('..') ? line.slice(1) : line) + '\n';
          }
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO' || cmd === 'HELO') socket.write('250-sink\r\n250 8BITMIME\r\n');
        else if (cmd === 'MAIL') { current = { from: line, to: [], data: '' }; socket.write('250 ok\r\n'); }
        else if (cmd === 'RCPT') {
          if (opts.refuse) socket.write('550 no such mailbox\r\n');
          else { current.to.push(line); socket.write('250 ok\r\n'); }
        } else if (cmd === 'DATA') { inData = true; socket.write('354 go on\r\n'); }
        else if (cmd === 'QUIT') { socket.write('221 bye\r\n'); socket.end(); }
        else socket.write('250 ok\r\n');
      }
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port || 0, '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    messages,
    /** The header `name` of a recorded message. */
    header(m, name) {
      return m.data.match(new RegExp(`^${name}: (.*)$`, 'mi'))?.[1];
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}

/** A port that nothing listens on just now (a mail server that is down), for a sink to take later. */
export async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** Waits until `ok()` holds, checking every 100 ms, for at most `ms`. */
export async function until(ok, ms = 15000) {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  return ok();
}
