// Shared steps of the end-to-end tests: the server's state, the operator CLI, the dropped
// mail, hydration, unique names, and the accessibility check.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readServerState, type ServerState } from '../server';

export { readServerState, type ServerState };

// ---------------------------------------------------------------------------------------
// Unique names: both projects (and both runs of a test) share one server.

let counter = 0;

/** A short tag unique to this test, project and moment, usable in names and addresses. */
export function uniqueTag(testInfo: TestInfo): string {
  counter += 1;
  return `${testInfo.project.name}-${Date.now().toString(36)}-${process.pid.toString(36)}-${counter}`.toLowerCase();
}

/** An address unique to this test and project; the app stores addresses in lower case. */
export function uniqueEmail(testInfo: TestInfo, who: string): string {
  return `${who}-${uniqueTag(testInfo)}@example.fr`;
}

// ---------------------------------------------------------------------------------------
// The operator CLI: the same binary as the server, with the same environment.

export function runCli(args: string[]): string {
  const state = readServerState();
  try {
    return execFileSync(state.binary, args, {
      cwd: state.cwd,
      env: { ...process.env, ...state.env },
      encoding: 'utf8',
      timeout: 30_000,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`server ${args.join(' ')} failed: ${e.message}\nstdout: ${e.stdout}\nstderr: ${e.stderr}`);
  }
}

export interface CreatedSchool {
  name: string;
  adminEmail: string;
  adminName: string;
  /** The link the CLI printed, for cross-checking the mailed one. */
  printedLink: string;
  output: string;
}

/** `server create-school …`: the school and its first administrator, who is mailed an invitation. */
export function createSchool(name: string, adminEmail: string, adminName: string): CreatedSchool {
  const output = runCli(['create-school', '--name', name, '--admin-email', adminEmail, '--admin-name', adminName]);
  const match = output.match(/^Lien d'invitation \/ invitation link: (\S+)\s*$/m);
  if (!match) {
    throw new Error(`create-school printed no invitation link:\n${output}`);
  }
  return { name, adminEmail, adminName, printedLink: match[1], output };
}

// ---------------------------------------------------------------------------------------
// Mail dropped by the server as .eml files (multipart/alternative, quoted-printable text).

export interface Mail {
  file: string;
  mtimeMs: number;
  headers: Record<string, string>;
  /** Decoded headers. */
  to: string;
  subject: string;
  /** The decoded text/plain part. */
  text: string;
}

function splitHeadersAndBody(raw: string): { headers: Record<string, string>; body: string } {
  const separator = raw.search(/\r?\n\r?\n/);
  const head = separator < 0 ? raw : raw.slice(0, separator);
  const body = separator < 0 ? '' : raw.slice(separator).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  // Unfold continuation lines, then read "Name: value".
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
  }
  return { headers, body };
}

/** Quoted-printable to bytes: soft line breaks `=\r\n` vanish, `=XX` is one byte. */
export function decodeQuotedPrintable(input: string): Buffer {
  const text = input.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function decodeBody(body: string, transferEncoding: string | undefined): string {
  switch ((transferEncoding ?? '7bit').toLowerCase()) {
    case 'quoted-printable':
      return decodeQuotedPrintable(body).toString('utf8');
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    default:
      return body;
  }
}

/** RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`) in a header. */
function decodeEncodedWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_all, _charset: string, kind: string, data: string) =>
      kind.toLowerCase() === 'b'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ')).toString('utf8'),
    );
}

/** The text/plain part of a message, searching nested multiparts. */
function plainText(headers: Record<string, string>, body: string): string | null {
  const type = headers['content-type'] ?? 'text/plain';
  if (/^multipart\//i.test(type)) {
    const boundary = type.match(/boundary="?([^";]+)"?/i)?.[1];
    if (!boundary) return null;
    const parts = body.split(`--${boundary}`).slice(1);
    for (const part of parts) {
      if (part.startsWith('--')) break; // the closing delimiter
      const parsed = splitHeadersAndBody(part.replace(/^\r?\n/, ''));
      const text = plainText(parsed.headers, parsed.body);
      if (text !== null) return text;
    }
    return null;
  }
  if (/^text\/plain/i.test(type)) {
    return decodeBody(body, headers['content-transfer-encoding']);
  }
  return null;
}

