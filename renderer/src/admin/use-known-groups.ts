// The groups the terminal knows (groups:list), for pickers and per-group settings; empty until they arrive, and
// empty when they cannot be had (the fields then offer what the settings themselves name).
import { useEffect, useState } from 'react';

import { useClient } from '../app/services.js';

export function useKnownGroups(): readonly string[] {
  const client = useClient();
  const [known, setKnown] = useState<readonly string[]>([]);
  useEffect(() => {
    let current = true;
    client['groups:list']({})
      .then((result) => {
        if (current && result.ok) setKnown(result.value.map((group) => group.name));
      })
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [client]);
  return known;
}
