// Issue 16, item 1: Enter ("OK" on a phone keyboard) in a test-address field runs the test,
// never saves step 1 nor activates an account at step 4; with and without JavaScript.
import { expect, test, type Page } from '@playwright/test';
import { codeFor, fillSchoolRelay, onboardedAdmin, readServerState, uniqueEmail, uniqueTag, waitForHydration } from './helpers';

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? 'with JavaScript' : 'without JavaScript', () => {
    test.use({ javaScriptEnabled });
    const hydrate = async (page: Page) => {
      if (javaScriptEnabled) await waitForHydration(page);
    };

    test('Enter in the test address on step 1 tests and saves nothing', async ({ page }, testInfo) => {
      await onboardedAdmin(page, testInfo, { hydrated: javaScriptEnabled });
      await page.goto('/parametres-envoi');
      await hydrate(page);
      await page.locator('#sender_name').fill('Nom non enregistré');
      await page.locator('#test_to').fill(uniqueEmail(testInfo, 'test-envoi'));
      await page.locator('#test_to').press('Enter');
      await expect(page.getByText('Test réussi : le serveur a accepté le message.')).toBeVisible();
      await expect(page.getByText('Test des valeurs saisies, non enregistrées', { exact: false })).toBeVisible();
      // Exact: the unsaved-test note itself says « … des paramètres enregistrés. ».
      await expect(page.getByText('Paramètres enregistrés.', { exact: true })).toHaveCount(0);
      await page.goto('/');
      await expect(page.locator('ol.checklist > li.step').first().locator('.step-state')).toHaveText('État : À faire — Ouvrir');
      await page.goto('/parametres-envoi');
      await expect(page.locator('#sender_name')).not.toHaveValue('Nom non enregistré');
    });

    test('Enter in the test address at step 4 tests and does not activate the account', async ({ page }, testInfo) => {
      await onboardedAdmin(page, testInfo, { hydrated: javaScriptEnabled });
      // The school's relay is the SMTP peer, so the code is read from what it received.
      await page.goto('/parametres-envoi');
      await hydrate(page);
      await fillSchoolRelay(page, {
        fromAddress: `secretariat@${uniqueTag(testInfo)}.example.fr`,
        password: readServerState().smtpPeer.password,
        testTo: uniqueEmail(testInfo, 'unused'),
      });
      await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
      await expect(page.locator('#password-hint')).toHaveText('Un mot de passe est enregistré. Laissez vide pour le conserver.');

      const address = uniqueEmail(testInfo, 'anne.perso');
      await page.goto('/comptes');
      await hydrate(page);
      const create = page.getByRole('region', { name: 'Créer mon compte personnel' });
      await create.getByLabel('Adresse e-mail personnelle').fill(address);
      await create.getByRole('button', { name: 'Créer et recevoir le code' }).click();
      await expect(page).toHaveURL(/\/comptes\/\d+$/);
      await hydrate(page);
      await page.getByLabel('Code de vérification').fill(await codeFor(address));
      await page.getByRole('button', { name: 'Vérifier le code' }).click();
      await expect(page.getByRole('heading', { name: 'Étape 3 : question secrète' })).toBeVisible();
      await page.getByLabel('Réponse', { exact: true }).fill('Médor');
      await page.getByLabel('Réponse, une seconde fois').fill('medor');
      await page.getByRole('button', { name: 'Enregistrer la question secrète' }).click();
      await expect(page.getByRole('heading', { name: 'Étape 4 : validation' })).toBeVisible();

      await page.locator('#test_to').fill(uniqueEmail(testInfo, 'test-compte'));
      await page.locator('#test_to').press('Enter');
      await expect(page.getByText('Test réussi : le serveur a accepté le message.')).toBeVisible();
      await expect(page.getByRole('heading', { name: 'Étape 4 : validation' })).toBeVisible();
      await expect(page.getByText('Ce compte est actif : vous pouvez envoyer des e-mails avec lui.')).toHaveCount(0);
      // Reloaded, the account is still at step 4; the user's own click validates it.
      await page.reload();
      await hydrate(page);
      await expect(page.getByRole('heading', { name: 'Étape 4 : validation' })).toBeVisible();
      await page.getByRole('button', { name: 'Valider le compte' }).click();
      await expect(page.getByText('Ce compte est actif : vous pouvez envoyer des e-mails avec lui.')).toBeVisible();
    });
  });
}
