// A person's enrolled photo, or their initials while it loads or when there is none.
import { useEffect, useState, type ReactNode } from 'react';

import { useServices } from '../app/services.js';

export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words.at(-1)] : words.slice(0, 1);
  return letters.map((word) => [...(word ?? '')][0]?.toUpperCase() ?? '').join('') || '?';
}

export function PersonPhoto({ personId, name, size }: { readonly personId: string | null; readonly name: string; readonly size: 'small' | 'large' | 'huge' }): ReactNode {
  const { photos } = useServices();
  const [photo, setPhoto] = useState<{ readonly personId: string; readonly url: string | null } | null>(null);
  useEffect(() => {
    if (personId === null) return;
    let current = true;
    photos
      .get(personId)
      .then((url) => {
        if (current) setPhoto({ personId, url });
      })
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [personId, photos]);
  const url = photo && photo.personId === personId ? photo.url : null;
  return url ? (
    <img className={`person-photo person-photo-${size}`} src={url} alt={`Photo of ${name}`} />
  ) : (
    <span className={`person-photo person-photo-${size} person-initials`} role="img" aria-label={`${name} (no photo)`}>
      {initialsOf(name)}
    </span>
  );
}
