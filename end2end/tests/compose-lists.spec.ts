// Composing as a secretary does: a list copied from Outlook (three parents, one with a
// name) is recognised as three recipients before sending, with a preview of the first
// message; once sent, the real SMTP peer receives three messages, each with only its own
// family's address. With the wasm and without it, at desktop size and at 390×844 (the two
// projects). Templates follow the choice after hydration too.
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import {
  activateEstablishmentAccount,
  expectNoA11yViolations,
  onboardedAdmin,
  peerMessagesTo,
  uniqueEmail,
  uniqueTag,
  useSchoolRelay,
  waitForHydration,
} from './helpers';

/** A school whose administrator may send from an active "Secrétariat"; returns its label. */
async function schoolReadyToSend(page: Page, testInfo: TestInfo): Promise<string> {
  const tag = uniqueTag(testInfo);
  await onboardedAdmin(page, testInfo);
  await useSchoolRelay(page, testInfo, `secretariat@${tag}.example.fr`);
  const secretariat = uniqueEmail(testInfo, 'secretariat');
  await activateEstablishmentAccount(page, 'Secrétariat', secretariat);
  await waitForHydration(page);
  await page.getByRole('checkbox', { name: /Anne Martin/ }).check();
  await page.getByRole('button', { name: 'Valider les autorisations' }).click();
  await page.waitForLoadState('networkidle');
  return `Secrétariat · ${secretariat} (établissement)`;
}

for (const javaScript of [true, false]) {
  test(`an Outlook list of three parents is recognised, then each family gets its own message (JavaScript ${javaScript ? 'on' : 'off'})`, async ({
    page,
    browser,
  }, testInfo) => {
    test.setTimeout(120_000);
    const account = await schoolReadyToSend(page, testInfo);
    const composer = javaScript
      ? page
      : await (
          await browser.newContext({
            javaScriptEnabled: false,
            storageState: await page.context().storageState(),
            viewport: page.viewportSize(),
            locale: 'fr-FR',
          })
        ).newPage();

    await composer.goto('/envoyer');
    if (javaScript) await waitForHydration(composer);
    await composer.getByLabel('Envoyer depuis le compte').selectOption({ label: account });
    const [lea, nina, hugo] = ['lea', 'nina', 'hugo'].map((who) => uniqueEmail(testInfo, `${who}.parent`));
    // As Outlook copies a To: line: `;` between, a name on one of them.
    await composer.getByLabel('Destinataires', { exact: true }).fill(`${lea}; ${nina}; Hugo Parent <${hugo}>`);
    await composer.getByLabel('Objet').fill('Réunion parents-professeurs');
    await composer.getByLabel('Message').fill('Bonjour {nom},\n\nLa réunion a lieu jeudi à 18 h.');
    await composer.getByRole('button', { name: 'Vérifier et prévisualiser' }).click();

    const check = composer.getByRole('region', { name: "Vérification avant l'envoi" });
    await expect(check).toContainText('3 destinataires reconnus');
    await expect(check).not.toContainText('problème');
    await expect(check.locator('.preview-headers')).toContainText(lea);
    await expect(check.locator('.preview-body')).toHaveText('Bonjour Madame, Monsieur,\n\nLa réunion a lieu jeudi à 18 h.');
    await expect(composer.getByLabel('Destinataires', { exact: true })).toHaveValue(`${lea}; ${nina}; Hugo Parent <${hugo}>`);
    // axe runs as a script: the page without JavaScript is the same page, checked above.
    if (javaScript) await expectNoA11yViolations(composer, 'compose, checked');
    if (testInfo.project.name !== 'desktop') {
      await composer.screenshot({ path: testInfo.outputPath('compose-checked.png'), fullPage: true });
    }

    await composer.getByRole('button', { name: 'Envoyer', exact: true }).click();
    await expect(composer).toHaveURL(/\/envois\/\d+$/);
    if (javaScript) {
      await expect(composer.locator('.progress-text')).toHaveText('3 envoyé(s) sur 3 · 0 en attente · 0 échec(s)', {
        timeout: 30_000,
      });
    }
    const families = [lea, nina, hugo];
    for (const family of families) {
      await expect.poll(() => peerMessagesTo(family).length, { timeout: 30_000 }).toBe(1);
      const [message] = peerMessagesTo(family);
      expect(message.rcpt_tos).toEqual([family]);
      expect(message.to).toContain(family);
      for (const other of families.filter((f) => f !== family)) {
        expect(message.data, `${family} must not see ${other}`).not.toContain(other);
      }
    }
    expect(peerMessagesTo(hugo)[0].to).toBe(`"Hugo Parent" <${hugo}>`);
    expect(peerMessagesTo(hugo)[0].data).toContain('Bonjour Hugo Parent,');
  });
}

test('a template fills the subject and the text on a page opened directly, and follows a new choice', async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  await schoolReadyToSend(page, testInfo);
  await page.goto('/envoyer');
  await waitForHydration(page);
  const absence = page.getByRole('listitem').filter({ hasText: "Demande de justificatif d'absence" });
  await expect(absence).toContainText('colonnes nécessaires : eleve, date');
  await absence.getByRole('link').click();
  await expect(page.getByLabel('Objet')).toHaveValue('Absence de {eleve} : justificatif demandé');
  await expect(page.getByLabel('Message')).toHaveValue(/\{eleve\} a été absent\(e\) le \{date\}\./);
  await page.getByRole('link', { name: 'Bulletin scolaire' }).click();
  await expect(page.getByLabel('Objet')).toHaveValue('Bulletin scolaire de {eleve}');
  await expect(page.getByLabel('Message')).toHaveValue(/le bulletin scolaire de \{eleve\}/);
  await expect(page.getByLabel('Message')).not.toHaveValue(/absent/);
});
