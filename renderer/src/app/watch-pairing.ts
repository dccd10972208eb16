// Whether this browser still has a session with the terminal. A terminal that restarted has forgotten its device
// sessions: the stream then fails for lack of credentials, which looks like a lost connection but needs pairing
// again. While the stream is down, ask (at most every few seconds) and say which it is.
import type { ContractClient } from '../contract.js';
import type { LintelState } from '../store/store.js';

/** Least time between two pairing checks while the stream is down, ms. */
const CHECK_EVERY_MS = 5_000;

type Store = { getState(): LintelState; subscribe(listener: (state: LintelState, previous: LintelState) => void): () => void };

export function watchPairing(client: ContractClient, store: Store): () => void {
  let lastCheckMs = -Infinity;
  const check = (): void => {
    lastCheckMs = Date.now();
    client['admin:status']({})
      .then((result) => {
        if (result.ok) store.getState().setPaired(result.value.session !== null);
      })
      .catch(() => undefined);
  };
  check();
  return store.subscribe((state, previous) => {
    if (state.stream === previous.stream) return;
    if (state.stream.state === 'open') {
      if (state.paired === false) state.setPaired(true);
    } else if (state.stream.state === 'lost' && Date.now() - lastCheckMs >= CHECK_EVERY_MS) {
      check();
    }
  });
}
