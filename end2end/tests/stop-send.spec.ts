// Stopping a send in progress (issue 13, finding 5). The school's relay is paced at one
// message a minute, so a send to three families is still going when its author opens the
// confirmation step, stops it (the recipients not reached yet become "annulé") and resumes
// it; then the administrator, in a browser without JavaScript, finds it among the school's
// sends going on and stops it again with the plain forms. Runs at desktop size and at
// 390×844 (the two projects).
import { expect, test } from '@playwright/test';
import {
  activateEstablishmentAccount,
  addTeacher,
  expectNoA11yViolations,
  fillSchoolRelay,
  joinAndListUsable,
  onboardedAdmin,
  peerMessagesTo,
  readServerState,
  signIn,
  uniqueEmail,
  uniqueTag,
  url,
  waitForHydration,
  signOut,
} from './helpers';

test('the author stops a send in progress and resumes it; the administrator stops it without JavaScript', async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(180_000);
  const tag = uniqueTag(testInfo);
  const admin = await onboardedAdmin(page, testInfo);

  // The school's relay accepts one message a minute: the send will still be going.
  await page.goto('/parametres-envoi');
  await waitForHydration(page);
  await fillSchoolRelay(page, {
    fromAddress: `secretariat@${tag}.example.fr`,
    password: readServerState().smtpPeer.password,
    testTo: uniqueEmail(testInfo, 'unused'),
  });
  await page.locator('#pace_per_minute').fill('1');
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await expect(page.locator('#password-hint')).toHaveText('Un mot de passe est enregistré. Laissez vide pour le conserver.');

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

  // Bruno sends to three families.
  await joinAndListUsable(page, bruno, `une phrase de passe ${tag}`);
  await page.goto('/envoyer');
  await waitForHydration(page);
  await page.getByRole('link', { name: "Demande de justificatif d'absence" }).click();
  await expect(page.getByLabel('Objet')).toHaveValue('Absence de {eleve} : justificatif demandé');
  await page.getByLabel('Envoyer depuis le compte').selectOption({ label: `Secrétariat · ${secretariat} (établissement)` });
  const families = ['durand', 'moreau', 'petit'].map((who) => uniqueEmail(testInfo, who));
  await page.getByLabel('Destinataires', { exact: true }).fill(
    [
      'email;nom;eleve;date',
      `${families[0]};Mme Durand;Lucas;12 novembre`,
      `${families[1]};M. Moreau;Inès;13 novembre`,
      `${families[2]};Mme Petit;Hugo;13 novembre`,
    ].join('\n'),
  );
  await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
  await expect(page).toHaveURL(/\/envois\/\d+$/);
  const sendPath = new URL(page.url()).pathname;
  await expect(page.locator('.progress-text')).toContainText(/sur 3 · [23] en attente/);

  // "Arrêter l'envoi" leads to a confirmation step that says what it means.
  await waitForHydration(page);
  await page.getByRole('link', { name: "Arrêter l'envoi" }).click();
  await expect(page).toHaveURL(url(`${sendPath}?arreter=1`));
  const question = page.getByRole('region', { name: "Arrêter l'envoi ?" });
  await expect(question).toContainText(/Les [23] destinataire\(s\) en attente ne recevront rien\./);
  await expect(page.getByRole('heading', { name: "Arrêter l'envoi ?" })).toBeFocused();
  await expectNoA11yViolations(page, 'stop, confirmation');
  // "Non" goes back without stopping anything.
  await question.getByRole('link', { name: "Non, continuer l'envoi" }).click();
  await expect(page).toHaveURL(url(sendPath));
  await expect(page.getByRole('region', { name: "Arrêter l'envoi ?" })).toHaveCount(0);
  await page.getByRole('link', { name: "Arrêter l'envoi" }).click();
  await page.getByRole('button', { name: 'Oui, arrêter' }).click();

  // Stopped: back on the page, the recipients not reached are "annulé" and nothing more leaves.
  await expect(page).toHaveURL(url(sendPath));
  const stopped = page.getByRole('region', { name: 'Envoi arrêté' });
  await expect(stopped).toContainText(/[23] destinataire\(s\) annulé\(s\) ne recevront rien tant que l'envoi n'est pas repris\./);
  await expect(page.locator('.progress-text')).toContainText(/0 en attente · 0 échec\(s\) · [23] annulé\(s\)/);
  const cancelled = await page.locator('.recipient .badge.cancelled').count();
  expect(cancelled).toBeGreaterThanOrEqual(2);
  await expect(page.locator('.recipient .badge.cancelled').first()).toHaveText('annulé');
  await expect(page.getByRole('status').filter({ hasText: /^Envoi arrêté : [23] destinataire\(s\) ne recevront rien\.$/ })).toBeVisible();
  const delivered = families.map((to) => peerMessagesTo(to).length).reduce((a, b) => a + b, 0);
  expect(delivered).toBe(3 - cancelled);
  await expectNoA11yViolations(page, 'send stopped');
  await page.reload();
  await expect(page.locator('.recipient .badge.cancelled')).toHaveCount(cancelled);

  // "Reprendre l'envoi" queues them again.
  await waitForHydration(page);
  await stopped.getByRole('button', { name: "Reprendre l'envoi" }).click();
  await expect(page.getByRole('region', { name: 'Envoi arrêté' })).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: `Envoi repris : ${cancelled} destinataire(s) remis dans la file d'envoi.` })).toBeVisible();
  // (At one a minute, one of them may already have left.)
  await expect(page.locator('.progress-text')).toContainText(/[123] en attente · 0 échec\(s\)$/);
  await expect(page.locator('.recipient .badge.cancelled')).toHaveCount(0);

  // The administrator, without JavaScript, finds the send among the school's and stops it.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await plain.goto('/connexion');
  await signIn(plain, admin.adminEmail, admin.password);
  await expect(plain).toHaveURL(url('/'));
  await plain.goto('/envois');
  const others = plain.getByRole('region', { name: "En cours dans l'établissement" });
  await expect(others).toContainText('Bruno');
  await others.getByRole('link', { name: 'Absence de … : justificatif demandé' }).click();
  await expect(plain).toHaveURL(url(sendPath));
  await expect(plain.getByRole('button', { name: 'Renvoyer les échecs' })).toHaveCount(0);
  await plain.getByRole('link', { name: "Arrêter l'envoi" }).click();
  await expect(plain).toHaveURL(url(`${sendPath}?arreter=1`));
  await plain.getByRole('button', { name: 'Oui, arrêter' }).click();
  await expect(plain).toHaveURL(url(sendPath));
  await expect(plain.getByRole('region', { name: 'Envoi arrêté' })).toBeVisible();
  await expect(plain.locator('.progress-text')).toContainText('annulé(s)');
  // axe runs as a script, so not here; the stopped page was checked with JavaScript above.
  await context.close();
});
