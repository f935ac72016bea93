// Every form must work as a plain HTML form before (or without) the wasm: a phone on a bad
// connection, a locked-down browser. Here the browser runs no JavaScript at all.
import { expect, test } from '@playwright/test';
import {
  choosePassword,
  createSchool,
  invitationLink,
  newestMailTo,
  signIn,
  uniqueEmail,
  uniqueTag,
  url,
  atPath,
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
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
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
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Personnels' }).click();
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
