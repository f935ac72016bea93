// Issue 16, item 3: an administrator sends an invitation again (the old link then says
// what to do), and removing someone takes a confirmation that says what removal does;
// with and without JavaScript.
import { expect, test, type Page } from '@playwright/test';
import { atPath, invitationLink, mailsTo, mainNav, newestMailTo, onboardedAdmin, uniqueEmail, url, waitForHydration } from './helpers';

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? 'with JavaScript' : 'without JavaScript', () => {
    test.use({ javaScriptEnabled });
    const hydrate = async (page: Page) => {
      if (javaScriptEnabled) await waitForHydration(page);
    };

    test('an invitation is sent again, then the member is removed after confirming', async ({ page }, testInfo) => {
      await onboardedAdmin(page, testInfo, { hydrated: javaScriptEnabled });
      const email = uniqueEmail(testInfo, 'denis');
      await page.goto('/personnels');
      await hydrate(page);
      await page.locator('#display_name').fill('Denis Roy');
      await page.locator('#email').fill(email);
      await page.getByRole('button', { name: 'Ajouter et inviter' }).click();
      await expect(page.getByText('Denis Roy a été ajouté(e) ; une invitation lui a été envoyée.')).toBeVisible();
      const firstLink = invitationLink(await newestMailTo(email));

      await page.locator('.staff-table').getByRole('link', { name: 'Modifier Denis Roy' }).click();
      await expect(page).toHaveURL(/\/personnels\/\d+$/);
      await hydrate(page);
      const invitation = page.getByRole('region', { name: 'Invitation' });
      await expect(invitation).toContainText("Denis Roy n'a pas encore choisi son mot de passe.");
      await invitation.getByRole('button', { name: "Renvoyer l'invitation" }).click();
      await expect(invitation.getByRole('status')).toHaveText(`Nouvelle invitation envoyée à ${email}.`);
      await expect.poll(() => mailsTo(email).length).toBe(2);
      const secondLink = invitationLink(await newestMailTo(email));
      expect(secondLink).not.toBe(firstLink);
      const memberPage = page.url();

      // The replaced link explains itself and points to the button.
      await page.goto(firstLink);
      await expect(page.getByRole('alert')).toContainText("une invitation plus récente l'a remplacé");
      await expect(page.getByRole('alert')).toContainText("« Renvoyer l'invitation »");

      // Removing: the page says what it does; nothing happens until the box is ticked.
      await page.goto(memberPage);
      await hydrate(page);
      const removal = page.getByRole('region', { name: "Retirer de l'établissement" });
      await expect(removal).toContainText("ses envois encore en attente s'arrêtent");
      await expect(removal).toContainText('ses autres établissements ne sont pas touchés.');
      await removal.getByRole('button', { name: 'Retirer Denis Roy' }).click();
      await expect(page).toHaveURL(atPath(new URL(memberPage).pathname));
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Denis Roy');
      await removal.getByLabel("Je confirme retirer Denis Roy de l'établissement").check();
      await removal.getByRole('button', { name: 'Retirer Denis Roy' }).click();
      await expect(page).toHaveURL(url('/personnels'));
      // Said with and without JavaScript, once: not after going elsewhere and back.
      await expect(page.getByRole('status').filter({ hasText: 'Denis Roy a été retiré(e)' })).toHaveText(
        "Denis Roy a été retiré(e) de l'établissement.",
      );
      await expect(page.locator('.staff-table')).not.toContainText('Denis Roy');
      await (await mainNav(page)).getByRole('link', { name: 'Accueil' }).click();
      await (await mainNav(page)).getByRole('link', { name: 'Personnels' }).click();
      await expect(page).toHaveURL(url('/personnels'));
      await expect(page.locator('.staff-table')).toBeVisible();
      await expect(page.getByText('Denis Roy a été retiré(e)')).toHaveCount(0);

      // Removed, the newest link no longer works either.
      await page.goto(secondLink);
      await expect(page.getByRole('alert')).toContainText("Ce lien d'invitation n'est plus valable");
    });
  });
}
