// What the access-control panel shows through this terminal when it is the panel's reader (an OSDP output): the
// reader LED as a coloured light with the panel's decision in words (green: granted, red: denied), the panel's
// text line, its door release, and its buzzer as a tone. The panel decides here, not the terminal.
import { useEffect, useRef, type ReactNode } from 'react';

import { useServices } from '../app/services.js';
import { Icon } from '../common/Icon.js';
import { useLintel } from '../store/store.js';

/** What a reader LED colour means on a panel, as panels use it. */
const LED_MEANING: Readonly<Record<string, string>> = {
  green: 'The panel granted access',
  red: 'The panel denied access',
  amber: 'The panel asks you to wait',
};

export function PanelIndicator(): ReactNode {
  const panel = useLintel((state) => state.panel);
  const onDoor = useLintel((state) => state.screen === 'door');
  const { chime } = useServices();
  const buzzedFor = useRef(-1);

  useEffect(() => {
    if (!panel?.buzzer || !onDoor || buzzedFor.current === panel.seq) return;
    buzzedFor.current = panel.seq;
    chime.buzz(panel.buzzer);
  }, [panel, onDoor, chime]);

  if (!panel || !onDoor) return null;
  const { led, text, outputActive } = panel;
  if (led === null && text === null && !outputActive) return null;
  const meaning = led === null ? null : (LED_MEANING[led.color] ?? null);
  return (
    <div className="panel-indicator" role="status" aria-live="polite" data-testid="panel-indicator" data-led={led?.color ?? 'off'}>
      {led === null ? null : <span className={led.flashing ? `panel-led panel-led-${led.color} panel-led-flashing` : `panel-led panel-led-${led.color}`} aria-hidden="true" />}
      <div className="panel-words">
        {meaning === null ? null : <p className="panel-meaning">{meaning}</p>}
        {text === null ? null : <p className="panel-text">{text}</p>}
        {outputActive ? (
          <p className="panel-output">
            <Icon name="door" />
            Door released by the panel
          </p>
        ) : null}
      </div>
    </div>
  );
}
