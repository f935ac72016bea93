// Step 3 of the checklist: a shared "Secrétariat" account, its recovery key file mailed
// through the school's relay (the real SMTP peer), and who may send with it.
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  choosePassword,
  expectNoSeriousA11yViolations,
  fillSchoolRelay,
  invitationLink,
  newestMailTo,
  newestPeerMessageTo,
  onboardedAdmin,
  peerMessagesTo,
  readServerState,
  uniqueEmail,
  uniqueTag,
  url,
  waitForHydration,
  type PeerMessage,
} from './helpers';

/** The bytes of the `cleRecuperation.crbee` attachment of a message the peer received. */
function recoveryFile(message: PeerMessage): Buffer {
  const data = message.data;
  const at = data.indexOf('filename="cleRecuperation.crbee"');
  expect(at, 'the confirmation carries cleRecuperation.crbee').toBeGreaterThan(0);
  const start = data.indexOf('\r\n\r\n', at) + 4;
  const end = data.indexOf('\r\n--', start);
  return Buffer.from(data.slice(start, end).replace(/\s+/g, ''), 'base64');
}

async function codeFor(address: string): Promise<string> {
  const message = await newestPeerMessageTo(address);
  const match = message.data.match(/Code : (\d{6})/);
  expect(match, message.data).not.toBeNull();
  return match![1];
}

/** Adds a teacher from the directory; returns their address. */
async function addTeacher(page: Page, testInfo: TestInfo, name: string, who: string): Promise<string> {
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

async function joinAndListUsable(page: Page, email: string, password: string): Promise<void> {
  await page.goto(invitationLink(await newestMailTo(email)));
  await waitForHydration(page);
  await choosePassword(page, password);
  await expect(page).toHaveURL(url('/'));
  await page.goto('/comptes');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("Mes comptes d'envoi");
}

test('an administrator creates "Secrétariat", receives its recovery file, and authorises one teacher', async ({
  page,
}, testInfo) => {
  const tag = uniqueTag(testInfo);
  await onboardedAdmin(page, testInfo);
  await page.goto('/parametres-envoi');
  await waitForHydration(page);
  await fillSchoolRelay(page, {
    fromAddress: `secretariat@${tag}.example.fr`,
    password: readServerState().smtpPeer.password,
    testTo: uniqueEmail(testInfo, 'unused'),
  });
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await expect(page.locator('#password-hint')).toHaveText('Un mot de passe est enregistré. Laissez vide pour le conserver.');
  const bruno = await addTeacher(page, testInfo, 'Bruno', 'bruno');
  const chloe = await addTeacher(page, testInfo, 'Chloé', 'chloe');

  // Step 1 to 4 of the wizard, for a shared address.
  const address = uniqueEmail(testInfo, 'secretariat');
  await page.goto('/comptes');
  await waitForHydration(page);
  const create = page.getByRole('region', { name: 'Créer un compte établissement' });
  await create.getByLabel('Désignation du compte').fill('Secrétariat');
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
  await page.getByRole('button', { name: 'Valider le compte' }).click();
  await expect(page.getByText('Ce compte est actif : vous pouvez envoyer des e-mails avec lui.')).toBeVisible();

  // The confirmation arrived through the relay with the file; the page can check it.
  await expect.poll(() => peerMessagesTo(address).some((m) => m.subject.startsWith("Compte d'envoi activé"))).toBe(true);
  const confirmation = peerMessagesTo(address).find((m) => m.subject.startsWith("Compte d'envoi activé"))!;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crbee-')), 'cleRecuperation.crbee');
  fs.writeFileSync(file, recoveryFile(confirmation));
  expect(fs.readFileSync(file, 'utf8')).toContain('version: 1');
  await page.locator('#recovery_check_file').setInputFiles(file);
  await page.getByRole('button', { name: 'Vérifier le fichier' }).click();
  await expect(page.getByText('Ce fichier est bien la clé de récupération de ce compte, et il est intact.')).toBeVisible();
  await waitForHydration(page);

  // Authorise Bruno only, from the teachers, searched by name.
  await page.locator('#categorie').selectOption('enseignant');
  await page.locator('#nom').fill('bru');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await expect(page).toHaveURL(/categorie=enseignant&nom=bru/);
  await waitForHydration(page);
  await expect(page.getByRole('checkbox')).toHaveCount(1);
  await page.getByRole('checkbox', { name: /Bruno/ }).check();
  await page.getByRole('button', { name: 'Valider les autorisations' }).click();
  // Saved in the background (the page says so) or, if the click beat hydration, as a plain
  // form (the page reloads): either way the reloaded page shows the tick from the server.
  await page.waitForLoadState('networkidle');
  await page.reload();
  await expect(page.getByRole('checkbox', { name: /Bruno/ })).toBeChecked();
  await expectNoSeriousA11yViolations(page, 'establishment account, active');
  await page.goto('/');
  const stepThree = page.locator('ol.checklist > li.step').nth(2).locator('.step-state');
  await expect(stepThree).toHaveText('État : Fait — 1 compte(s) actif(s) — Ouvrir');
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await expect(page).toHaveURL(url('/connexion'));

  // Bruno sees the shared account among those he may use; Chloé does not.
  await joinAndListUsable(page, bruno, `une phrase de passe ${tag}`);
  const usable = page.getByRole('region', { name: 'Comptes établissement que je peux utiliser' });
  await expect(usable).toContainText('Secrétariat');
  await page.goto('/');
  await expect(stepThree).toHaveText('État : Vous pouvez utiliser : Secrétariat');
  await page.goto('/comptes');
  await expectNoSeriousA11yViolations(page, 'accounts, with a shared one');
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await joinAndListUsable(page, chloe, `une autre phrase ${tag}`);
  await expect(page.getByRole('region', { name: 'Comptes établissement que je peux utiliser' })).toHaveCount(0);
  await expect(page.getByRole('main')).not.toContainText('Secrétariat');
});