export function readMail(file: string): Mail {
  const raw = fs.readFileSync(file, 'utf8');
  const { headers, body } = splitHeadersAndBody(raw);
  const text = plainText(headers, body);
  if (text === null) {
    throw new Error(`${file} has no text/plain part`);
  }
  return {
    file,
    mtimeMs: fs.statSync(file).mtimeMs,
    headers,
    to: decodeEncodedWords(headers['to'] ?? ''),
    subject: decodeEncodedWords(headers['subject'] ?? ''),
    text,
  };
}

/** Every mail whose `To` contains `address`, newest first. */
export function mailsTo(address: string): Mail[] {
  const { mailDir } = readServerState();
  if (!fs.existsSync(mailDir)) return [];
  return fs
    .readdirSync(mailDir)
    .filter((name) => name.endsWith('.eml'))
    .map((name) => path.join(mailDir, name))
    .filter((file) => splitHeadersAndBody(fs.readFileSync(file, 'utf8')).headers['to']?.toLowerCase().includes(address.toLowerCase()))
    .map(readMail)
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
}

/** The newest mail to `address`, waiting for it to be dropped if need be. */
export async function newestMailTo(address: string, timeoutMs = 10_000): Promise<Mail> {
  let found: Mail | undefined;
  await expect
    .poll(
      () => {
        found = mailsTo(address)[0];
        return found !== undefined;
      },
      { message: `a mail to ${address} in ${readServerState().mailDir}`, timeout: timeoutMs },
    )
    .toBe(true);
  return found!;
}

