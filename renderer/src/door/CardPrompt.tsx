// After a card is read at the door's reader, the door asks for the card holder's face: big, like the challenge's
// prompt, until the card's turn ends (the face agreed or not, or its time ran out). Whose card it was is not shown:
// the name appears only with a grant, once the face agreed.
import type { ReactNode } from 'react';

import { Icon } from '../common/Icon.js';
import { useLintel } from '../store/store.js';

export function CardPrompt(): ReactNode {
  const waiting = useLintel((state) => state.cardWaiting);
  const onDoor = useLintel((state) => state.screen === 'door');
  const challenged = useLintel((state) => state.challenges.length > 0);
  // A running challenge is what the person must do now; it has the screen.
  if (!waiting || !onDoor || challenged) return null;
  return (
    <div className="challenges" data-testid="card-prompt">
      <div className="challenge" role="status" aria-live="polite">
        <div className="challenge-mark card-mark">
          <Icon name="user" />
        </div>
        <div className="challenge-body">
          <h2 className="challenge-text">Card read — look at the camera</h2>
        </div>
      </div>
    </div>
  );
}
