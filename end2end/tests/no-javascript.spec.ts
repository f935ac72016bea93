// Every form must work as a plain HTML form before (or without) the wasm: a phone on a bad
// connection, a locked-down browser. Here the browser runs no JavaScript at all.
import { expect, test } from '@playwright/test';
import {
  choosePassword,
  createSchool,
  fillSchoolRelay,
  invitationLink,
  maskedAddress,
  newestMailTo,
  newestPeerMessageTo,
  onboardedAdmin,
  peerMessagesTo,
  readServerState,
  signIn,
  uniqueEmail,
  uniqueTag,
  url,
  atPath,
  signOut,
  mainNav,
} from './helpers';

test.use({ javaScriptEnabled: false });

test('without JavaScript: accept the invitation, sign out and in, add a teacher, and see a duplicate refused', async ({
  page,
}, testInfo) => {
  const tag = uniqueTag(testInfo);
  const schoolName = `Lycée Marie Curie ${tag}`;
  const adminEmail = `c-${tag}@example.fr`;
  const adminName = 'Claire Dubois';
  const password = 'une longue phrase sans script';

  createSchool(schoolName, adminEmail, adminName);
  const link = invitationLink(await newestMailTo(adminEmail));

  // The invitation form, posted as a plain form.
  await page.goto(link);
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choisir votre mot de passe');
  await expect(page.getByRole('main')).toContainText(adminName);
  await expect(page.getByRole('main')).toContainText(schoolName);
  await choosePassword(page, password);
  await expect(page).toHaveURL(url('/'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(schoolName);
  await expect(page.locator('ol.checklist > li.step')).toHaveCount(3);

  // Sign out and back in through plain forms.
  await signOut(page);
  await expect(page).toHaveURL(url('/connexion'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Connexion');
  // Signed out, the home page sends to the sign-in page by itself (an HTTP redirect).
  await page.goto('/');
  await expect(page).toHaveURL(url('/connexion'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Connexion');

  await signIn(page, adminEmail, 'mauvais mot de passe');
  await expect(page.locator('#sign-in-error')).toHaveText('Adresse e-mail ou mot de passe incorrect.');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Connexion');

  await signIn(page, adminEmail, password);
  await expect(page).toHaveURL(url('/'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(schoolName);

  // Add a teacher: the page reloads with the new row.
  await (await mainNav(page)).getByRole('link', { name: 'Personnels' }).click();
  await expect(page).toHaveURL(url('/personnels'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Annuaire du personnel');
  const teacherName = 'Denis Moreau';
  const teacherEmail = uniqueEmail(testInfo, 'd.moreau');
  await page.locator('#display_name').fill(teacherName);
  await page.locator('#email').fill(teacherEmail);
  await page.locator('#category').selectOption('enseignant');
  await page.getByRole('button', { name: 'Ajouter et inviter' }).click();

  // The server sends the browser back to the directory.
  await expect(page).toHaveURL(atPath('/personnels'));
  const table = page.locator('table.staff-table');
  const teacherRow = table.locator('tbody tr').filter({ hasText: teacherEmail });
  await expect(teacherRow).toHaveCount(1);
  await expect(teacherRow).toContainText(teacherName);
  await expect(teacherRow).toContainText('Enseignant');
  await expect(teacherRow.locator('.badge')).toHaveText('invitation envoyée');
  await expect(page.locator('#add-error')).toBeEmpty();
  expect(invitationLink(await newestMailTo(teacherEmail))).toMatch(/\/invitation\/[A-Za-z0-9_-]+$/);

  // The same address again: refused, with the French reason on the reloaded page.
  await page.locator('#display_name').fill('Denis Moreau bis');
  await page.locator('#email').fill(teacherEmail.toUpperCase());
  await page.locator('#category').selectOption('personnel');
  await page.getByRole('button', { name: 'Ajouter et inviter' }).click();

  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Annuaire du personnel');
  await expect(page.locator('#add-error')).toBeVisible();
  await expect(page.locator('#add-error')).toHaveText("Cette adresse figure déjà dans l'annuaire de l'établissement.");
  await expect(table.locator('tbody tr').filter({ hasText: teacherEmail })).toHaveCount(1);
  await expect(table.locator('tbody tr').filter({ hasText: 'Denis Moreau bis' })).toHaveCount(0);
});

test("without JavaScript: test the school's relay, save it, then see a wrong password explained", async ({
  page,
}, testInfo) => {
  const peer = readServerState().smtpPeer;
  await onboardedAdmin(page, testInfo, { hydrated: false });
  const tag = uniqueTag(testInfo);
  const fromAddress = `secretariat@${tag}.example.fr`;
  const testTo = uniqueEmail(testInfo, 'test-envoi');

  await (await mainNav(page)).getByRole('link', { name: 'Envoi des e-mails' }).click();
  await expect(page).toHaveURL(url('/parametres-envoi'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("Paramètres d'envoi des e-mails");
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  const result = page.getByRole('region', { name: 'Résultat du test' });
  await expect(result).toContainText("Aucun test pour l'instant.");

  // The test send, posted as a plain form: the reloaded page shows the kept report.
  await expect(page.locator('#host'), "hidden by CSS alone while the host's relay is chosen").toBeHidden();
  await fillSchoolRelay(page, { fromAddress, password: peer.password, testTo });
  await page.getByRole('button', { name: "Tester l'envoi d'e-mails" }).click();
  await expect(page).toHaveURL(atPath('/parametres-envoi'));
  await expect(result.getByRole('status')).toContainText('Test réussi : le serveur a accepté le message.');
  // The report keeps only a hint of the address (first letter and domain).
  await expect(result.getByRole('status')).toContainText(`Message envoyé à ${maskedAddress(testTo)} le `);
  const message = await newestPeerMessageTo(testTo);
  expect(message.tls).toBe(true);
  expect(message.user).toBe(peer.user);
  expect(message.mail_from).toBe(fromAddress);

  // A test saves nothing: the reloaded form is the saved one; fill it again and save.
  await fillSchoolRelay(page, { fromAddress, password: peer.password, testTo });
  await expect(page.locator('#password-hint')).toHaveText('Aucun mot de passe enregistré.');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  // Only the reloaded page, from the saved settings, says a password is stored.
  await expect(page.locator('#password-hint')).toHaveText('Un mot de passe est enregistré. Laissez vide pour le conserver.');
  await expect(page).toHaveURL(atPath('/parametres-envoi'));
  await expect(page.locator('#relay_school')).toBeChecked();
  await expect(page.locator('#host')).toHaveValue(peer.host);
  await expect(page.locator('#port')).toHaveValue(String(peer.port));
  await expect(page.locator('#from_address')).toHaveValue(fromAddress);
  await expect(page.locator('#username')).toHaveValue(peer.user);
  await expect(page.locator('#password')).toHaveValue('');
  await expect(page.locator('#password')).toHaveAttribute('placeholder', '••••••••');
  expect(await page.content(), 'the page never contains the SMTP password').not.toContain(peer.password);

  // A wrong password: the reloaded page explains the failure in French.
  const wrongPassword = `pas-le-bon-${tag}`;
  await page.locator('#password').fill(wrongPassword);
  await page.locator('#test_to').fill(testTo);
  await page.getByRole('button', { name: "Tester l'envoi d'e-mails" }).click();
  await expect(page).toHaveURL(atPath('/parametres-envoi'));
  const failure = result.getByRole('alert');
  await expect(failure).toContainText('Le test a échoué.');
  await expect(failure).toContainText("Le serveur a refusé l'identifiant ou le mot de passe.");
  await failure.locator('summary').click();
  await expect(failure.locator('pre.transcript')).toContainText('535');
  await expect(failure.locator('pre.transcript')).toContainText('AUTH PLAIN ********');
  const html = await page.content();
  expect(html).not.toContain(wrongPassword);
  expect(html).not.toContain(peer.password);
  expect(peerMessagesTo(testTo), 'the refused test delivered nothing').toHaveLength(1);

  // A test of a typed, unsaved password says so, and leaves step 1 done (issue 16).
  await expect(failure).toContainText('Test des valeurs saisies, non enregistrées');
  const stepOneState = page.locator('ol.checklist > li.step').first().locator('.step-state');
  await page.goto('/');
  await expect(stepOneState).toHaveText('État : Fait — dernier test réussi — Ouvrir');

  // Saved, the wrong password's failed test is step 1's: to be fixed.
  await page.goto('/parametres-envoi');
  await page.locator('#password').fill(wrongPassword);
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  await expect(page).toHaveURL(atPath('/parametres-envoi'));
  await page.goto('/');
  await expect(stepOneState).toHaveText('État : À corriger — dernier test en échec — Ouvrir');
});
