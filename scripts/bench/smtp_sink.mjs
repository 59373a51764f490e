// A local SMTP sink for scripts/bench/mail: accepts every message and writes how many it received (and how many
// distinct Message-IDs) to a status file twice a second. usage: node smtp_sink.mjs STATUS_FILE (prints its port)
import { writeFileSync } from 'node:fs';
import { smtpSink } from '../../tests/support/smtp.mjs';

const status = process.argv[2];
const sink = await smtpSink();
console.log(sink.port);
const ids = new Set();
let total = 0;
const count = () => {
  // Counted, then dropped: the texts are not kept.
  for (const m of sink.messages.splice(0)) {
    total += 1;
    ids.add(sink.header(m, 'Message-ID'));
  }
  writeFileSync(status, JSON.stringify({ messages: total, distinct: ids.size }));
};
setInterval(count, 500);
process.on('SIGTERM', () => { count(); process.exit(0); });
