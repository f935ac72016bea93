// Issue 16, item 9: on a phone the header takes one line; the navigation and the sign-out
// button are behind « Menu » (a native disclosure, so it opens without JavaScript too), in
// rows a thumb can hit. On a desktop everything stays in view and there is no « Menu ».
import { expect, test, type Page } from '@playwright/test';
import { expectNoA11yViolations, onboardedAdmin, waitForHydration } from './helpers';

const nav = (page: Page) => page.getByRole('navigation', { name: 'Navigation principale' });

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? 'with JavaScript' : 'without JavaScript', () => {
    test.use({ javaScriptEnabled });

    test('the header folds its navigation into « Menu » on a phone only', async ({ page }, testInfo) => {
      await onboardedAdmin(page, testInfo, { hydrated: javaScriptEnabled });
      await page.goto('/');
      if (javaScriptEnabled) await waitForHydration(page);
      const menu = page.getByText('Menu', { exact: true });
      const header = page.locator('header.site-header');
      if (testInfo.project.name !== 'phone') {
        await expect(menu).toBeHidden();
        await expect(nav(page).getByRole('link', { name: 'Personnels' })).toBeVisible();
        await expect(page.getByRole('button', { name: 'Se déconnecter' })).toBeVisible();
        return;
      }
      // Folded: one line of the 844 px screen, the links out of view and out of the tab order.
      const folded = await header.boundingBox();
      expect(folded!.height).toBeLessThanOrEqual(70);
      await expect(nav(page).getByRole('link', { name: 'Personnels' })).toBeHidden();
      await expect(menu).toBeVisible();
      expect((await menu.boundingBox())!.height).toBeGreaterThanOrEqual(44);
      // Opened by the keyboard: every link and the sign-out button, each 44 px tall.
      await menu.focus();
      await page.keyboard.press('Enter');
      for (const name of ['Accueil', 'Envoi des e-mails', 'Personnels', "Jetons d'API"]) {
        const link = nav(page).getByRole('link', { name });
        await expect(link).toBeVisible();
        expect((await link.boundingBox())!.height, name).toBeGreaterThanOrEqual(44);
      }
      const signOut = page.getByRole('button', { name: 'Se déconnecter' });
      await expect(signOut).toBeVisible();
      expect((await signOut.boundingBox())!.height).toBeGreaterThanOrEqual(44);
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(scrollWidth).toBeLessThanOrEqual(390);
      if (javaScriptEnabled) {
        await expectNoA11yViolations(page, 'phone menu, open');
        // Following a link closes the menu: the next page starts with one line of header.
        await nav(page).getByRole('link', { name: 'Personnels' }).click();
        await expect(page).toHaveURL(/\/personnels$/);
        await expect(nav(page).getByRole('link', { name: 'Accueil' })).toBeHidden();
      } else {
        await nav(page).getByRole('link', { name: 'Personnels' }).click();
        await expect(page).toHaveURL(/\/personnels$/);
        await expect(nav(page).getByRole('link', { name: 'Accueil' })).toBeHidden();
      }
    });
  });
}
