import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { renderHubScreen } from '../test/render-hub-screen.js';
import { fireEvent, screen, waitFor } from '../test/render-screen.js';
import { HubApp } from './HubApp.js';

const SESSION = { username: 'site-admin', expiresAtMs: Date.now() + 3_600_000 };
const unauthorized = { ok: false, error: { code: 'unauthorized', message: 'log in first' } } as const;

function type(label: string | RegExp, value: string): void {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe('hub sign-in', () => {
  test('without a session the login shows; a wrong password says how many tries are left, the right one opens the persons', async () => {
    let tries = 0;
    const rendered = renderHubScreen(<HubApp />, {
      'admin:whoami': () => unauthorized,
      'admin:login': ({ password }) => (password === 'a long hub password' ? SESSION : { ok: false, error: { code: 'unauthorized', message: 'wrong', triesLeft: 4 - tries++ } }),
      'persons:list': () => ({ persons: [], total: 0 }),
      'erasures:list': () => [],
    });
    await screen.findByRole('button', { name: 'Log in' });
    type('Username', 'site-admin');
    type('Password', 'not it');
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await screen.findByText('Wrong username or password: 4 tries left before the account locks.');
    type('Password', 'a long hub password');
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await screen.findByRole('heading', { name: 'Persons' });
    assert.deepEqual(rendered.requestsOf('admin:login').at(-1), { username: 'site-admin', password: 'a long hub password' });
  });

  test('the first admin needs a password of 10 characters typed twice; a hub that refuses setup from afar says where to do it', async () => {
    const rendered = renderHubScreen(<HubApp />, {
      'admin:whoami': () => unauthorized,
      'admin:setup': () => ({ ok: false, error: { code: 'forbidden', message: 'only from the hub machine' } }),
    });
    fireEvent.click(await screen.findByRole('radio', { name: 'First admin' }));
    const submit = screen.getByRole('button', { name: 'Create the first admin' });
    type('Username', 'site-admin');
    type('Password', 'too short');
    screen.getByText('At least 10 characters.');
    assert.equal((submit as HTMLButtonElement).disabled, true);
    type('Password', 'a long hub password');
    type('Repeat the password', 'a long hub passwort');
    screen.getByText('The two passwords differ.');
    assert.equal((submit as HTMLButtonElement).disabled, true);
    type('Repeat the password', 'a long hub password');
    fireEvent.click(submit);
    await screen.findByText(/only be set up from the hub machine itself/);
    assert.equal(rendered.requestsOf('admin:setup').length, 1);
  });

  test('a call answered unauthorized (the session ended) returns to the login and says so', async () => {
    renderHubScreen(<HubApp initialTab="doors" />, {
      'admin:whoami': () => SESSION,
      'doors:list': () => unauthorized,
    });
    await screen.findByText('The session ended: log in again.');
    await waitFor(() => screen.getByRole('button', { name: 'Log in' }));
  });
});
