// Routes each stream message: frames and overlays to the live feed (painted, never rendered by React);
// decisions, health, enrollment progress and the access-control panel's reader signals to the store.
import type { StreamSource } from '../api/stream-source.js';
import type { LiveFeed } from '../live/live-feed.js';
import type { LintelState } from '../store/store.js';

export function connectStream(stream: StreamSource, feed: LiveFeed, store: { getState(): LintelState }): () => void {
  return stream.start({
    onConnect: () => feed.newConnection(),
    onStatus: (status) => store.getState().setStreamStatus(status),
    onMessage: (message) => {
      switch (message.kind) {
        case 'frame':
        case 'analysis':
          feed.offer(message);
          break;
        case 'decision':
          store.getState().showDecision(message.decision);
          break;
        case 'health':
          store.getState().receiveHealth(message.health, message.timestampMs);
          break;
        case 'challenge':
          store.getState().receiveChallenge(message.trackId, message.prompt);
          break;
        case 'card':
          store.getState().receiveCard(message.waiting);
          break;
        case 'panel':
          store.getState().receivePanel(message);
          break;
        case 'enrollment-feedback':
          feed.offerEnrollment(message);
          store.getState().receiveEnrollmentFeedback(message.sessionId, message.feedback);
          break;
        case 'enrollment-ended':
          store.getState().receiveEnrollmentEnded(message.sessionId, message);
          break;
      }
    },
  });
}
