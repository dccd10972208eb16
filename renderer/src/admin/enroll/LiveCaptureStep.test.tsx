// The capture step when the camera is not this admin's to use: another admin's capture named with a way to take
// it over, and a capture that ended without this admin (taken over, nobody came) saying so instead of waiting.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { useLintel } from '../../store/store.js';
import { act, fireEvent, renderScreen, screen } from '../../test/render-screen.js';
import { LiveCaptureStep } from './LiveCaptureStep.js';

const SESSION = { sessionId: '6f1c1f0e-6b1a-4d43-9d6e-1f3e6b1a4d43', samplesWanted: 5 };

test('a capture another admin holds is named, with Take over and Try again', () => {
  let tookOver = 0;
  let retried = 0;
  renderScreen(
    <LiveCaptureStep
      session={null}
      error={{ code: 'conflict', message: 'ann has been enrolling at the camera since 09:41; take over to end their capture' }}
      onRetry={() => retried++}
      onTakeOver={() => tookOver++}
      onCancel={() => undefined}
    />,
  );
  assert.ok(screen.getByText('The camera is in use for another enrollment'));
  assert.ok(screen.getByText(/^ann has been enrolling at the camera since 09:41; take over to end their capture\. Taking over ends that capture/));
  fireEvent.click(screen.getByRole('button', { name: 'Take over' }));
  fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
  assert.deepEqual([tookOver, retried], [1, 1]);
});

test('a capture that saw nobody stops in words, no longer asking the person to step in front of the camera', () => {
  let restarted = 0;
  renderScreen(<LiveCaptureStep session={SESSION} error={null} onRetry={() => restarted++} onCancel={() => undefined} />);
  assert.ok(screen.getByText('Step in front of the camera'));
  act(() => useLintel.getState().receiveEnrollmentEnded(SESSION.sessionId, { reason: 'no-face', message: 'Nobody was seen at the camera for 45 s, so the capture stopped and the door runs again.' }));
  assert.ok(screen.getByText('Nobody came to the camera'));
  assert.ok(screen.getByText(/^Nobody was seen at the camera for 45 s/));
  assert.equal(screen.queryByText('Step in front of the camera'), null);
  assert.equal(screen.queryByRole('progressbar'), null);
  fireEvent.click(screen.getByRole('button', { name: 'Start again' }));
  assert.equal(restarted, 1);
});

test("another session's end is not this one's", () => {
  renderScreen(<LiveCaptureStep session={SESSION} error={null} onRetry={() => undefined} onCancel={() => undefined} />);
  act(() => useLintel.getState().receiveEnrollmentEnded('0c3e0a9e-2d8f-4b8e-9c1a-2f3e4d5c6b7a', { reason: 'taken-over', message: 'bob took over the camera' }));
  assert.equal(screen.queryByText('This capture was taken over'), null);
  assert.ok(screen.getByRole('progressbar', { name: 'Samples taken' }));
});
