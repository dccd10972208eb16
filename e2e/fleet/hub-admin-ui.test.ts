// The hub's admin UI in Debian's Chromium against a real hub (`lintel hub serve --admin-port 0` on PostgreSQL and
// Mosquitto) and a real door: the first admin is set up, a person is enrolled from photos and granted at the door,
// the door shows online with its model, the event arrives with its snapshot and the filters narrow it, a group
// and a door policy made in the Access screens reach the door (who it lets in, its own settings) and a person's
// group chosen on the persons screen lets them in again, also once the group is renamed, and an erasure shows its
// progress across the doors; a door revoked on the Doors screen is cut off. Screenshots of each screen land in
// LINTEL_SCREENSHOTS when set.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { chromium, type Browser, type Page } from 'playwright';

import { revokedSerials } from '../../electron/hub/pki/certificate-authority.js';
import { hubPaths } from '../../electron/hub/pki/hub-folder.js';
import { CHROMIUM_ARGS, chromiumPath } from '../support/environment.js';
import { lfwPhoto, ROOT } from '../support/terminal.js';
import { eventually, Fleet, missingFleetPrerequisite } from './fleet.js';

function missing(): string | undefined {
  if (!existsSync(join(ROOT, 'dist', 'hub-renderer', 'hub.html'))) return 'the hub admin UI is not built: run npm run build';
  try {
    chromiumPath();
  } catch (error) {
    return (error as Error).message;
  }
  return missingFleetPrerequisite();
}

const skip = missing();
const SCREENSHOTS = process.env.LINTEL_SCREENSHOTS;

