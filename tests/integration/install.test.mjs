// Installation (issue 12): `cmake --install` lays out the binary, the web client, the default configuration and a
// systemd unit that `systemd-analyze verify` accepts; the installed binary serves the installed client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { binaryPath } from '../support/server.mjs';

test('cmake --install gives a binary, web client, config and a systemd unit that verifies; the installed server serves', async () => {
  const prefix = mkdtempSync(join(tmpdir(), 'eventd-install-'));
  const state = mkdtempSync(join(tmpdir(), 'eventd-state-'));
  let proc;
  try {
    execFileSync('cmake', ['--install', dirname(binaryPath()), '--prefix', prefix], { stdio: 'pipe' });
    for (const f of ['bin/eventd', 'share/eventd/web/index.html', 'share/eventd/web/checkin', 'etc/eventd/eventd.json',
      'lib/systemd/system/eventd.service'])
      assert.ok(existsSync(join(prefix, f)), `${f} is not installed`);
    // The unit names the files where this install put them (decided when installing, not when configuring).
    const unitPath = join(prefix, 'lib/systemd/system/eventd.service');
    const unit = readFileSync(unitPath, 'utf8');
    assert.match(unit, new RegExp(`^ExecStart=${prefix}/bin/eventd --config ${prefix}/etc/eventd/eventd.json .*--web ${prefix}/share/eventd/web$`, 'm'));
    for (const line of ['DynamicUser=yes', 'StateDirectory=eventd', 'ProtectSystem=strict', 'NoNewPrivileges=yes',
      'Restart=on-failure', 'LimitNOFILE=65536'])
      assert.ok(unit.includes(`\n${line}\n`), `the unit lacks ${line}`);
    // verify exits 0 on a line it ignores ("Failed to parse..."): every remark about the unit's own lines counts.
    const verify = spawnSync('systemd-analyze', ['verify', unitPath], { encoding: 'utf8' });
    const out = `${verify.stdout}${verify.stderr}`;
    assert.equal(verify.status, 0, out);
    assert.doesNotMatch(out, /eventd\.service:\d+:/, out);

    // The installed binary with the installed configuration and client.
    proc = spawn(join(prefix, 'bin/eventd'), ['--config', join(prefix, 'etc/eventd/eventd.json'), '--listen', '127.0.0.1:0',
      '--db', join(state, 'eventd.db'), '--web', join(prefix, 'share/eventd/web')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('the installed server did not start')), 20000);
      proc.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/listening on (http:\/\/\S+)/);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}`)); });
    });
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const version = execFileSync(join(prefix, 'bin/eventd'), ['--version'], { encoding: 'utf8' });
    assert.match(version, /^eventd \d+\.\d+\.\d+ /);
  } finally {
    if (proc && proc.exitCode === null) { proc.kill('SIGTERM'); await new Promise((r) => proc.on('exit', r)); }
    rmSync(prefix, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  }
});
