// What the global setup, the teardown and the tests agree on about the server under test.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const PORT = 3011;
export const BASE_URL = `http://127.0.0.1:${PORT}`;

/** The repository root (the server runs from there, as in production). */
export const REPO_ROOT = path.resolve(__dirname, '..');
export const SERVER_BINARY = path.join(REPO_ROOT, 'target', 'release', 'server');
export const SITE_ROOT = path.join(REPO_ROOT, 'target', 'site');

/** Git-ignored folder holding the running server's description and its log. */
export const STATE_DIR = path.join(__dirname, '.state');
export const STATE_FILE = path.join(STATE_DIR, 'server.json');
export const SERVER_LOG = path.join(STATE_DIR, 'server.log');
export const SMTP_PEER_LOG = path.join(STATE_DIR, 'smtp-peer.log');

/** The test SMTP server (aiosmtpd) standing for a school's own relay. */
export const SMTP_PEER_SCRIPT = path.join(REPO_ROOT, 'testkit', 'smtp_peer.py');

export interface ServerState {
  pid: number;
  baseUrl: string;
  dataDir: string;
  mailDir: string;
  logFile: string;
  binary: string;
  cwd: string;
  /** The ECOLE_* and LEPTOS_* variables the server runs with; the CLI needs the same. */
  env: Record<string, string>;
  /** The school relay the tests configure: STARTTLS with AUTH, on loopback. */
  smtpPeer: SmtpPeerState;
}

export interface SmtpPeerState {
  pid: number;
  host: string;
  port: number;
  user: string;
  password: string;
  /** Each accepted message as a JSON file: envelope, TLS, user and the RFC 5322 text. */
  maildir: string;
  /** The peer's self-signed certificate, which the app is told to trust. */
  certFile: string;
  logFile: string;
  script: string;
}

export function readServerState(): ServerState {
  if (!fs.existsSync(STATE_FILE)) {
    throw new Error(`${STATE_FILE} is missing: the global setup did not start the server`);
  }
  return JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as ServerState;
}
