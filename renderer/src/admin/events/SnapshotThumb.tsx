// An event's snapshot, fetched only once its row scrolls into view; a click opens it large.
import { useEffect, useRef, useState, type ReactNode } from 'react';

import { SnapshotViewer } from './SnapshotViewer.js';

import { useClient } from '../../app/services.js';
import { Icon } from '../../common/Icon.js';

export function SnapshotThumb({ eventId, hasSnapshot, caption }: { readonly eventId: number; readonly hasSnapshot: boolean; readonly caption: string }): ReactNode {
  const client = useClient();
  const ref = useRef<HTMLSpanElement>(null);
  const [visible, setVisible] = useState(false);
  const [url, setUrl] = useState<string | null>(null);
  const [missing, setMissing] = useState(!hasSnapshot);
  const [open, setOpen] = useState(false);

  useEffect(() => {
    const element = ref.current;
    if (!element || !hasSnapshot) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        setVisible(true);
        observer.disconnect();
      }
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasSnapshot]);

  useEffect(() => {
    if (!visible) return;
    let current = true;
    client['events:snapshot']({ eventId })
      .then((result) => {
        if (!current) return;
        if (result.ok) setUrl(`data:${result.value.mimeType};base64,${result.value.dataBase64}`);
        else setMissing(true);
      })
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [client, eventId, visible]);

  return (
    <span ref={ref} className="snapshot">
      {url ? (
        <button type="button" className="snapshot-button" onClick={() => setOpen(true)} aria-label={`Open the snapshot large: ${caption}`}>
          <img src={url} alt="Snapshot at the door" />
        </button>
      ) : (
        <span className="snapshot-empty" title={missing ? 'No snapshot' : 'Loading'}>
          <Icon name={missing ? 'camera' : 'clock'} />
          <span className="visually-hidden">{missing ? 'No snapshot' : 'Loading snapshot'}</span>
        </span>
      )}
      {open && url ? <SnapshotViewer url={url} caption={caption} onClose={() => setOpen(false)} /> : null}
    </span>
  );
}
