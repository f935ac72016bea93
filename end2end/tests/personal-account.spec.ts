// Step 2 of the checklist: a teacher's personal sending account. The school sends through
// its own relay (the real SMTP peer of the global setup), so the verification code and the
// confirmation are read from the mail that server received.
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import {
  choosePassword,
  expectNoA11yViolations,
  fillSchoolRelay,
  invitationLink,
  newestMailTo,
  newestPeerMessageTo,
  onboardedAdmin,
  peerMessagesTo,
  readServerState,
  uniqueEmail,
  uniqueTag,
  url,
  waitForHydration,
  signOut,
  mainNav,
} from './helpers';

const TEACHER = 'Bruno Lefèvre';

/**
 * A school whose administrator saved its own relay (the peer), then added a teacher who
 * accepted the invitation: the page is left signed in as the teacher, on "/".
 */
async function teacherOfASchoolWithItsRelay(page: Page, testInfo: TestInfo, hydrated: boolean): Promise<string> {
  const tag = uniqueTag(testInfo);
  await onboardedAdmin(page, testInfo, { hydrated });
  await page.goto('/parametres-envoi');
  if (hydrated) await waitForHydration(page);
  await fillSchoolRelay(page, {
    fromAddress: `secretariat@${tag}.example.fr`,
    password: readServerState().smtpPeer.password,
    testTo: uniqueEmail(testInfo, 'unused'),
  });
  await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
  // Saved (with or without JavaScript, the form then says a password is stored).
  await expect(page.locator('#password-hint')).toHaveText('Un mot de passe est enregistré. Laissez vide pour le conserver.');

  const teacherEmail = uniqueEmail(testInfo, 'bruno');
  await page.goto('/personnels');
  if (hydrated) await waitForHydration(page);
  await page.locator('#display_name').fill(TEACHER);
  await page.locator('#email').fill(teacherEmail);
  await page.locator('#category').selectOption('enseignant');
  await page.getByRole('button', { name: 'Ajouter et inviter' }).click();
  await expect(page.locator('.staff-table').getByText(TEACHER, { exact: true })).toBeVisible();
  await signOut(page);
  await expect(page).toHaveURL(url('/connexion'));

  await page.goto(invitationLink(await newestMailTo(teacherEmail)));
  if (hydrated) await waitForHydration(page);
  await choosePassword(page, `une phrase de passe ${tag}`);
  await expect(page).toHaveURL(url('/'));
  return teacherEmail;
}

/** The code in the newest verification mail the relay received for `address`. */
async function codeMailedTo(address: string, after = 0): Promise<string> {
  await expect.poll(() => peerMessagesTo(address).length, { message: `code mail ${after + 1} to ${address}` }).toBeGreaterThan(after);
  const message = await newestPeerMessageTo(address);
  expect(message.subject).toContain('Code de vérification');
  const match = message.data.match(/Code : (\d{6})/);
  expect(match, message.data).not.toBeNull();
  return match![1];
}

/** Steps 1 to 3, from the accounts page; returns the account's address. */
async function createAndVerify(page: Page, testInfo: TestInfo, hydrated: boolean): Promise<string> {
  const address = uniqueEmail(testInfo, 'bruno.perso');
  await expect(page.getByLabel('Désignation du compte')).toHaveValue(TEACHER);
  await page.getByLabel('Adresse e-mail personnelle').fill(address);
  await page.getByRole('button', { name: 'Créer et recevoir le code' }).click();
  await expect(page).toHaveURL(/\/comptes\/\d+$/);
  await expect(page.getByRole('heading', { name: 'Étape 2 : le code reçu par e-mail' })).toBeVisible();
  if (hydrated) await waitForHydration(page);
  await expect(page.locator('[aria-current="step"]')).toHaveText('Code');
  return address;
}

