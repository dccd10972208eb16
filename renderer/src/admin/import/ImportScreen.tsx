// Bulk import from the terminal's own file system (a USB stick, a share) or a zip uploaded from this browser: start
// it, watch it, cancel it.
// The job runs on the terminal; this screen only follows it, so it can be left and come back to.
import { type ReactNode } from 'react';

import { useLintel } from '../../store/store.js';
import { ImportForm } from './ImportForm.js';
import { ImportProgress } from './ImportProgress.js';

export function ImportScreen(): ReactNode {
  const importId = useLintel((state) => state.importId);
  const setImportId = useLintel((state) => state.setImportId);
  return (
    <section className="screen import" aria-labelledby="import-heading">
      <header className="screen-header">
        <h1 id="import-heading">Import</h1>
      </header>
      {importId ? <ImportProgress importId={importId} onNewImport={() => setImportId(null)} /> : <ImportForm onStarted={setImportId} />}
    </section>
  );
}
