// « Remplir pour : » (issue 15): the relays schools have fill the school relay's fields in
// one click, with the wasm and without it, and stay editable.
import { expect, test, type Page } from '@playwright/test';
import { expectNoA11yViolations, onboardedAdmin, waitForHydration } from './helpers';

/** Each choice loads the page again; with JavaScript, wait for the page to be live. */
async function loaded(page: Page, hydrated: boolean): Promise<void> {
  if (hydrated) await waitForHydration(page);
}

async function fillFromPresets(page: Page, hydrated: boolean): Promise<void> {
  await page.getByRole('link', { name: 'Microsoft 365' }).click();
  await expect(page).toHaveURL(/modele=microsoft365/);
  await loaded(page, hydrated);
  await expect(page.getByLabel("En utilisant le serveur SMTP de l'établissement")).toBeChecked();
  await expect(page.locator('#host')).toHaveValue('smtp.office365.com');
  await expect(page.locator('#port')).toHaveValue('587');
  await expect(page.locator('#security')).toHaveValue('starttls');
  await expect(page.locator('#pace_per_minute')).toHaveValue('30');
  await expect(page.locator('#pace_per_day')).toHaveValue('10000');
  await expect(page.getByText('remplis pour Microsoft 365')).toBeVisible();

  await page.getByLabel('Messagerie académique').selectOption('nantes');
  await page.getByRole('button', { name: 'Remplir' }).click();
  await expect(page).toHaveURL(/academie=nantes/);
  await loaded(page, hydrated);
  await expect(page.locator('#host')).toHaveValue('smtp.ac-nantes.fr');
  await expect(page.getByLabel('Messagerie académique')).toHaveValue('nantes');
  await expect(page.locator('#port')).toHaveValue('465');
  await expect(page.locator('#security')).toHaveValue('tls');
  await expect(page.locator('#username-hint')).toHaveText('Votre identifiant académique (ex. : jdupont), pas votre adresse e-mail.');

  // Still editable: the preset only filled the fields.
  await page.locator('#port').fill('587');
  await expect(page.locator('#port')).toHaveValue('587');

  await page.getByRole('link', { name: 'Autre serveur' }).click();
  await expect(page).not.toHaveURL(/modele=/);
  await loaded(page, hydrated);
  await expect(page.locator('#host')).toHaveValue('');
}

test('an administrator fills the school relay from a preset', async ({ page }, testInfo) => {
  await onboardedAdmin(page, testInfo);
  await page.goto('/parametres-envoi');
  await waitForHydration(page);
  await fillFromPresets(page, true);
  await page.getByRole('link', { name: 'Google Workspace / Gmail' }).click();
  await waitForHydration(page);
  await expect(page.locator('#host')).toHaveValue('smtp.gmail.com');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'no horizontal scrolling').toBeLessThanOrEqual(0);
  await expectNoA11yViolations(page, 'presets');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the presets are plain links and a GET form', async ({ page }, testInfo) => {
    await onboardedAdmin(page, testInfo, { hydrated: false });
    await page.goto('/parametres-envoi');
    await fillFromPresets(page, false);
  });
});
