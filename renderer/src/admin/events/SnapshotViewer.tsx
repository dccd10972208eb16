// An event's snapshot at the size of the screen, with what happened beside it; Escape or Close ends it.
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

import { Icon } from '../../common/Icon.js';

export function SnapshotViewer({ url, caption, onClose }: { readonly url: string; readonly caption: string; readonly onClose: () => void }): ReactNode {
  const id = useId();
  const closeRef = useRef<HTMLButtonElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;
  useEffect(() => {
    closeRef.current?.focus();
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') onCloseRef.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  // On the page's body, not inside the list row it was opened from: the row's thumbnail styles stay there.
  return createPortal(
    <div className="dialog-backdrop" onClick={(event) => event.target === event.currentTarget && onClose()}>
      <div className="dialog snapshot-viewer" role="dialog" aria-modal="true" aria-labelledby={`${id}-title`}>
        <h2 id={`${id}-title`}>{caption}</h2>
        <img src={url} alt={`Snapshot: ${caption}`} />
        <div className="button-row">
          <button type="button" className="btn" ref={closeRef} onClick={onClose}>
            <Icon name="cross" />
            Close
          </button>
        </div>
      </div>
    </div>,
    document.body,
  );
}
