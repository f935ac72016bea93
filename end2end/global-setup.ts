// Starts the release server once for the whole run: fresh keys, a fresh data directory
// (SQLite database and dropped mail), a fixed port. Its description goes to .state/server.json
// for the tests and the teardown; its output goes to .state/server.log.
//
// Before it, a real SMTP server (testkit/smtp_peer.py) stands for a school's own relay:
// STARTTLS with a fresh self-signed certificate, AUTH with a random password, on a free
// loopback port. The app is told to allow loopback relays and to trust that certificate.
import { execFileSync, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BASE_URL,
  PORT,
  REPO_ROOT,
  SERVER_BINARY,
  SERVER_LOG,
  SITE_ROOT,
  SMTP_PEER_LOG,
  SMTP_PEER_SCRIPT,
  STATE_DIR,
  STATE_FILE,
  type ServerState,
  type SmtpPeerState,
} from './server';

const HEALTH_TIMEOUT_MS = 30_000;
const PEER_READY_TIMEOUT_MS = 20_000;
const PEER_USER = 'ecole';

async function healthStatus(): Promise<number | null> {
  try {
    const response = await fetch(`${BASE_URL}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return response.status;
  } catch {
    return null;
  }
}

/** Stops `pid` if its command line still passes `isOurs` (the pid was not reused). */
function stopIf(pid: number | undefined, isOurs: (argv: string[]) => boolean): void {
  if (pid === undefined) return;
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (isOurs(argv)) process.kill(pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

/** A server and SMTP peer left behind by an interrupted run of this suite are stopped. */
function stopLeftover(): void {
  if (!fs.existsSync(STATE_FILE)) return;
  try {
    const old = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as Partial<ServerState>;
    stopIf(old.pid, (argv) => argv[0] === old.binary);
    stopIf(old.smtpPeer?.pid, (argv) => argv.includes(SMTP_PEER_SCRIPT));
  } catch {
    // An unreadable description: nothing to stop.
  }
  fs.rmSync(STATE_FILE, { force: true });
}

/** A loopback port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** A self-signed certificate for localhost and 127.0.0.1, valid two days. */
function makeCertificate(dir: string): { certFile: string; keyFile: string } {
  const certFile = path.join(dir, 'smtp-peer-cert.pem');
  const keyFile = path.join(dir, 'smtp-peer-key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
    '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-addext', 'basicConstraints=critical,CA:FALSE',
    '-keyout', keyFile, '-out', certFile,
  ], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  return { certFile, keyFile };
}

/** Starts the SMTP peer and waits until it prints READY (its output goes to a log file). */
async function startSmtpPeer(dataDir: string): Promise<SmtpPeerState> {
  const { certFile, keyFile } = makeCertificate(dataDir);
  const port = await freePort();
  const password = `peer-${crypto.randomBytes(18).toString('base64url')}`;
  const maildir = path.join(dataDir, 'smtp-peer');
  const log = fs.openSync(SMTP_PEER_LOG, 'w');
  const child = spawn('python3', [
    SMTP_PEER_SCRIPT,
    '--port', String(port),
    '--maildir', maildir,
    '--tls', 'starttls', '--cert', certFile, '--key', keyFile,
    '--auth', `${PEER_USER}:${password}`,
  ], { cwd: REPO_ROOT, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  let exited: string | null = null;
  child.on('exit', (code, signal) => {
    exited = `exit code ${code}, signal ${signal}`;
  });
  if (child.pid === undefined) {
    throw new Error(`cannot start python3 ${SMTP_PEER_SCRIPT}`);
  }
  const deadline = Date.now() + PEER_READY_TIMEOUT_MS;
  while (!/^READY$/m.test(fs.readFileSync(SMTP_PEER_LOG, 'utf8'))) {
    if (exited !== null) {
      throw new Error(`the SMTP peer stopped at start-up (${exited}):\n${fs.readFileSync(SMTP_PEER_LOG, 'utf8')}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`the SMTP peer did not print READY within ${PEER_READY_TIMEOUT_MS} ms; see ${SMTP_PEER_LOG}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid,
    host: 'localhost',
    port,
    user: PEER_USER,
    password,
    maildir,
    certFile,
    logFile: SMTP_PEER_LOG,
    script: SMTP_PEER_SCRIPT,
  };
}

export default async function globalSetup(): Promise<void> {
  // The bundle's names carry a hash of the build (cargo-leptos `hash-files`).
  const pkg = path.join(SITE_ROOT, 'pkg');
  const bundleBuilt =
    fs.existsSync(pkg) && fs.readdirSync(pkg).some((f) => f.startsWith('ecole-courriel') && f.endsWith('.js'));
  for (const [needed, there] of [[SERVER_BINARY, fs.existsSync(SERVER_BINARY)], [pkg, bundleBuilt]] as const) {
    if (!there) {
      throw new Error(`${needed} is missing: run \`cargo leptos build --release --precompress\` first`);
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
  const smtpPeer = await startSmtpPeer(dataDir);
  const env: Record<string, string> = {
    ECOLE_MASTER_KEY: crypto.randomBytes(32).toString('base64'),
    ECOLE_PEPPER: crypto.randomBytes(32).toString('base64'),
    ECOLE_DATA_DIR: dataDir,
    ECOLE_LISTEN: `127.0.0.1:${PORT}`,
    ECOLE_PUBLIC_URL: BASE_URL,
    LEPTOS_SITE_ROOT: SITE_ROOT,
    RUST_LOG: 'info',
    // The school relay of the tests is the SMTP peer, on loopback, with its own certificate.
    ECOLE_ALLOW_PRIVATE_SMTP_HOSTS: 'true',
    ECOLE_SMTP_EXTRA_CA_FILE: smtpPeer.certFile,
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
    process.kill(smtpPeer.pid, 'SIGTERM');
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
    smtpPeer,
  };
  fs.writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  for (;;) {
    if (exited !== null) {
      process.kill(smtpPeer.pid, 'SIGTERM');
      throw new Error(`the server stopped at start-up (${exited}); see ${SERVER_LOG}:\n${fs.readFileSync(SERVER_LOG, 'utf8')}`);
    }
    if ((await healthStatus()) === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      process.kill(smtpPeer.pid, 'SIGTERM');
      throw new Error(`${BASE_URL}/healthz did not answer 200 within ${HEALTH_TIMEOUT_MS} ms; see ${SERVER_LOG}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
