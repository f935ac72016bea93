// axe on every page (WCAG 2.1 A/AA and best practices, no violation of any impact) and a keyboard-only sign-in.
import { expect, test } from '@playwright/test';
import {
  createSchool,
  expectNoA11yViolations,
  invitationLink,
  newestMailTo,
  onboardedAdmin,
  signIn,
  uniqueEmail,
  uniqueTag,
  url,
  waitForHydration,
} from './helpers';

test('every page has no accessibility violation', async ({ page }, testInfo) => {
  // Sign-in page, empty and showing an error.
  await page.goto('/connexion');
  await waitForHydration(page);
  await expectNoA11yViolations(page, 'the sign-in page');
  await signIn(page, uniqueEmail(testInfo, 'personne'), 'pas de compte ici');
  await expect(page.locator('#sign-in-error')).toHaveText('Adresse e-mail ou mot de passe incorrect.');
  await expectNoA11yViolations(page, 'the sign-in page with an error');

  // Invitation page.
  const tag = uniqueTag(testInfo);
  const school = createSchool(`École Jules Ferry ${tag}`, `e-${tag}@example.fr`, 'Émilie Garnier');
  await page.goto(invitationLink(await newestMailTo(school.adminEmail)));
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Choisir votre mot de passe');
  await expectNoA11yViolations(page, 'the invitation page');
  await page.locator('#password').fill('un premier essai');
  await page.locator('#confirmation').fill('un second essai');
  await page.getByRole('button', { name: 'Enregistrer et me connecter' }).click();
  await expect(page.locator('#invitation-error')).toHaveText('Les deux mots de passe ne sont pas identiques.');
  await expectNoA11yViolations(page, 'the invitation page with an error');
  const password = `mot de passe ${tag}`;
  await page.locator('#password').fill(password);
  await page.locator('#confirmation').fill(password);
  await page.getByRole('button', { name: 'Enregistrer et me connecter' }).click();

  // Home page.
  await expect(page).toHaveURL(url('/'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(school.name);
  await waitForHydration(page);
  await expectNoA11yViolations(page, 'the home page');

  // Staff directory, with a pending invitation and after an addition.
  await page.goto('/personnels');
  await waitForHydration(page);
  const memberName = 'François Petit';
  await page.locator('#display_name').fill(memberName);
  await page.locator('#email').fill(uniqueEmail(testInfo, 'f.petit'));
  await page.locator('#category').selectOption('personnel');
  await page.getByRole('button', { name: 'Ajouter et inviter' }).click();
  await expect(page.getByRole('status')).toContainText(memberName);
  await expect(page.locator('table.staff-table tbody tr').filter({ hasText: memberName })).toHaveCount(1);
  await expectNoA11yViolations(page, 'the staff directory');

  // A staff member's page.
  await page.getByRole('link', { name: `Modifier ${memberName}` }).click();
  await expect(page).toHaveURL(/\/personnels\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(memberName);
  await waitForHydration(page);
  await expect(page.locator('#display_name')).toHaveValue(memberName);
  await expectNoA11yViolations(page, "a staff member's page");

  // Page not found.
  await page.goto('/cette-page-nexiste-pas');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page introuvable');
  await waitForHydration(page);
  await expectNoA11yViolations(page, 'the 404 page');
});

test('keyboard only: the skip link comes first, then the sign-in form is filled and sent', async ({
  page,
}, testInfo) => {
  const admin = await onboardedAdmin(page, testInfo);
  await page.context().clearCookies();

  await page.goto('/connexion');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Connexion');

  // The first Tab reaches the skip link, which becomes visible.
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Aller au contenu' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();

  // Following it moves the focus to the main content; the next Tab is the e-mail field.
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(url('/connexion#contenu'));
  await expect(page.locator('main#contenu'), 'the skip link moves the keyboard focus to <main>').toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.locator('#email')).toBeFocused();
  await page.keyboard.type(admin.adminEmail);
  await page.keyboard.press('Tab');
  await expect(page.locator('#password')).toBeFocused();
  await page.keyboard.type(admin.password);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Se connecter' })).toBeFocused();
  await page.keyboard.press('Enter');

  await expect(page).toHaveURL(url('/'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(admin.name);
});
