// nginx started by a test (integration.proxy, integration_pg.pg_route): stopping it.

/** SIGTERM to an nginx master spawned `detached` (a process group of its own); its whole group is killed if it has
 * not exited 5 s later. Resolves once it has exited. */
export async function stopNginx(nginx) {
  if (!nginx || nginx.exitCode !== null || nginx.signalCode !== null) return;
  const exited = new Promise((r) => nginx.on('exit', r));
  nginx.kill('SIGTERM');
  const timer = setTimeout(() => { try { process.kill(-nginx.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
  await exited;
  clearTimeout(timer);
}
