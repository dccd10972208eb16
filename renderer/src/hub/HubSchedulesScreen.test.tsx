import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { fakeDocuments } from '../test/fake-hub-documents.js';
import { renderHubScreen } from '../test/render-hub-screen.js';
import { fireEvent, screen, waitFor, within } from '../test/render-screen.js';
import { HubSchedulesScreen, windowText } from './HubSchedulesScreen.js';

function site() {
  return fakeDocuments({
    group: [
      { id: 'staff', body: { name: 'staff', description: null } },
      { id: 'cleaners', body: { name: 'cleaners', description: null } },
    ],
    schedule: [{ id: 'staff', body: { group: 'staff', windows: [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' }] } }],
  });
}

describe('hub schedules', () => {
  test('windows read as runs of days and hours', () => {
    assert.equal(windowText({ days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' }), 'Mon–Fri 08:00–18:00');
    assert.equal(windowText({ days: [6, 7, 2], from: '20:00', to: '24:00' }), 'Tue, Sat, Sun 20:00–midnight');
  });

  test('the list shows each group’s windows; a new schedule is checked in the form before it is sent', async () => {
    const documents = site();
    const rendered = renderHubScreen(<HubSchedulesScreen />, documents.handlers);
    within(await screen.findByRole('listitem', { name: 'staff' })).getByText('Mon–Fri 08:00–18:00');
    fireEvent.click(screen.getByRole('button', { name: 'New schedule' }));
    const form = screen.getByRole('form', { name: 'New schedule' });
    // Only groups without a schedule are offered.
    assert.deepEqual(
      within(form)
        .getAllByRole('option')
        .map((option) => option.textContent),
      ['Choose a group', 'cleaners'],
    );
    const window = within(form).getByRole('group', { name: 'New schedule, window 1' });
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']) fireEvent.click(within(window).getByRole('button', { name: day }));
    fireEvent.change(within(window).getByLabelText('From'), { target: { value: '19:00' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save schedule' }));
    within(form).getByText('Choose the group.');
    within(form).getByText('Choose at least one day.');
    assert.equal(rendered.requestsOf('documents:put').length, 0);
    fireEvent.change(within(form).getByLabelText('Group'), { target: { value: 'cleaners' } });
    fireEvent.click(within(window).getByRole('button', { name: 'Saturday' }));
    within(form).getByText('It must end after it starts (split a window that crosses midnight in two).');
    fireEvent.click(within(form).getByRole('button', { name: 'Save schedule' }));
    assert.equal(rendered.requestsOf('documents:put').length, 0);
    fireEvent.click(within(window).getByRole('button', { name: 'Until midnight' }));
    fireEvent.click(within(form).getByRole('button', { name: 'Save schedule' }));
    await screen.findByText(/Schedule of “cleaners” saved as version 1, change #\d+: sent to doors/);
    assert.deepEqual(rendered.requestsOf('documents:put'), [{ entity: 'schedule', id: 'cleaners', body: { group: 'cleaners', windows: [{ days: [6], from: '19:00', to: '24:00' }] }, expectedVersion: null }]);
    within(await screen.findByRole('listitem', { name: 'cleaners' })).getByText('Sat 19:00–midnight');
  });

  test('an edit sends the whole schedule; the hub’s refusal names the window and keeps the form', async () => {
    const documents = site();
    const rendered = renderHubScreen(<HubSchedulesScreen />, documents.handlers);
    fireEvent.click(within(await screen.findByRole('listitem', { name: 'staff' })).getByRole('button', { name: 'Edit' }));
    const form = screen.getByRole('form', { name: 'Schedule of staff' });
    fireEvent.click(within(form).getByRole('button', { name: 'Add hours' }));
    const second = within(form).getByRole('group', { name: 'staff, window 2' });
    fireEvent.click(within(second).getByRole('button', { name: 'Saturday' }));
    documents.refuse({ code: 'invalid-request', message: 'schedule staff: windows.1.to: a time of day as HH:MM' });
    fireEvent.click(within(form).getByRole('button', { name: 'Save schedule' }));
    await screen.findByText('Schedule of “staff”: window 2, “to”: a time of day as HH:MM');
    screen.getByRole('form', { name: 'Schedule of staff' });
    assert.deepEqual(rendered.requestsOf('documents:put').at(-1), {
      entity: 'schedule',
      id: 'staff',
      body: {
        group: 'staff',
        windows: [
          { days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' },
          { days: [1, 2, 3, 4, 5, 6], from: '08:00', to: '18:00' },
        ],
      },
      expectedVersion: 1,
    });
    // Another admin's change meanwhile: this one is refused rather than written over it.
    documents.refuse(null);
    documents.putBehind('schedule', 'staff', { group: 'staff', windows: [{ days: [1], from: '09:00', to: '10:00' }] });
    fireEvent.click(within(form).getByRole('button', { name: 'Save schedule' }));
    await screen.findByText(/it was changed since version 1 was read \(now version 2\): someone else saved it meanwhile/);
    assert.deepEqual(documents.body('schedule', 'staff'), { group: 'staff', windows: [{ days: [1], from: '09:00', to: '10:00' }] }, 'theirs is kept');
    fireEvent.click(screen.getByRole('button', { name: 'Reload' }));
    // The list shows the old windows until the reload answers.
    await waitFor(() => within(screen.getByRole('listitem', { name: 'staff' })).getByText('Mon 09:00–10:00'));
  });

  test('a schedule is deleted once confirmed, saying its members may then enter at any time', async () => {
    const rendered = renderHubScreen(<HubSchedulesScreen />, site().handlers);
    fireEvent.click(within(await screen.findByRole('listitem', { name: 'staff' })).getByRole('button', { name: 'Delete' }));
    within(screen.getByRole('alertdialog')).getByText(/may then enter at any time/);
    fireEvent.click(screen.getByRole('button', { name: 'Delete schedule' }));
    await screen.findByText(/Schedule of “staff” deleted, change #\d+: sent to doors/);
    assert.deepEqual(rendered.requestsOf('documents:delete'), [{ entity: 'schedule', id: 'staff', expectedVersion: 1 }]);
    await screen.findByText('No schedules: every group may enter at any time.');
  });
});
