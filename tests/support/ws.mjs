// A small WebSocket client (RFC 6455) on node:net for the live-update tests. Debian 12's Node 18 has no WebSocket, and
// the tests need what a browser's WebSocket hides anyway: the upgrade's refusal status and body, close codes, frames
// larger than the server allows, and a client that stops reading.
import net from 'node:net';
import tls from 'node:tls';
import { createHash, randomBytes } from 'node:crypto';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** One masked frame from the client (opcode 1 text, 2 binary, 8 close, 9 ping, 10 pong). */
export function frame(opcode, payload, { fin = true } = {}) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload ?? '');
  const len = data.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = (fin ? 0x80 : 0) | opcode;
  if (len < 126) head[1] = 0x80 | len;
  else if (len < 65536) { head[1] = 0x80 | 126; head.writeUInt16BE(len, 2); }
  else { head[1] = 0x80 | 127; head.writeBigUInt64BE(BigInt(len), 2); }
  const mask = randomBytes(4);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i += 1) body[i] = data[i] ^ mask[i & 3];
  return Buffer.concat([head, mask, body]);
}

/**
 * Opens `path` (default /ws) on the server at `base` (http://host:port, or https://host:port over TLS). Options: headers
 * (extra request headers, e.g. origin or cookie), path, tls (tls.connect options, e.g. {ca} to trust a test's own
 * certificate). Resolves to {status, headers, body} when the server refuses the upgrade, or to a live
 * connection {status: 101, send(obj), sendFrame(buf), next(pred, ms), messages, closed, close(code), pause(), resume(),
 * destroy()}. Messages are parsed JSON; `closed` resolves to {code, reason} (code 1006: no close frame came).
 */
export function connect(base, { headers = {}, path = '/ws', tls: tlsOptions } = {}) {
  const url = new URL(base);
  const key = randomBytes(16).toString('base64');
  const lines = [`GET ${path} HTTP/1.1`, `Host: ${url.host}`, 'Upgrade: websocket', 'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13'];
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) lines.push(`${k}: ${v}`);
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  const port = Number(url.port) || (secure ? 443 : 80);
  // Writes before the TLS handshake ends wait for it. An IP address is no server name (SNI).
  const socket = secure
    ? tls.connect({ host: url.hostname, port, servername: net.isIP(url.hostname) ? undefined : url.hostname, ...tlsOptions })
    : net.connect(port, url.hostname);
  socket.write(lines.join('\r\n') + '\r\n\r\n');

  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    let upgraded = false;
    let response = null;
    const messages = [];
    const waiters = [];
    let fragments = [];
    let fragmentOpcode = 0;
    let closeInfo = null;
    let resolveClosed;
    const closed = new Promise((r) => { resolveClosed = r; });
    const finish = (info) => {
      if (closeInfo) return;
      closeInfo = info;
      resolveClosed(info);
      for (const w of waiters.splice(0)) w.reject(new Error(`connection closed (${info.code}) while waiting`));
    };

    const deliver = (msg) => {
      messages.push(msg);
      for (let i = 0; i < waiters.length; i += 1) {
        if (waiters[i].pred(msg)) { const [w] = waiters.splice(i, 1); w.resolve(msg); return; }
      }
    };

    const parseFrames = () => {
      for (;;) {
        if (buf.length < 2) return;
        const fin = (buf[0] & 0x80) !== 0;
        const opcode = buf[0] & 0x0f;
        if (buf[1] & 0x80) throw new Error('the server masked a frame');
        let len = buf[1] & 0x7f;
        let off = 2;
        if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
        else if (len === 127) { if (buf.length < 10) return; len = Number(buf.readBigUInt64BE(2)); off = 10; }
        if (buf.length < off + len) return;
        const payload = buf.subarray(off, off + len);
        buf = buf.subarray(off + len);
        if (opcode === 8) {
          const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
          const reason = payload.subarray(2).toString('utf8');
          if (!socket.destroyed) socket.end(frame(8, payload.subarray(0, 2)));
          finish({ code, reason });
        } else if (opcode === 9) {
          if (!socket.destroyed) socket.write(frame(10, payload));
        } else if (opcode === 10) {
          // pong: nothing to do
        } else {
          if (opcode !== 0) { fragmentOpcode = opcode; fragments = []; }
          fragments.push(Buffer.from(payload));
          if (fin) {
            const whole = Buffer.concat(fragments);
            fragments = [];
            if (fragmentOpcode === 1) {
              const text = whole.toString('utf8');
              let msg;
              try { msg = JSON.parse(text); } catch { msg = { unparsed: text }; }
              deliver(msg);
            } else {
              deliver({ binary: whole });
            }
          }
        }
      }
    };

    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (!upgraded && !response) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1').split('\r\n');
        const status = Number(head[0].split(' ')[1]);
        const hdrs = {};
        for (const line of head.slice(1)) {
          const i = line.indexOf(':');
          hdrs[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        buf = buf.subarray(end + 4);
        if (status === 101) {
          const expected = createHash('sha1').update(key + GUID).digest('base64');
          if (hdrs['sec-websocket-accept'] !== expected) { reject(new Error('bad Sec-WebSocket-Accept')); socket.destroy(); return; }
          upgraded = true;
          resolve(api(hdrs));
        } else {
          response = { status, headers: hdrs, length: Number(hdrs['content-length'] || 0) };
        }
      }
      if (response) {
        if (buf.length >= response.length) {
          const text = buf.subarray(0, response.length).toString('utf8');
          let body = null;
          try { body = JSON.parse(text); } catch { /* not JSON */ }
          socket.destroy();
          resolve({ status: response.status, headers: response.headers, body, text });
        }
        return;
      }
      try { parseFrames(); } catch (e) { socket.destroy(); finish({ code: 1002, reason: e.message }); }
    });
    socket.on('error', (e) => { if (!upgraded && !response) reject(e); });
    socket.on('close', () => {
      if (!upgraded && !response) reject(new Error('connection closed before the upgrade was answered'));
      finish({ code: 1006, reason: '' });
    });

    function api(hdrs) {
      return {
        status: 101,
        headers: hdrs,
        messages,
        closed,
        socket,
        /** Sends an object as JSON text, or a string as is. */
        send(obj) { socket.write(frame(1, typeof obj === 'string' ? obj : JSON.stringify(obj))); },
        sendFrame(bytes) { socket.write(bytes); },
        /** The first message (already received or still to come) matching `pred`, taken out of the list. */
        next(pred = () => true, ms = 5000) {
          const i = messages.findIndex(pred);
          if (i >= 0) return Promise.resolve(messages.splice(i, 1)[0]);
          if (closeInfo) return Promise.reject(new Error(`connection closed (${closeInfo.code})`));
          return new Promise((res, rej) => {
            const w = {
              pred,
              resolve: (m) => { clearTimeout(w.timer); messages.splice(messages.indexOf(m), 1); res(m); },
              reject: (e) => { clearTimeout(w.timer); rej(e); },
            };
            w.timer = setTimeout(() => {
              waiters.splice(waiters.indexOf(w), 1);
              rej(new Error(`no matching message in ${ms} ms; received: ${JSON.stringify(messages).slice(0, 2000)}`));
            }, ms);
            waiters.push(w);
          });
        },
        close(code = 1000) {
          const p = Buffer.alloc(2); p.writeUInt16BE(code);
          socket.write(frame(8, p));
          return closed;
        },
        /** Stops reading: the kernel's buffers fill and the server's writes to this client stall. */
        pause() { socket.pause(); },
        resume() { socket.resume(); },
        destroy() { socket.destroy(); },
      };
    }
  });
}
