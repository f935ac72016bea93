// Step 3 of the checklist: a shared "Secrétariat" account, its recovery key file mailed
// through the school's relay (the real SMTP peer), and who may send with it.
import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  activateEstablishmentAccount,
  addTeacher,
  expectNoA11yViolations,
  joinAndListUsable,
  onboardedAdmin,
  peerMessagesTo,
  uniqueEmail,
  uniqueTag,
  url,
  useSchoolRelay,
  waitForHydration,
  type PeerMessage,
  signOut,
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

test('an administrator creates "Secrétariat", receives its recovery file, and authorises one teacher', async ({
  page,
}, testInfo) => {
  const tag = uniqueTag(testInfo);
  await onboardedAdmin(page, testInfo);
  await useSchoolRelay(page, testInfo, `secretariat@${tag}.example.fr`);
  const bruno = await addTeacher(page, testInfo, 'Bruno', 'bruno');
  const chloe = await addTeacher(page, testInfo, 'Chloé', 'chloe');

  // Step 1 to 4 of the wizard, for a shared address.
  const address = uniqueEmail(testInfo, 'secretariat');
  await activateEstablishmentAccount(page, 'Secrétariat', address);

  // The confirmation arrived through the relay with the file; the page can check it.
  await expect.poll(() => peerMessagesTo(address).some((m) => m.subject.startsWith("Compte d'envoi activé"))).toBe(true);
  const confirmation = peerMessagesTo(address).find((m) => m.subject.startsWith("Compte d'envoi activé"))!;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crbee-')), 'cleRecuperation.crbee');
  fs.writeFileSync(file, recoveryFile(confirmation));
  expect(fs.readFileSync(file, 'utf8')).toContain('version: 1');
  await page.locator('#recovery_check_file').setInputFiles(file);
  await page.getByRole('button', { name: 'Vérifier le fichier' }).click();
  // The page reloads at the result, not 2,000 px above it (issue 16).
  await expect(page.getByText('Ce fichier est bien la clé de récupération de ce compte, et il est intact.')).toBeInViewport();
  await waitForHydration(page);

  // Authorise Bruno only: « Ajouter des Enseignants » as in the seeds, then by name.
  const authorisations = page.getByRole('heading', { name: 'Personnels autorisés à envoyer avec ce compte' });
  await page.getByRole('link', { name: 'Ajouter des Enseignants' }).click();
  await expect(page).toHaveURL(/categorie=enseignant/);
  await expect(page.locator('#categorie')).toHaveValue('enseignant');
  await page.locator('#nom').fill('bru');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await expect(page).toHaveURL(/categorie=enseignant&nom=bru/);
  await expect(authorisations).toBeInViewport();
  await waitForHydration(page);
  await expect(page.getByRole('checkbox')).toHaveCount(1);
  await page.getByRole('checkbox', { name: /Bruno/ }).check();
  await page.getByRole('button', { name: 'Valider les autorisations' }).click();
  // Saved in the background (the page says so) or, if the click beat hydration, as a plain
  // form (the page reloads): either way the reloaded page shows the tick from the server.
  await page.waitForLoadState('networkidle');
  await page.reload();
  await expect(page.getByRole('checkbox', { name: /Bruno/ })).toBeChecked();
  await expectNoA11yViolations(page, 'establishment account, active');
  await page.goto('/');
  const stepThree = page.locator('ol.checklist > li.step').nth(2).locator('.step-state');
  await expect(stepThree).toHaveText('État : Fait — 1 compte(s) actif(s) — Ouvrir');
  await signOut(page);
  await expect(page).toHaveURL(url('/connexion'));

  // Bruno sees the shared account among those he may use; Chloé does not.
  await joinAndListUsable(page, bruno, `une phrase de passe ${tag}`);
  const usable = page.getByRole('region', { name: 'Comptes établissement que je peux utiliser' });
  await expect(usable).toContainText('Secrétariat');
  await page.goto('/');
  await expect(stepThree).toHaveText('État : Vous pouvez utiliser : Secrétariat');
  await page.goto('/comptes');
  await expectNoA11yViolations(page, 'accounts, with a shared one');
  await signOut(page);
  await joinAndListUsable(page, chloe, `une autre phrase ${tag}`);
  await expect(page.getByRole('region', { name: 'Comptes établissement que je peux utiliser' })).toHaveCount(0);
  await expect(page.getByRole('main')).not.toContainText('Secrétariat');
});