describe('the hub admin UI in a browser', { skip }, () => {
  let fleet: Fleet;
  let browser: Browser;
  let page: Page;
  const consoleProblems: string[] = [];

  before(async () => {
    fleet = await Fleet.start(['door-1'], { hubServeArgs: ['--admin-port', '0'] });
    browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    // A CSP refusal or a script error shows here; the 401 of the first session check, before the login, is expected.
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().includes('status of 401')) consoleProblems.push(message.text());
    });
    page.on('pageerror', (error) => consoleProblems.push(error.message));
  });
  after(async () => {
    await browser?.close();
    await fleet?.stop();
  });

  async function shot(name: string): Promise<void> {
    if (!SCREENSHOTS) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, `hub-${name}.png`), fullPage: true });
  }

  test('the page comes with the CSP; the first admin is set up from the hub machine', async () => {
    const origin = fleet.hub.adminOrigin;
    assert.ok(origin, `the hub printed no admin address:\n${fleet.hub.logText()}`);
    const response = await page.goto(origin);
    assert.match(response?.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await page.getByRole('radio', { name: 'First admin' }).waitFor();
    await shot('login');
    await page.getByRole('radio', { name: 'First admin' }).click();
    await page.getByLabel('Username').fill('site-admin');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByText('At least 10 characters.').waitFor();
    await page.getByLabel('Password', { exact: true }).fill('a long hub password');
    await page.getByLabel('Repeat the password').fill('a long hub password');
    await page.getByRole('button', { name: 'Create the first admin' }).click();
    await page.getByRole('heading', { name: 'Persons' }).waitFor();
    await page.getByText('0 persons').waitFor();
  });

  test('a person enrolled from photos is listed and granted at the door', async () => {
    await page.getByRole('button', { name: 'New from photos' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Colin Powell');
    await page.getByLabel('Photos', { exact: true }).setInputFiles([1, 2, 3].map((index) => lfwPhoto('Colin_Powell', index)));
    await shot('enroll');
    await page.getByRole('button', { name: 'Enroll' }).click();
    await page.getByText('Colin Powell is enrolled').waitFor({ timeout: 120_000 });
    const row = page.getByRole('listitem', { name: 'Colin Powell' });
    await row.getByText('Enabled').waitFor();
    const { persons } = await fleet.hub.store.listPersons({ search: 'Colin Powell' });
    const colinId = persons[0]?.id ?? '';
    assert.ok(colinId, 'the person is in the hub store');
    await eventually('Colin Powell at door-1', async () => (await fleet.door('door-1').person(colinId)) !== null);
    const decision = await fleet.door('door-1').decide([lfwPhoto('Colin_Powell', 4)]);
    assert.equal(decision.decision, 'granted');
    await shot('persons');
  });

  test('the door is listed online, with its model and up to date with the change log', async () => {
    await page.getByRole('button', { name: 'Doors' }).click();
    const row = page.getByRole('row', { name: 'door-1' });
    await row.getByText('Online').waitFor({ timeout: 30_000 });
    await row.getByText('Up to date').waitFor({ timeout: 30_000 });
    const model = await row.locator('td').nth(1).innerText();
    assert.doesNotMatch(model, /not reported/, 'the door reports the model it runs');
    await shot('doors');
  });

  test("the door's event arrives with its snapshot, and the filters narrow the list", async () => {
    await page.getByRole('button', { name: 'Events' }).click();
    const events = page.getByRole('list', { name: 'Events, newest first' });
    await eventually('the grant among the hub events', async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return (await events.getByText('Colin Powell').count()) > 0;
    });
    await shot('events');
    const first = events.getByRole('listitem').first();
    await first.getByText('Granted', { exact: true }).waitFor();
    // The door sends a grant's snapshot with its event.
    await first.getByRole('button', { name: /Snapshot of Colin Powell/ }).click();
    const image = page.getByRole('dialog').getByRole('img');
    await image.waitFor();
    assert.ok(await image.evaluate((element) => (element as unknown as { naturalWidth: number }).naturalWidth > 0), 'the snapshot decodes');
    await shot('snapshot');
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByLabel('Decision', { exact: true }).selectOption('denied');
    // The site's only event is a grant.
    await page.getByText('No events match these filters.').waitFor();
    await page.getByLabel('Decision', { exact: true }).selectOption('');
    await page.getByLabel('Person', { exact: true }).selectOption({ label: 'Colin Powell' });
    await page.getByLabel('Door', { exact: true }).selectOption('door-1');
    await events.getByText('Colin Powell').first().waitFor();
  });

  test("a group and a door policy made in the Access screens reach the door; the person's group lets them in again, also once renamed", async () => {
    const { persons } = await fleet.hub.store.listPersons({ search: 'Colin Powell' });
    const colinId = persons[0]?.id ?? '';
    const door = fleet.door('door-1');
    await page.getByRole('button', { name: 'Access' }).click();
    await page.getByRole('button', { name: 'New group' }).click();
    await page.getByLabel('Group name').fill('staff');
    await page.getByLabel('Description').fill('Employees');
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByText(/Group “staff” saved as version 1, change #\d+: sent to doors/).waitFor();
    await page.getByRole('listitem', { name: 'staff' }).getByText('0 members · any time').waitFor();
    await shot('groups');

    await page.getByRole('button', { name: 'Door policies' }).click();
    const row = page.getByRole('listitem', { name: 'door-1' });
    await row.getByText(/No policy: every enabled person may enter/).waitFor();
    await row.getByRole('button', { name: 'Set a policy' }).click();
    const form = page.getByRole('form', { name: 'Policy of door-1' });
    await form.getByRole('radio', { name: 'Only chosen groups' }).click();
    await form.getByRole('group', { name: 'Groups let in' }).getByRole('button', { name: 'staff' }).click();
    await form.getByLabel('Diagnostics on the door screen').selectOption('true');
    await shot('door-policy');
    await form.getByRole('button', { name: 'Save and send to the door' }).click();
    await page.getByText(/Policy of door-1 saved as version 1, change #\d+: sent to doors/).waitFor();
    await page.getByRole('listitem', { name: 'door-1' }).getByText(/Only staff \(any time\)/).waitFor();
    await shot('door-policies');
    assert.deepEqual(await fleet.hub.store.listDocuments('door-policy'), [{ id: 'door-1', version: 1, body: { terminalId: 'door-1', allowedGroups: ['staff'], settings: { 'door.showDiagnostics': true } } }]);

    // The door applies both: its allowed groups with the change log page, its own settings through its checks.
    const doorSettings = async (): Promise<Record<string, unknown>> => (await door.terminal.call<{ settings: Record<string, unknown> }>('settings:get', {})).settings;
    await eventually('the policy at door-1', async () => {
      const settings = await doorSettings();
      return JSON.stringify((settings['access.policy'] as { allowedGroups: unknown }).allowedGroups) === '["staff"]' && settings['door.showDiagnostics'] === true;
    });
    const refused = await door.decide([lfwPhoto('Colin_Powell', 5)]);
    assert.deepEqual({ decision: refused.decision, reason: refused.reason }, { decision: 'denied', reason: 'not-allowed-here' }, 'Colin is in no group door-1 lets in');

    await page.getByRole('button', { name: 'Persons' }).click();
    await page.getByRole('listitem', { name: 'Colin Powell' }).getByRole('button', { name: 'Groups' }).click();
    await page.getByRole('group', { name: 'Groups of Colin Powell' }).getByRole('button', { name: 'staff' }).click();
    await page.getByRole('button', { name: 'Save groups' }).click();
    await page.getByText('Colin Powell is in staff at every door.').waitFor();
    await eventually('Colin in staff at door-1', async () => JSON.stringify((await door.terminal.call<{ groups: string[] }>('persons:get', { id: colinId })).groups) === '["staff"]');
    const granted = await door.decide([lfwPhoto('Colin_Powell', 6)]);
    assert.deepEqual({ decision: granted.decision, person: granted.person?.id }, { decision: 'granted', person: colinId });

    // A rename moves the door's policy and the member along: the door lets Colin in under the new name.
    await page.getByRole('button', { name: 'Access' }).click();
    await page.getByRole('listitem', { name: 'staff' }).getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('listitem', { name: 'staff' }).getByLabel('Group name').fill('employees');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText(/Group “staff” renamed to “employees” \(policy of door-1 changed, 1 member moved\)/).waitFor();
    await eventually('the rename at door-1', async () => {
      const settings = await doorSettings();
      const person = await door.terminal.call<{ groups: string[] }>('persons:get', { id: colinId });
      return JSON.stringify((settings['access.policy'] as { allowedGroups: unknown }).allowedGroups) === '["employees"]' && JSON.stringify(person.groups) === '["employees"]';
    });
    const again = await door.decide([lfwPhoto('Colin_Powell', 7)]);
    assert.deepEqual({ decision: again.decision, person: again.person?.id }, { decision: 'granted', person: colinId });

    // The person's details in the terminal's own form: a card set on the hub reaches the door.
    await page.getByRole('button', { name: 'Persons' }).click();
    await page.getByRole('listitem', { name: 'Colin Powell' }).getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Facility code').fill('13');
    await page.getByLabel('Card number').fill('4242');
    await shot('person-editor');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Colin Powell is saved; every door receives the change with its next sync.').waitFor();
    await eventually('the card at door-1', async () => JSON.stringify((await door.terminal.call<{ credential: unknown }>('persons:get', { id: colinId })).credential) === '{"facilityCode":13,"cardNumber":4242}');
  });

  test("liveness and a cooldown set for the site reach the door, beside the door policy's own settings", async () => {
    const door = fleet.door('door-1');
    await page.getByRole('button', { name: 'Access' }).click();
    await page.getByRole('button', { name: 'Site settings' }).click();
    await page.getByLabel('Cooldown (s)').fill('7');
    await page.getByRole('switch', { name: 'Liveness for every door' }).click();
    await page.getByRole('radiogroup', { name: 'At every door' }).getByRole('radio', { name: 'Passive', exact: true }).click();
    await page.getByRole('radiogroup', { name: 'employees' }).getByRole('radio', { name: 'Challenge', exact: true }).click();
    await shot('site-liveness');
    await page.getByRole('button', { name: 'Save and send to doors' }).click();
    await page.getByText(/Site settings saved as version 1, change #\d+: sent to doors/).waitFor();
    // door-1's policy sets a setting of its own (diagnostics): the site's decision settings still apply there.
    await eventually('the site liveness and cooldown at door-1', async () => {
      const { settings } = await door.terminal.call<{ settings: Record<string, unknown> }>('settings:get', {});
      const policy = settings['access.policy'] as { cooldownMs: number; liveness: { mode: string | null; groups: Record<string, string> }; allowedGroups: unknown };
      return policy.cooldownMs === 7000 && policy.liveness.mode === 'passive' && policy.liveness.groups.employees === 'active' && JSON.stringify(policy.allowedGroups) === '["employees"]' && settings['door.showDiagnostics'] === true;
    });

    // door-1's own hours, without today: Colin, let in before, is outside them.
    const today = new Date().toLocaleDateString('en-GB', { weekday: 'long' });
    await page.getByRole('button', { name: 'Door policies' }).click();
    await page.getByRole('listitem', { name: 'door-1' }).getByRole('button', { name: 'Edit policy' }).click();
    const form = page.getByRole('form', { name: 'Policy of door-1' });
    await form.getByRole('switch', { name: "This door's hours" }).click();
    const hours = form.getByRole('group', { name: 'Door hours, window 1' });
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']) {
      const pressed = (await hours.getByRole('button', { name: day }).getAttribute('aria-pressed')) === 'true';
      if (pressed === (day === today)) await hours.getByRole('button', { name: day }).click();
    }
    await hours.getByRole('button', { name: 'Until midnight' }).click();
    await form.getByLabel('From').fill('00:00');
    await form.getByRole('button', { name: 'Save and send to the door' }).click();
    await page.getByText(/Policy of door-1 saved as version \d+/).waitFor();
    await eventually('the door hours at door-1', async () => {
      const { settings } = await door.terminal.call<{ settings: Record<string, unknown> }>('settings:get', {});
      const doorHours = (settings['access.policy'] as { doorHours: { days: number[] }[] | null }).doorHours;
      return doorHours !== null && doorHours.length === 1 && doorHours[0]!.days.length === 6;
    });
    const shut = await door.decide([lfwPhoto('Colin_Powell', 8)]);
    assert.deepEqual({ decision: shut.decision, reason: shut.reason }, { decision: 'denied', reason: 'outside-schedule' });

    // Taken off on the hub, the hours, the liveness and the cooldown go back to what the door had of its own.
    await page.getByRole('listitem', { name: 'door-1' }).getByRole('button', { name: 'Edit policy' }).click();
    await page.getByRole('form', { name: 'Policy of door-1' }).getByRole('switch', { name: "This door's hours" }).click();
    await page.getByRole('form', { name: 'Policy of door-1' }).getByRole('button', { name: 'Save and send to the door' }).click();
    await page.getByText(/Policy of door-1 saved as version \d+/).waitFor();
    await page.getByRole('button', { name: 'Site settings' }).click();
    await page.getByLabel('Cooldown (s)').fill('');
    await page.getByRole('switch', { name: 'Liveness for every door' }).click();
    await page.getByRole('button', { name: 'Save and send to doors' }).click();
    await page.getByText(/Site settings saved as version 2/).waitFor();
    await eventually("door-1's own settings back", async () => {
      const { settings } = await door.terminal.call<{ settings: Record<string, unknown> }>('settings:get', {});
      const policy = settings['access.policy'] as { cooldownMs: number; doorHours: unknown; liveness: { mode: string | null; groups: Record<string, string> } };
      return policy.doorHours === null && policy.cooldownMs === 0 && policy.liveness.mode === 'off' && Object.keys(policy.liveness.groups).length === 0;
    });
  });

  test('disabling and erasing from the list reaches the door, and the erasure shows 1 of 1 terminals', async () => {
    await page.getByRole('button', { name: 'Persons' }).click();
    const row = page.getByRole('listitem', { name: 'Colin Powell' });
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByText('Disabled').waitFor();
    await row.getByRole('button', { name: 'Erase' }).click();
    await page.getByRole('button', { name: 'Erase everywhere' }).click();
    await page.getByText('erased on 1 of 1 terminal').waitFor({ timeout: 60_000 });
    await page.getByText('0 persons').waitFor();
    await shot('erased');
    assert.deepEqual(consoleProblems, [], 'the page logged no errors');
  });

  test('a door revoked on the Doors screen is in the site CRL, denied in the ACL and disabled on the hub', async () => {
    await page.getByRole('button', { name: 'Doors' }).click();
    await page.getByRole('row', { name: 'door-1' }).getByRole('button', { name: 'Revoke' }).click();
    await shot('revoke');
    await page.getByRole('button', { name: 'Revoke the door' }).click();
    await page.getByText(/door-1 is revoked: the broker no longer lets it in/).waitFor();
    await page.getByRole('row', { name: 'door-1' }).getByText('Revoked').waitFor();
    const door = (await fleet.hub.store.listTerminals()).find((terminal) => terminal.id === 'door-1');
    assert.equal(door?.revoked, true);
    const paths = hubPaths(fleet.hubDir);
    assert.ok(revokedSerials(readFileSync(paths.crl, 'utf8')).includes(door.certSerial?.toLowerCase() ?? ''), 'its certificate is in the CRL');
    assert.match(readFileSync(join(paths.mosquittoDir, 'acl'), 'utf8'), /user door-1\ntopic deny #/);
    assert.deepEqual(consoleProblems, [], 'the page logged no errors');
  });
});
