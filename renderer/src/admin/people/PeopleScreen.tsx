// People: find someone, then change their details, disable or delete them.
import { useState, type ReactNode } from 'react';

import { PeopleList } from './PeopleList.js';
import { PersonEditor } from './PersonEditor.js';

export function PeopleScreen(): ReactNode {
  const [search, setSearch] = useState('');
  const [editingId, setEditingId] = useState<string | null>(null);
  return (
    <section className="screen people" aria-labelledby="people-heading">
      <header className="screen-header">
        <h1 id="people-heading">People</h1>
      </header>
      {editingId ? <PersonEditor personId={editingId} onClose={() => setEditingId(null)} /> : <PeopleList search={search} onSearch={setSearch} onOpen={setEditingId} />}
    </section>
  );
}