async function setSecret(page: Page): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Étape 3 : question secrète' })).toBeVisible();
  // The answer is the archive's only key, and the page says so (issue 16).
  await expect(page.getByText("La réponse est aussi la seule clé de l'archive", { exact: false })).toBeVisible();
  await page.getByLabel('Question', { exact: true }).selectOption({ index: 0 });
  await page.getByLabel('Réponse', { exact: true }).fill('Médor ');
  await page.getByLabel('Réponse, une seconde fois').fill('medor');
  await page.getByRole('button', { name: 'Enregistrer la question secrète' }).click();
  await expect(page.getByRole('heading', { name: 'Étape 4 : validation' })).toBeVisible();
}

async function validate(page: Page, address: string): Promise<void> {
  // The school's relay is saved with "deliver everything through the server" ticked.
  await expect(page.getByText('Le compte utilise les paramètres du serveur')).toBeVisible();
  // Validation needs a passing test of the settings validated (issue 16).
  await page.getByRole('button', { name: "Tester l'envoi d'e-mails" }).click();
  await expect(page.getByText('Test réussi : le serveur a accepté le message.')).toBeVisible();
  await page.getByRole('button', { name: 'Valider le compte' }).click();
  await expect(page.getByText('Ce compte est actif : vous pouvez envoyer des e-mails avec lui.')).toBeVisible();
  // Step 3's answer is not a change of question (issue 14).
  await expect(page.getByText('Question secrète changée.')).toHaveCount(0);
  await expect.poll(() => peerMessagesTo(address).some((m) => m.subject.startsWith("Compte d'envoi activé"))).toBe(true);
  const confirmation = peerMessagesTo(address).find((m) => m.subject.startsWith("Compte d'envoi activé"))!;
  expect(confirmation.from).toContain(TEACHER);
}

test('a teacher creates a personal account: code from the relay, secret question, validation, confirmation', async ({
  page,
}, testInfo) => {
  await teacherOfASchoolWithItsRelay(page, testInfo, true);
  await waitForHydration(page);
  // No account yet: the home page offers the checklist, not the compose page (issue 16).
  await expect(page.getByRole('link', { name: 'Commencer' })).toBeVisible();
  await expect(page.getByRole('main').getByRole('link', { name: 'Envoyer un message' })).toHaveCount(0);
  await (await mainNav(page)).getByRole('link', { name: "Mes comptes d'envoi" }).click();
  await expect(page).toHaveURL(url('/comptes'));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("Mes comptes d'envoi");
  await expectNoA11yViolations(page, 'accounts, empty');

  const address = await createAndVerify(page, testInfo, true);
  await expectNoA11yViolations(page, 'account, step 2');
  const code = await codeMailedTo(address);
  await expect(page).toHaveTitle(`Étape 2 sur 4 — Code · ${TEACHER} · École Courriel`);
  // A wrong code: the refusal takes the focus, so it is read out and Tab leads back to the
  // button (issue 16, item 5).
  const wrong = code.slice(0, -1) + String((Number(code.slice(-1)) + 1) % 10);
  await page.getByLabel('Code de vérification').fill(wrong);
  await page.getByRole('button', { name: 'Vérifier le code' }).click();
  await expect(page.locator('#code-error')).toBeFocused();
  await expect(page.locator('#code-error')).toContainText('Code incorrect.');
  await page.getByLabel('Code de vérification').fill(code);
  await page.getByRole('button', { name: 'Vérifier le code' }).click();
  // Each step's arrival moves the focus to its heading and changes the title (issue 16).
  await expect(page.getByRole('heading', { name: 'Étape 3 : question secrète' })).toBeFocused();
  await expect(page).toHaveTitle(`Étape 3 sur 4 — Question secrète · ${TEACHER} · École Courriel`);
  await expectNoA11yViolations(page, 'account, step 3');
  await setSecret(page);
  await expect(page.getByRole('heading', { name: 'Étape 4 : validation' })).toBeFocused();
  await expect(page).toHaveTitle(`Étape 4 sur 4 — Validation · ${TEACHER} · École Courriel`);
  await expectNoA11yViolations(page, 'account, step 4');
  await validate(page, address);
  await expect(page.getByRole('heading', { level: 1, name: TEACHER })).toBeFocused();
  await expectNoA11yViolations(page, 'account, active');

  // The list shows the account and its state; a closed browser resumes where it was.
  await page.goto('/comptes');
  await expect(page.getByText('Compte personnel')).toBeVisible();
  await expect(page.locator('.account-item .badge')).toHaveText('actif');
  // The home checklist's step 2 says it is done.
  await page.goto('/');
  await expect(page.locator('ol.checklist > li.step').nth(1).locator('.step-state')).toHaveText(
    'État : Fait — compte actif — Ouvrir',
  );
  // Once the account is active, the home page leads to the compose page (issue 16).
  await page.getByRole('main').getByRole('link', { name: 'Envoyer un message' }).click();
  await expect(page).toHaveURL(url('/envoyer'));
});

