// The screens: the door by default, the login, the admin area; the decision overlay and the on-screen keyboard
// above them.
import type { ReactNode } from 'react';

import { AdminArea } from '../admin/AdminArea.js';
import { LoginScreen } from '../admin/LoginScreen.js';
import { DecisionOverlay } from '../door/DecisionOverlay.js';
import { DoorScreen } from '../door/DoorScreen.js';
import { OnScreenKeyboard } from '../keyboard/OnScreenKeyboard.js';
import { useLintel } from '../store/store.js';
import { ConnectionBanner } from './ConnectionBanner.js';

function CurrentScreen(): ReactNode {
  const screen = useLintel((state) => state.screen);
  switch (screen) {
    case 'door':
      return <DoorScreen />;
    case 'login':
      return (
        <>
          <ConnectionBanner />
          <LoginScreen />
        </>
      );
    case 'admin':
      return (
        <>
          <ConnectionBanner />
          <AdminArea />
        </>
      );
  }
}

export function App(): ReactNode {
  return (
    <div className="app">
      <div className="app-screen">
        <CurrentScreen />
      </div>
      <OnScreenKeyboard />
      <DecisionOverlay />
    </div>
  );
}
