// Card and face at the door screen, big like the challenge's prompt. Where the door asks for a card now, it says so
// before anyone is refused; after a card is read it asks for the card holder's face until the card's turn ends (the
// face agreed or not, or its time ran out). Whose card it was is not shown: the name appears only with a grant.
import type { ReactNode } from 'react';

import { Icon } from '../common/Icon.js';
import { useLintel } from '../store/store.js';

export function CardPrompt(): ReactNode {
  const waiting = useLintel((state) => state.cardWaiting);
  const cardDoor = useLintel((state) => state.health?.credentialMode === 'card+face');
  const onDoor = useLintel((state) => state.screen === 'door');
  const challenged = useLintel((state) => state.challenges.length > 0);
  // A running challenge is what the person must do now; it has the screen.
  if ((!waiting && !cardDoor) || !onDoor || challenged) return null;
  return (
    <div className="challenges" data-testid={waiting ? 'card-prompt' : 'card-hint'}>
      <div className="challenge" role="status" aria-live="polite">
        <div className="challenge-mark card-mark">
          <Icon name="user" />
        </div>
        <div className="challenge-body">
          <h2 className="challenge-text">{waiting ? 'Card read — look at the camera' : 'Present your card, then look at the camera'}</h2>
        </div>
      </div>
    </div>
  );
}
