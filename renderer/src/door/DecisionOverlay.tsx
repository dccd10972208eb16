// A decision at the door, full screen for a few seconds: granted with the person's name and photo, denied with
// the reason in words. A new decision replaces the one showing; a tap dismisses it.
import { useEffect, useRef, type ReactNode } from 'react';

import { useServices } from '../app/services.js';
import { formatClockTime } from '../common/dates.js';
import { Icon } from '../common/Icon.js';
import { PersonPhoto } from '../common/PersonPhoto.js';
import { DECISION_SHOWN_MS, useLintel } from '../store/store.js';
import { DECISION_REASON_TEXT } from '../wording/wording.js';

export function DecisionOverlay(): ReactNode {
  const decision = useLintel((state) => state.decision);
  const onDoor = useLintel((state) => state.screen === 'door');
  const dismiss = useLintel((state) => state.dismissDecision);
  // A grant is only as good as the door that opens: with a door controller fault it may stay shut.
  const doorFault = useLintel((state) => state.health?.doorController !== undefined);
  const { chime } = useServices();
  const chimedFor = useRef(0);

  useEffect(() => {
    if (!decision) return;
    const timer = window.setTimeout(() => dismiss(decision.eventId), DECISION_SHOWN_MS);
    return () => window.clearTimeout(timer);
  }, [decision, dismiss]);

  useEffect(() => {
    if (!decision || !onDoor || chimedFor.current === decision.eventId) return;
    chimedFor.current = decision.eventId;
    chime.play(decision.decision);
  }, [decision, onDoor, chime]);

  if (!decision || !onDoor) return null;
  const granted = decision.decision === 'granted';
  const person = decision.person;
  return (
    <div
      className={granted ? 'decision decision-granted' : 'decision decision-denied'}
      role="alert"
      aria-live="assertive"
      data-testid="decision"
      data-decision={decision.decision}
      data-reason={decision.reason}
      onClick={() => dismiss(decision.eventId)}
    >
      <div className="decision-mark">
        <Icon name={granted ? 'check' : 'cross'} />
      </div>
      <h2 className="decision-title">{granted ? 'Access granted' : 'Access denied'}</h2>
      {granted ? null : <p className="decision-reason">{DECISION_REASON_TEXT[decision.reason]}</p>}
      {granted && doorFault ? (
        <p className="decision-fault" data-testid="decision-fault">
          <Icon name="warning" />
          The door may not open — please contact reception
        </p>
      ) : null}
      {person ? (
        <div className="decision-person">
          {granted ? <PersonPhoto personId={person.id} name={person.name} size="huge" /> : null}
          <p className="decision-name">{person.name}</p>
        </div>
      ) : null}
      <p className="decision-time">
        <Icon name="clock" />
        <time dateTime={new Date(decision.decidedAtMs).toISOString()}>{formatClockTime(decision.decidedAtMs)}</time>
      </p>
    </div>
  );
}
