// Groups as chips: tap an existing group to add or remove it, or type a new one.
import { useState, type ReactNode } from 'react';

import { Icon } from '../../common/Icon.js';
import { TextField } from '../../common/TextField.js';
import { useKnownGroups } from '../use-known-groups.js';

export function GroupPicker({ label, value, onChange }: { readonly label: string; readonly value: readonly string[]; readonly onChange: (groups: readonly string[]) => void }): ReactNode {
  const known = useKnownGroups();
  const [newGroup, setNewGroup] = useState('');

  const all = [...new Set([...known, ...value])].sort((a, b) => a.localeCompare(b));
  const toggle = (group: string): void => onChange(value.includes(group) ? value.filter((g) => g !== group) : [...value, group]);
  const trimmed = newGroup.trim();
  const add = (): void => {
    if (!trimmed) return;
    if (!value.includes(trimmed)) onChange([...value, trimmed]);
    setNewGroup('');
  };

  return (
    <fieldset className="field group-picker">
      <legend>{label}</legend>
      {all.length > 0 ? (
        <div className="chips">
          {all.map((group) => {
            const chosen = value.includes(group);
            return (
              <button key={group} type="button" className={chosen ? 'chip chip-on' : 'chip'} aria-pressed={chosen} onClick={() => toggle(group)}>
                {chosen ? <Icon name="check" /> : <Icon name="plus" />}
                {group}
              </button>
            );
          })}
        </div>
      ) : (
        <p className="field-hint">No groups yet. Type one to create it.</p>
      )}
      <div className="inline-add">
        <TextField label="New group" value={newGroup} onChange={setNewGroup} maxLength={64} />
        <button type="button" className="btn" onClick={add} disabled={!trimmed}>
          <Icon name="plus" />
          Add group
        </button>
      </div>
    </fieldset>
  );
}
