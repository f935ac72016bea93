// Stops the server and the SMTP peer the global setup started (by their pids) and removes
// the data directory.
// Set KEEP_E2E_DATA=1 to keep the database and the dropped mail for inspection.
import * as fs from 'node:fs';
import { STATE_FILE, type ServerState } from './server';

/** Running (an exited child not yet reaped, a zombie, counts as stopped). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL if still running after ten seconds. */
async function stop(pid: number): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (alive(pid) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

export default async function globalTeardown(): Promise<void> {
  if (!fs.existsSync(STATE_FILE)) return;
  const state = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as ServerState;
  await stop(state.pid);
  if (state.smtpPeer) await stop(state.smtpPeer.pid);
  if (process.env.KEEP_E2E_DATA) {
    console.log(`server data kept in ${state.dataDir}; log in ${state.logFile}`);
  } else {
    fs.rmSync(state.dataDir, { recursive: true, force: true });
  }
  fs.rmSync(STATE_FILE, { force: true });
}
