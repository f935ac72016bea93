// Starts the release server once for the whole run: fresh keys, a fresh data directory
// (SQLite database and dropped mail), a fixed port. Its description goes to .state/server.json
// for the tests and the teardown; its output goes to .state/server.log.
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BASE_URL,
  PORT,
  REPO_ROOT,
  SERVER_BINARY,
  SERVER_LOG,
  SITE_ROOT,
  STATE_DIR,
  STATE_FILE,
  type ServerState,
} from './server';

const HEALTH_TIMEOUT_MS = 30_000;

async function healthStatus(): Promise<number | null> {
  try {
    const response = await fetch(`${BASE_URL}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return response.status;
  } catch {
    return null;
  }
}

/** A server left behind by an interrupted run of this suite (same binary) is stopped. */
function stopLeftover(): void {
  if (!fs.existsSync(STATE_FILE)) return;
  try {
    const old = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as ServerState;
    const cmdline = fs.readFileSync(`/proc/${old.pid}/cmdline`, 'utf8');
    if (cmdline.split('\0')[0] === old.binary) {
      process.kill(old.pid, 'SIGTERM');
    }
  } catch {
    // Already gone.
  }
  fs.rmSync(STATE_FILE, { force: true });
}

export default async function globalSetup(): Promise<void> {
  for (const needed of [SERVER_BINARY, path.join(SITE_ROOT, 'pkg', 'ecole-courriel.js')]) {
    if (!fs.existsSync(needed)) {
      throw new Error(`${needed} is missing: run \`cargo leptos build --release\` first`);
    }
  }
  stopLeftover();
  const deadlineFree = Date.now() + 10_000;
  while ((await healthStatus()) !== null) {
    if (Date.now() > deadlineFree) {
      throw new Error(`port ${PORT} is already serving something; stop it before running the tests`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  fs.mkdirSync(STATE_DIR, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecole-e2e-'));
  const env: Record<string, string> = {
    ECOLE_MASTER_KEY: crypto.randomBytes(32).toString('base64'),
    ECOLE_PEPPER: crypto.randomBytes(32).toString('base64'),
    ECOLE_DATA_DIR: dataDir,
    ECOLE_LISTEN: `127.0.0.1:${PORT}`,
    ECOLE_PUBLIC_URL: BASE_URL,
    LEPTOS_SITE_ROOT: SITE_ROOT,
    RUST_LOG: 'info',
  };

  const log = fs.openSync(SERVER_LOG, 'w');
  const child = spawn(SERVER_BINARY, [], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  let exited: string | null = null;
  child.on('exit', (code, signal) => {
    exited = `exit code ${code}, signal ${signal}`;
  });
  if (child.pid === undefined) {
    throw new Error(`cannot start ${SERVER_BINARY}`);
  }

  const state: ServerState = {
    pid: child.pid,
    baseUrl: BASE_URL,
    dataDir,
    mailDir: path.join(dataDir, 'mail'),
    logFile: SERVER_LOG,
    binary: SERVER_BINARY,
    cwd: REPO_ROOT,
    env,
  };
  fs.writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  for (;;) {
    if (exited !== null) {
      throw new Error(`the server stopped at start-up (${exited}); see ${SERVER_LOG}:\n${fs.readFileSync(SERVER_LOG, 'utf8')}`);
    }
    if ((await healthStatus()) === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`${BASE_URL}/healthz did not answer 200 within ${HEALTH_TIMEOUT_MS} ms; see ${SERVER_LOG}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
