import { expect, test } from '@playwright/test';
import {
  choosePassword,
  createSchool,
  invitationLink,
  mailsTo,
  newestMailTo,
  signIn,
  uniqueEmail,
  uniqueTag,
  url,
  waitForHydration,
  signOut,
  mainNav,
} from './helpers';

test('the operator creates a school, the administrator follows the invitation, adds a teacher and signs out', async ({
  page,
}, testInfo) => {
  const tag = uniqueTag(testInfo);
  const schoolName = `Collège Jean Moulin ${tag}`;
  const adminEmail = `a-${tag}@example.fr`;
  const adminName = 'Anne Martin';
  const password = 'correct cheval batterie agrafe';

  // The operator creates the school; the first administrator is mailed an invitation.
  const school = createSchool(schoolName, adminEmail, adminName);
  expect(school.output).toContain(schoolName);
  const invitationMail = await newestMailTo(adminEmail);
  expect(invitationMail.to).toContain(adminName);
  const link = invitationLink(invitationMail);
  expect(link, 'the mailed link is the one the CLI printed').toBe(school.printedLink);
  expect(link.startsWith(url('/invitation/'))).toBe(true);

  // The administrator follows the link and chooses a password.
  await page.goto(link);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choisir votre mot de passe');
  const main = page.getByRole('main');
  await expect(main).toContainText(adminName);
  await expect(main).toContainText(schoolName);
  await choosePassword(page, password);

  // Signed in, on the home page: the school's name and the three setup steps.
  await expect(page).toHaveURL(url('/'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(schoolName);
  await expect(page.getByRole('heading', { level: 2, name: "Mise en place de l'envoi des e-mails" })).toBeVisible();
  const steps = page.locator('ol.checklist > li.step');
  await expect(steps).toHaveCount(3);
  await expect(steps.locator('h3')).toHaveText([
    "Paramètres d'envoi des e-mails",
    'Compte personnel',
    'Comptes établissement (facultatif)',
  ]);
  await expect((await mainNav(page)).getByRole('link', { name: 'Accueil' })).toBeVisible();
  await expect((await mainNav(page)).getByRole('link', { name: 'Personnels' })).toHaveAttribute('href', '/personnels');
  await expect(page.locator('header .who-name')).toHaveText(adminName);
  await expect(page.getByRole('link', { name: "Gérer l'annuaire du personnel" })).toHaveAttribute('href', '/personnels');

  // The staff directory: the administrator is listed, and adds a teacher.
  await (await mainNav(page)).getByRole('link', { name: 'Personnels' }).click();
  await expect(page).toHaveURL(url('/personnels'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Annuaire du personnel');
  await waitForHydration(page);
  const table = page.locator('table.staff-table');
  await expect(table.locator('tbody tr').filter({ hasText: adminEmail })).toContainText('Administrateur');

  const teacherName = 'Bruno Lefèvre';
  const teacherEmail = uniqueEmail(testInfo, 'b.lefevre');
  await page.locator('#display_name').fill(teacherName);
  await page.locator('#email').fill(teacherEmail);
  await page.locator('#category').selectOption('enseignant');
  await expect(page.locator('#is_admin')).not.toBeChecked();
  await page.getByRole('button', { name: 'Ajouter et inviter' }).click();

  await expect(page.getByRole('status')).toHaveText(
    `${teacherName} a été ajouté(e) ; une invitation lui a été envoyée.`,
  );
  await expect(page.locator('#add-error')).toBeEmpty();
  const teacherRow = table.locator('tbody tr').filter({ hasText: teacherEmail });
  await expect(teacherRow).toHaveCount(1);
  await expect(teacherRow).toContainText(teacherName);
  await expect(teacherRow).toContainText('Enseignant');
  await expect(teacherRow.locator('.badge')).toHaveText('invitation envoyée');
  await expect(teacherRow.getByRole('link', { name: `Modifier ${teacherName}` })).toHaveAttribute(
    'href',
    /^\/personnels\/\d+$/,
  );
  await expect(table.locator('tbody tr').filter({ hasText: adminEmail }).locator('.badge')).toHaveCount(0);

  // The teacher was mailed their own invitation.
  const teacherMail = await newestMailTo(teacherEmail);
  expect(teacherMail.to).toContain(teacherName);
  expect(teacherMail.text).toContain(schoolName);
  expect(invitationLink(teacherMail)).not.toBe(link);
  expect(mailsTo(teacherEmail)).toHaveLength(1);

  // Sign out: back to the sign-in page, and the home page now sends there.
  await signOut(page);
  await expect(page).toHaveURL(url('/connexion'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Connexion');
  await expect(page.getByRole('button', { name: 'Se déconnecter' })).toHaveCount(0);
  await expect(page.locator('header .who-name')).toHaveCount(0);
  await page.goto('/');
  await expect(page).toHaveURL(url('/connexion'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Connexion');
  // A browser asks for HTML; the server answers a signed-out visitor with a real redirect.
  const direct = await page.request.get('/', { maxRedirects: 0, headers: { Accept: 'text/html' } });
  expect(direct.status(), 'a signed-out visit to / is an HTTP redirect').toBeGreaterThanOrEqual(300);
  expect(direct.status()).toBeLessThan(400);
  expect(direct.headers()['location']).toBe('/connexion');

  // The used invitation link no longer works.
  await page.goto(link);
  await expect(page.getByRole('main').getByRole('alert').first()).toContainText("Ce lien d'invitation n'est plus valable");
  await expect(page.locator('#password')).toHaveCount(0);

  // A wrong password is refused with a French message, and the page stays.
  await page.goto('/connexion');
  await waitForHydration(page);
  await signIn(page, adminEmail, 'pas le bon mot de passe');
  await expect(page.locator('#sign-in-error')).toHaveText('Adresse e-mail ou mot de passe incorrect.');
  await expect(page).toHaveURL(url('/connexion'));

  // The right password signs in again, through the same form.
  await signIn(page, adminEmail, password);
  await expect(page).toHaveURL(url('/'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(schoolName);
  await expect(page.locator('header .who-name')).toHaveText(adminName);
});

test('the language button switches the pages to English and back', async ({ page }) => {
  await page.goto('/connexion');
  await waitForHydration(page);
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page).toHaveURL(url('/connexion'));
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await page.getByRole('button', { name: 'Français' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Connexion');
});

test('an unknown address shows the French "page not found" with a 404 status', async ({ page }) => {
  const response = await page.goto('/nulle-part');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page introuvable');
  await expect(page.getByRole('link', { name: "Retour à l'accueil" })).toHaveAttribute('href', '/');
});