test('a wrong code is explained, the resend waits out its visible countdown, and the old code stops working', async ({
  page,
}, testInfo) => {
  test.setTimeout(150_000); // the resend cooldown is a real minute
  await teacherOfASchoolWithItsRelay(page, testInfo, true);
  await page.goto('/comptes');
  await waitForHydration(page);
  const address = await createAndVerify(page, testInfo, true);
  const first = await codeMailedTo(address);
  const wrong = first === '000000' ? '111111' : '000000';

  await page.getByLabel('Code de vérification').fill(wrong);
  await page.getByRole('button', { name: 'Vérifier le code' }).click();
  await expect(page.locator('#code-error')).toHaveText(
    'Code incorrect. Vérifiez les 6 chiffres : encore 4 essai(s) avant que ce code soit annulé.',
  );

  // The resend button counts down, then works.
  const resend = page.locator('form.resend button');
  await expect(resend).toBeDisabled();
  await expect(resend).toHaveText(/^Renvoyer le code \(dans \d+ s\)$/);
  await expect(resend).toHaveText('Renvoyer le code', { timeout: 75_000 });
  await resend.click();
  await expect(page.getByText('Un nouveau code a été envoyé ; le précédent ne fonctionne plus.')).toBeVisible();
  const second = await codeMailedTo(address, 1);

  if (second !== first) {
    await page.getByLabel('Code de vérification').fill(first);
    // The refusal of the first wrong code is still on screen: wait for this answer itself,
    // or the next code is typed while the refusal arrives and takes the focus.
    const answered = page.waitForResponse((r) => r.url().includes('/api/submit_code'));
    await page.getByRole('button', { name: 'Vérifier le code' }).click();
    await answered;
    await expect(page.locator('#code-error')).toContainText('Code incorrect.');
    await expect(page.locator('#code-error')).toBeFocused();
  }
  await page.getByLabel('Code de vérification').fill(second);
  await page.getByRole('button', { name: 'Vérifier le code' }).click();
  await setSecret(page);
  await validate(page, address);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the whole wizard works as plain forms, and a wrong code is explained on the page', async ({ page }, testInfo) => {
    await teacherOfASchoolWithItsRelay(page, testInfo, false);
    await page.goto('/comptes');
    await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
    const address = await createAndVerify(page, testInfo, false);
    const code = await codeMailedTo(address);
    await page.getByLabel('Code de vérification').fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Vérifier le code' }).click();
    await expect(page.locator('#code-error')).toContainText('Code incorrect.');
    // Without the countdown, the button stays usable and the server says how long to wait.
    await page.locator('form.resend button').click();
    await expect(page.locator('#resend-error')).toContainText('Vous pourrez en demander un nouveau dans');
    await page.getByLabel('Code de vérification').fill(code);
    await page.getByRole('button', { name: 'Vérifier le code' }).click();
    await setSecret(page);
    await validate(page, address);
  });
});
