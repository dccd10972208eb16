// The default screen: the camera picture with its overlays, the time, the terminal's state, what the
// access-control panel shows (when the terminal is its reader), and a way into the admin area.
import type { ReactNode } from 'react';

import { Icon } from '../common/Icon.js';
import { LiveCanvas } from '../live/LiveCanvas.js';
import { useLintel } from '../store/store.js';
import { CameraNotice } from './CameraNotice.js';
import { CardPrompt } from './CardPrompt.js';
import { ChallengePrompts } from './ChallengePrompt.js';
import { Clock } from './Clock.js';
import { PanelIndicator } from './PanelIndicator.js';
import { StatusLine } from './StatusLine.js';

export function DoorScreen(): ReactNode {
  const terminalName = useLintel((state) => state.terminalName);
  const openLogin = useLintel((state) => state.openLogin);
  return (
    <main className="door" aria-labelledby="door-heading">
      <h1 id="door-heading" className="visually-hidden">
        Door
      </h1>
      <LiveCanvas mode="door" label="Camera view with the faces it sees" className="door-canvas" />
      <CameraNotice />
      <ChallengePrompts />
      <CardPrompt />
      <PanelIndicator />
      <header className="door-top">
        <div className="door-name">
          <Icon name="door" />
          <span>{terminalName ?? 'Lintel'}</span>
        </div>
        <Clock />
      </header>
      <footer className="door-bottom">
        <StatusLine />
        <button type="button" className="btn door-admin" onClick={() => openLogin()}>
          <Icon name="lock" />
          Admin
        </button>
      </footer>
    </main>
  );
}
