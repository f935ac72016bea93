// Sending for real: a teacher sends an absence-justification request to three families
// from the shared "Secrétariat" account, watches the progress reach 3/3 as the real SMTP
// peer accepts each message, and reads the message in the account's archive after giving
// the secret answer. Runs at desktop size and at 390×844 (the two projects).
import { expect, test } from '@playwright/test';
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
  signOut,
  mainNav,
} from './helpers';

test('a teacher sends an absence request to three families from Secrétariat, sees 3/3, and reads it in the archive', async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const tag = uniqueTag(testInfo);
  await onboardedAdmin(page, testInfo);
  await useSchoolRelay(page, testInfo, `secretariat@${tag}.example.fr`);
  const bruno = await addTeacher(page, testInfo, 'Bruno', 'bruno');
  const secretariat = uniqueEmail(testInfo, 'secretariat');
  await activateEstablishmentAccount(page, 'Secrétariat', secretariat);
  await waitForHydration(page);
  await page.getByRole('checkbox', { name: /Bruno/ }).check();
  await page.getByRole('button', { name: 'Valider les autorisations' }).click();
  await page.waitForLoadState('networkidle');
  await page.reload();
  await expect(page.getByRole('checkbox', { name: /Bruno/ })).toBeChecked();
  await signOut(page);
  await expect(page).toHaveURL(url('/connexion'));

  // Bruno writes from the template, with the families pasted from a spreadsheet.
  await joinAndListUsable(page, bruno, `une phrase de passe ${tag}`);
  await (await mainNav(page)).getByRole('link', { name: 'Envoyer un message' }).click();
  await expect(page).toHaveURL(url('/envoyer'));
  await expectNoA11yViolations(page, 'compose, empty');
  await page.getByRole('link', { name: "Demande de justificatif d'absence" }).click();
  await expect(page.getByLabel('Objet')).toHaveValue('Absence de {eleve} : justificatif demandé');
  await page.getByLabel('Envoyer depuis le compte').selectOption({ label: `Secrétariat · ${secretariat} (établissement)` });
  const families = ['durand', 'moreau', 'petit'].map((who) => uniqueEmail(testInfo, who));
  // A line that is not an address is refused by number, nothing is queued, nothing typed is lost.
  await page.getByLabel('Destinataires', { exact: true }).fill(`email;nom;eleve;date\n${families[0]};Mme Durand;Lucas;12 novembre\npas-une-adresse;X;Y;Z`);
  await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
  await expect(page).toHaveURL(/\/envoyer\?brouillon=\d+&refuse=1#verification$/);
  await expect(page.getByRole('alert').filter({ hasText: "Rien n'a été envoyé" })).toContainText(
    "Ligne 3 « pas-une-adresse;X;Y;Z » : aucune adresse e-mail n'y est reconnue.",
  );
  await expect(page.getByLabel('Objet')).toHaveValue('Absence de {eleve} : justificatif demandé');
  await expect(page.getByLabel('Destinataires', { exact: true })).toHaveValue(/pas-une-adresse/);
  expect(peerMessagesTo(families[0])).toHaveLength(0);
  await page.getByLabel('Destinataires', { exact: true }).fill(
    [
      'email;nom;eleve;date',
      `${families[0]};Mme Durand;Lucas;12 novembre`,
      `${families[1]};M. Moreau;Inès;13 novembre`,
      `${families[2]};Mme Petit;Hugo;13 novembre`,
    ].join('\n'),
  );
  await page.getByRole('button', { name: 'Envoyer', exact: true }).click();

  // The status page follows the outbox by itself until the peer has all three.
  await expect(page).toHaveURL(/\/envois\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Absence de … : justificatif demandé');
  await expect(page.locator('.progress-text')).toHaveText('3 envoyé(s) sur 3 · 0 en attente · 0 échec(s)', {
    timeout: 30_000,
  });
  await expect(page.locator('.recipient .badge.ok')).toHaveCount(3);
  await expect(page.locator('.recipient').first()).toContainText('Accepté par le serveur d\'envoi le');
  const received = peerMessagesTo(families[1]);
  expect(received).toHaveLength(1);
  expect(received[0].subject).toBe('Absence de Inès : justificatif demandé');
  // From the shared address (or, where DMARC forbids it, Reply-To it), filled for Inès.
  expect(received[0].data).toContain(secretariat);
  expect(received[0].data.replace(/=\r?\n/g, '')).toContain('13 novembre');
  await expectNoA11yViolations(page, 'send status, 3/3');

  // The archive opens with the secret answer, for this session.
  await page.getByRole('link', { name: 'Archive du compte' }).click();
  await expect(page).toHaveURL(/\/comptes\/\d+\/archive$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Archive : Secrétariat');
  await expectNoA11yViolations(page, 'archive, locked');
  await waitForHydration(page);
  await page.getByLabel('Réponse secrète', { exact: true }).fill('Médor');
  await page.getByRole('button', { name: "Ouvrir l'archive" }).click();
  const message = page.getByRole('article', { name: 'Absence de {eleve} : justificatif demandé' });
  await expect(message).toBeVisible();
  await expect(message).toContainText('par Bruno · 3 destinataire(s)');
  await message.locator('summary').click();
  await expect(message).toContainText(`M. Moreau <${families[1]}> — date : 13 novembre, eleve : Inès`);
  await expectNoA11yViolations(page, 'archive, open');
  await page.getByRole('button', { name: 'Verrouiller maintenant' }).click();
  await expect(page.getByLabel('Réponse secrète', { exact: true })).toBeVisible();
});