/** The invitation link in a mail's text: `<public url>/invitation/<token>`. */
export function invitationLink(mail: Mail): string {
  const match = mail.text.match(/https?:\/\/[^\s<>"]+\/invitation\/[A-Za-z0-9_-]+/);
  if (!match) {
    throw new Error(`no invitation link in ${mail.file}:\n${mail.text}`);
  }
  return match[0];
}

// ---------------------------------------------------------------------------------------
// Mail accepted by the SMTP peer (the school relay of the tests), one JSON file each.

export interface PeerMessage {
  file: string;
  mail_from: string;
  rcpt_tos: string[];
  /** The message came over TLS (after STARTTLS). */
  tls: boolean;
  /** The AUTH user, or null without AUTH. */
  user: string | null;
  /** The full RFC 5322 text. */
  data: string;
  /** Decoded headers. */
  headers: Record<string, string>;
  from: string;
  to: string;
  subject: string;
}

/** Every message the peer accepted for `address` (envelope recipient), oldest first. */
export function peerMessagesTo(address: string): PeerMessage[] {
  const { maildir } = readServerState().smtpPeer;
  if (!fs.existsSync(maildir)) return [];
  return fs
    .readdirSync(maildir)
    .filter((name) => name.endsWith('.json'))
    .sort() // the names start with the time of arrival in nanoseconds
    .map((name) => {
      const file = path.join(maildir, name);
      const record = JSON.parse(fs.readFileSync(file, 'utf8')) as Omit<PeerMessage, 'file' | 'headers' | 'from' | 'to' | 'subject'>;
      const { headers } = splitHeadersAndBody(record.data);
      return {
        ...record,
        file,
        headers,
        from: decodeEncodedWords(headers['from'] ?? ''),
        to: decodeEncodedWords(headers['to'] ?? ''),
        subject: decodeEncodedWords(headers['subject'] ?? ''),
      };
    })
    .filter((message) => message.rcpt_tos.some((rcpt) => rcpt.toLowerCase() === address.toLowerCase()));
}

/** How the app shows an address it keeps in a report: `anne.martin@ecole.fr` → `a…@ecole.fr`. */
export function maskedAddress(address: string): string {
  const at = address.indexOf('@');
  return at < 0 ? '…' : `${[...address.slice(0, at)][0] ?? ''}…${address.slice(at)}`;
}

/** The newest message the peer accepted for `address`, waiting for it if need be. */
export async function newestPeerMessageTo(address: string, timeoutMs = 10_000): Promise<PeerMessage> {
  let found: PeerMessage | undefined;
  await expect
    .poll(
      () => {
        found = peerMessagesTo(address).at(-1);
        return found !== undefined;
      },
      { message: `a message to ${address} in ${readServerState().smtpPeer.maildir}`, timeout: timeoutMs },
    )
    .toBe(true);
  return found!;
}

// ---------------------------------------------------------------------------------------
// Pages.

/** The wasm has hydrated the page (the app sets `<body data-hydrated="true">`). */
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** An absolute URL of the server under test, for exact URL assertions. */
export function url(pathname: string): string {
  return new URL(pathname, readServerState().baseUrl).toString();
}

/** Matches a URL of the server under test with this path, whatever its query string. */
export function atPath(pathname: string): RegExp {
  const escaped = url(pathname).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped}(\\?[^#]*)?$`);
}

/** Fills and submits the invitation form (works with or without JavaScript). */
export async function choosePassword(page: Page, password: string, confirmation = password): Promise<void> {
  await page.locator('#password').fill(password);
  await page.locator('#confirmation').fill(confirmation);
  await page.getByRole('button', { name: 'Enregistrer et me connecter' }).click();
}

/** Fills and submits the sign-in form on the current page (/connexion). */
/**
 * On a phone the navigation and the sign-out button fold into « Menu » (a native
 * disclosure); opens it when it is folded, does nothing where it is unfolded (desktop).
 */
export async function openMenu(page: Page): Promise<void> {
  const summary = page.locator('details.menu > summary');
  if ((await summary.count()) === 0 || !(await summary.isVisible())) {
    return;
  }
  if (!(await page.locator('details.menu').evaluate((d) => (d as HTMLDetailsElement).open))) {
    await summary.click();
  }
}

/** Signs out from the header, through « Menu » on a phone. */
export async function signOut(page: Page): Promise<void> {
  await openMenu(page);
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
}

/** The main navigation, opened first on a phone. */
export async function mainNav(page: Page) {
  await openMenu(page);
  return page.getByRole('navigation', { name: 'Navigation principale' });
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

/**
 * A school created by the operator whose administrator has accepted the invitation through
 * the page; the page is left signed in on "/".
 */
export async function onboardedAdmin(
  page: Page,
  testInfo: TestInfo,
  { hydrated = true }: { hydrated?: boolean } = {},
): Promise<CreatedSchool & { password: string }> {
  const tag = uniqueTag(testInfo);
  const school = createSchool(`Collège Victor Hugo ${tag}`, `direction-${tag}@example.fr`, 'Anne Martin');
  const link = invitationLink(await newestMailTo(school.adminEmail));
  await page.goto(link);
  if (hydrated) await waitForHydration(page);
  const password = `une phrase de passe ${tag}`;
  await choosePassword(page, password);
  await expect(page).toHaveURL(url('/'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(school.name);
  return { ...school, password };
}

/**
 * On /parametres-envoi: chooses the school's own relay and fills it in with the SMTP peer's
 * address, STARTTLS, `ecole` and `password`, then the test address (works with or without
 * JavaScript; the relay's fields show once the radio is checked, by CSS alone).
 */
export async function fillSchoolRelay(
  page: Page,
  { fromAddress, password, testTo }: { fromAddress: string; password: string; testTo: string },
): Promise<void> {
  const peer = readServerState().smtpPeer;
  await page.getByLabel("En utilisant le serveur SMTP de l'établissement").check();
  await expect(page.locator('#host')).toBeVisible();
  await page.locator('#host').fill(peer.host);
  await page.locator('#port').fill(String(peer.port));
  await page.locator('#security').selectOption('starttls');
  await page.locator('#from_address').fill(fromAddress);
  await page.locator('#username').fill(peer.user);
  await page.locator('#password').fill(password);
  await page.locator('#test_to').fill(testTo);
}

// ---------------------------------------------------------------------------------------
// Accessibility.

/**
 * What the server or a library says in English, seen on French pages before (issue 16): on
 * a French page they may appear only inside the closed « Détail technique » disclosure.
 */
export const ENGLISH_FRAGMENTS = [
  'Connection refused',
  'os error',
  'EHLO did not list STARTTLS',
  'UnknownIssuer',
  'no answer within',
  'no relay configured',
  'message written to',
  'Server reply',
];

/** A French page's visible text (closed disclosures are not rendered) holds no English fragment. */
export async function expectNoEnglishFragments(page: Page, label: string): Promise<void> {
  if ((await page.locator('html').getAttribute('lang')) !== 'fr') return;
  const visible = await page.locator('main').innerText();
  for (const fragment of ENGLISH_FRAGMENTS) {
    expect(visible, `English « ${fragment} » visible on ${label} (${page.url()})`).not.toContain(fragment);
  }
}

/** The rules run: WCAG 2.0 and 2.1, levels A and AA, and axe's best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/**
 * Runs axe on the page as it is (WCAG 2.1 A/AA and best practices) and fails on any
 * violation, whatever its impact (issue 16), or on an English fragment visible on a French
 * page.
 */
export async function expectNoA11yViolations(page: Page, label: string): Promise<void> {
  await expectNoEnglishFragments(page, label);
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const report = results.violations
    .map(
      (v) =>
        `- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.replace(/\n/g, ' ')}`).join('\n'),
    )
    .join('\n');
  expect(results.violations, `axe violations on ${label} (${page.url()}):\n${report}`).toEqual([]);
}

// ---------------------------------------------------------------------------------------
// A school with its own relay (the SMTP peer), teachers, and a shared account.

/** The six-digit code in the newest message the peer accepted for `address`. */
export async function codeFor(address: string): Promise<string> {
  const message = await newestPeerMessageTo(address);
  const match = message.data.match(/Code : (\d{6})/);
  expect(match, message.data).not.toBeNull();
  return match![1];
}

/** On /parametres-envoi: the school's relay is the SMTP peer, saved. */
export async function useSchoolRelay(page: Page, testInfo: TestInfo, fromAddress: string): Promise<void> {
  await page.goto('/parametres-envoi');
  await waitForHydration(page);
  await fillSchoolRelay(page, {
    fromAddress,
    password: readServerState().smtpPeer.password,
    testTo: uniqueEmail(testInfo, 'unused'),
  });
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await expect(page.locator('#password-hint')).toHaveText('Un mot de passe est enregistré. Laissez vide pour le conserver.');
}

/** Adds a teacher from the directory; returns their address. */
export async function addTeacher(page: Page, testInfo: TestInfo, name: string, who: string): Promise<string> {
  const email = uniqueEmail(testInfo, who);
  await page.goto('/personnels');
  await waitForHydration(page);
  await page.locator('#display_name').fill(name);
  await page.locator('#email').fill(email);
  await page.locator('#category').selectOption('enseignant');
  await page.getByRole('button', { name: 'Ajouter et inviter' }).click();
  await expect(page.locator('.staff-table').getByText(name, { exact: true })).toBeVisible();
  return email;
}

/**
 * Steps 1 to 4 of the wizard for a shared account (code from the peer, secret answer
 * "Médor"); the page is left on the active account.
 */
export async function activateEstablishmentAccount(page: Page, label: string, address: string): Promise<void> {
  await page.goto('/comptes');
  await waitForHydration(page);
  const create = page.getByRole('region', { name: 'Créer un compte établissement' });
  await create.getByLabel('Désignation du compte').fill(label);
  await create.getByLabel("Adresse e-mail du compte").fill(address);
  await create.getByRole('button', { name: 'Créer et recevoir le code' }).click();
  await expect(page).toHaveURL(/\/comptes\/\d+$/);
  await waitForHydration(page);
  await page.getByLabel('Code de vérification').fill(await codeFor(address));
  await page.getByRole('button', { name: 'Vérifier le code' }).click();
  await expect(page.getByRole('heading', { name: 'Étape 3 : question secrète' })).toBeVisible();
  await page.getByLabel('Réponse', { exact: true }).fill('Médor');
  await page.getByLabel('Réponse, une seconde fois').fill('medor');
  await page.getByRole('button', { name: 'Enregistrer la question secrète' }).click();
  await expect(page.getByRole('heading', { name: 'Étape 4 : validation' })).toBeVisible();
  await page.locator('#validation_answer').fill('MEDOR');
  // Validation needs a passing test of the settings validated (issue 16).
  await page.getByRole('button', { name: "Tester l'envoi d'e-mails" }).click();
  await expect(page.getByText('Test réussi : le serveur a accepté le message.')).toBeVisible();
  await page.getByRole('button', { name: 'Valider le compte' }).click();
  await expect(page.getByText('Ce compte est actif : vous pouvez envoyer des e-mails avec lui.')).toBeVisible();
  // The wizard's step 3 is not a change of question (issue 14).
  await expect(page.getByText('Question secrète changée.')).toHaveCount(0);
}

/** Accepts the newest invitation mailed to `email` and lands on "Mes comptes d'envoi". */
export async function joinAndListUsable(page: Page, email: string, password: string): Promise<void> {
  await page.goto(invitationLink(await newestMailTo(email)));
  await waitForHydration(page);
  await choosePassword(page, password);
  await expect(page).toHaveURL(url('/'));
  await page.goto('/comptes');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("Mes comptes d'envoi");
}
