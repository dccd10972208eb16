// Outside the door screen (which says it where the picture would be): the stream to the terminal is down.
import type { ReactNode } from 'react';

import { formatClockTime } from '../common/dates.js';
import { Icon } from '../common/Icon.js';
import { useLintel } from '../store/store.js';

export function ConnectionBanner(): ReactNode {
  const stream = useLintel((state) => state.stream);
  if (stream.state !== 'lost') return null;
  return (
    <div className="connection-banner" role="alert">
      <Icon name="offline" />
      Connection to the terminal lost — reconnecting at {formatClockTime(stream.retryAtMs)}
    </div>
  );
}
