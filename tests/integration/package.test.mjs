// The Debian package (issue 12): CPack builds a .deb of the installed layout; dpkg installs it into a temporary root
// (its own package database, nothing of the host touched), the installed binary serves the installed client with the
// installed configuration, and dpkg removes it again, keeping the configuration as a conffile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { binaryPath } from '../support/server.mjs';

function dpkg(root, ...args) {
  const r = spawnSync('dpkg', [`--root=${root}`, ...args], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('cpack makes a .deb that dpkg installs into a temporary root, whose binary serves, and that dpkg removes', async () => {
  const work = mkdtempSync(join(tmpdir(), 'eventd-deb-'));
  const root = join(work, 'root');
  const state = join(work, 'state');
  let proc;
  try {
    execFileSync('cpack', ['-G', 'DEB', '-B', join(work, 'out'), '--config', join(dirname(binaryPath()), 'CPackConfig.cmake')],
      { stdio: 'pipe' });
    const debs = readdirSync(join(work, 'out')).filter((f) => f.endsWith('.deb'));
    assert.equal(debs.length, 1, `one package: ${debs}`);
    const deb = join(work, 'out', debs[0]);
    assert.match(debs[0], /^eventd_\d+\.\d+\.\d+_[a-z0-9]+\.deb$/);

    // The control fields: a dependency list from the binary's libraries, each a package this (Debian) host has.
    const fields = execFileSync('dpkg-deb', ['-f', deb], { encoding: 'utf8' });
    assert.match(fields, /^Package: eventd$/m);
    const depends = fields.match(/^Depends: (.*)$/m)?.[1] || '';
    for (const lib of ['libsqlite3-0', 'libsodium23', 'libc6', 'tzdata']) assert.ok(depends.includes(lib), `Depends names ${lib}: ${depends}`);
    for (const dep of depends.split(',').map((d) => d.trim().split(/[\s(|]/)[0]).filter(Boolean)) {
      const q = spawnSync('dpkg-query', ['-W', '-f', '${Status}', dep], { encoding: 'utf8' });
      assert.match(q.stdout, /install ok installed/, `${dep} from Depends is a real, installed package`);
    }
    const conffiles = execFileSync('sh', ['-c', `dpkg-deb --ctrl-tarfile '${deb}' | tar -xO ./conffiles`], { encoding: 'utf8' });
    assert.equal(conffiles.trim(), '/etc/eventd/eventd.json', 'the configuration survives upgrades as a conffile');
    // Maintainer scripts that tell systemd of the unit (not when installed into another root), executable.
    const control = execFileSync('sh', ['-c', `dpkg-deb --ctrl-tarfile '${deb}' | tar -tv`], { encoding: 'utf8' });
    for (const script of ['postinst', 'postrm']) {
      assert.match(control, new RegExp(`^-rwxr-xr-x \\S+ +\\d+ .* \\./${script}$`, 'm'), `${script} is in the package, executable`);
      const text = execFileSync('sh', ['-c', `dpkg-deb --ctrl-tarfile '${deb}' | tar -xO ./${script}`], { encoding: 'utf8' });
      assert.match(text, /DPKG_ROOT/);
      assert.equal(spawnSync('sh', ['-n', '-c', text]).status, 0, `${script} is valid sh`);
    }

    // dpkg with its own database under the temporary root. The libraries are the host's (not in the root), so the
    // dependency check is waived; there are no maintainer scripts to run.
    for (const d of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'var/lib/dpkg/triggers']) mkdirSync(join(root, d), { recursive: true });
    writeFileSync(join(root, 'var/lib/dpkg/status'), '');
    writeFileSync(join(root, 'var/lib/dpkg/available'), '');
    const install = dpkg(root, '--force-depends', '--force-script-chrootless', '-i', deb);
    assert.equal(install.status, 0, install.out);
    assert.match(dpkg(root, '-s', 'eventd').out, /^Status: install ok installed$/m);
    for (const f of ['usr/bin/eventd', 'usr/share/eventd/web/index.html', 'usr/share/eventd/web/admin/index.html',
      'etc/eventd/eventd.json', 'lib/systemd/system/eventd.service', 'usr/share/doc/eventd/README.md'])
      assert.ok(existsSync(join(root, f)), `${f} is in the package`);
    const unit = readFileSync(join(root, 'lib/systemd/system/eventd.service'), 'utf8');
    assert.match(unit, /^ExecStart=\/usr\/bin\/eventd --config \/etc\/eventd\/eventd.json --db \/var\/lib\/eventd\/eventd.db --web \/usr\/share\/eventd\/web$/m,
      'the unit names the places the package puts things');

    // The packaged binary, configuration and client, as the unit would start them (paths moved into the root).
    const bin = join(root, 'usr/bin/eventd');
    assert.match(execFileSync(bin, ['--version'], { encoding: 'utf8' }), /^eventd \d+\.\d+\.\d+ \(schema \d+/);
    mkdirSync(state);
    proc = spawn(bin, ['--config', join(root, 'etc/eventd/eventd.json'), '--listen', '127.0.0.1:0', '--db', join(state, 'eventd.db'),
      '--web', join(root, 'usr/share/eventd/web')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, EVENTD_ADMIN_EMAIL: 'admin@example.org', EVENTD_ADMIN_PASSWORD: 'packaged admin password' },
    });
    const url = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('the packaged server did not start')), 20000);
      proc.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/listening on (http:\/\/\S+)/);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code}`)); });
    });
    const page = await fetch(`${url}/admin/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    const signIn = await fetch(`${url}/api/v1/session`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@example.org', password: 'packaged admin password' }),
    });
    assert.equal(signIn.status, 200, 'the first admin from the environment signs in');
    proc.kill('SIGTERM');
    await new Promise((r) => proc.on('exit', r));

    const remove = dpkg(root, '--force-script-chrootless', '-r', 'eventd');
    assert.equal(remove.status, 0, remove.out);
    assert.ok(!existsSync(join(root, 'usr/bin/eventd')), 'removed with the package');
    assert.ok(existsSync(join(root, 'etc/eventd/eventd.json')), 'a conffile stays until purged');
    const purge = dpkg(root, '--force-script-chrootless', '-P', 'eventd');
    assert.equal(purge.status, 0, purge.out);
    assert.ok(!existsSync(join(root, 'etc/eventd/eventd.json')), 'purged');
  } finally {
    if (proc && proc.exitCode === null) { proc.kill('SIGTERM'); await new Promise((r) => proc.on('exit', r)); }
    rmSync(work, { recursive: true, force: true });
  }
});
