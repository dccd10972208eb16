// Every setting of the terminal, checked here with the contract's schema before the terminal checks it again.
// Only changed settings are sent; all or none of them are saved.
import { useCallback, useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';

import { useClient } from '../../app/services.js';
import { FieldError } from '../../common/FieldError.js';
import type { ContractErrorBody, ResponseOf } from '../../contract.js';
import { ErrorNotice, Notice } from '../../common/ErrorNotice.js';
import { Icon } from '../../common/Icon.js';
import { useLintel } from '../../store/store.js';
import type { Settings } from '../../store/types.js';
import { AccessPolicySettings } from './AccessPolicySettings.js';
import { AdminEventSettings } from './AdminEventSettings.js';
import { CardFormatSettings } from './CardFormatSettings.js';
import { CredentialSettings } from './CredentialSettings.js';
import { DoorInputsEditor } from './DoorInputsEditor.js';
import { DoorOutputsEditor } from './DoorOutputsEditor.js';
import { HardwareContext, useHardwareInventory } from './hardware.js';
import { LivenessSettings } from './LivenessSettings.js';
import { SchedulesEditor } from './SchedulesEditor.js';
import type { SectionProps } from './section-props.js';
import { changedSettings, issueAt, issueText, refusedSetting, settingsIssues, type IssuePath, type RefusedSetting } from './settings-issues.js';
import { TerminalSettings } from './TerminalSettings.js';

type Loaded = ResponseOf<'settings:get'>;

export function SettingsScreen(): ReactNode {
  const client = useClient();
  const setTerminalSettings = useLintel((state) => state.setTerminalSettings);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [draft, setDraft] = useState<Settings | null>(null);
  const [loadError, setLoadError] = useState<ContractErrorBody | null>(null);
  const [saveError, setSaveError] = useState<ContractErrorBody | string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  // What the terminal refused on the last save (a camera that gives no picture, a GPIO chip not there), at its field.
  const [refused, setRefused] = useState<RefusedSetting | null>(null);
  const hardware = useHardwareInventory();

  const load = useCallback(() => {
    setLoadError(null);
    client['settings:get']({})
      .then((result) => {
        if (result.ok) {
          setLoaded(result.value);
          setDraft(result.value.settings);
        } else {
          setLoadError(result.error);
        }
      })
      .catch(() => undefined);
  }, [client]);
  useEffect(load, [load]);

  const changed = useMemo(() => (loaded && draft ? changedSettings(loaded.settings, draft) : {}), [loaded, draft]);
  const issues = useMemo(() => settingsIssues(changed), [changed]);
  const dirty = Object.keys(changed).length > 0;

  if (!loaded || !draft) {
    return (
      <section className="screen settings" aria-labelledby="settings-heading">
        <header className="screen-header">
          <h1 id="settings-heading">Settings</h1>
        </header>
        {loadError ? <ErrorNotice error={loadError} onRetry={load} /> : <p className="muted">Loading…</p>}
      </section>
    );
  }

  const sectionProps: SectionProps = {
    draft,
    change: (key, value) => {
      setSaved(false);
      if (refused?.key === key) setRefused(null);
      setDraft({ ...draft, [key]: value });
    },
    issue: (path: IssuePath, scale?: number, unit?: string) => {
      const issue = issueAt(issues, path);
      if (issue) return issueText(issue, scale, unit);
      return refused !== null && path.length === 1 && path[0] === refused.key ? refused.message : undefined;
    },
  };

  const showFirstProblem = (): void => {
    const field = document.querySelector<HTMLElement>('.settings-form [aria-invalid="true"], .settings-form .field-error');
    field?.scrollIntoView({ block: 'center' });
    if (field instanceof HTMLInputElement) field.focus({ preventScroll: true });
  };

  const save = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!dirty || issues.size > 0 || busy) return;
    setBusy(true);
    setSaveError(null);
    setRefused(null);
    const result = await client['settings:update']({ values: changed });
    setBusy(false);
    if (!result.ok) {
      const atField = result.error.code === 'invalid-request' ? refusedSetting(result.error.message, Object.keys(changed)) : null;
      if (atField) setRefused(atField);
      else setSaveError(result.error);
      return;
    }
    setLoaded({ settings: result.value, invalidStoredKeys: loaded.invalidStoredKeys.filter((key) => !(key in changed)) });
    setDraft(result.value);
    setSaved(true);
    setTerminalSettings({ terminalName: result.value['terminal.name'], idleLogoutMs: result.value['admin.idleLogoutMs'] });
  };

  return (
    <section className="screen settings" aria-labelledby="settings-heading">
      <header className="screen-header">
        <h1 id="settings-heading">Settings</h1>
      </header>
      {loaded.invalidStoredKeys.length > 0 ? (
        <Notice tone="warning">
          <strong>Some stored settings were not valid and read as their defaults</strong>
          <span>{loaded.invalidStoredKeys.join(', ')} — check them below and save.</span>
        </Notice>
      ) : null}
      <HardwareContext.Provider value={hardware}>
        <form className="settings-form" onSubmit={(event) => void save(event)} noValidate>
          <TerminalSettings {...sectionProps} />
          <AccessPolicySettings {...sectionProps} />
          <SchedulesEditor {...sectionProps} />
          <LivenessSettings {...sectionProps} />
          <CredentialSettings {...sectionProps} />
          <DoorOutputsEditor {...sectionProps} />
          <DoorInputsEditor {...sectionProps} />
          <CardFormatSettings {...sectionProps} />
          <AdminEventSettings {...sectionProps} />
          <div className="save-bar">
            {saveError ? <ErrorNotice error={saveError} /> : null}
            {refused ? (
              <div className="save-problems" role="alert">
                <FieldError>Not saved: the terminal refused a setting (shown at its field).</FieldError>
                <button type="button" className="btn btn-small" onClick={showFirstProblem}>
                  Show
                </button>
              </div>
            ) : null}
            {issues.size > 0 ? (
              <div className="save-problems" role="alert">
                <FieldError>{issues.size === 1 ? 'One field needs fixing' : `${issues.size} fields need fixing`} before saving.</FieldError>
                <button type="button" className="btn btn-small" onClick={showFirstProblem}>
                  Show
                </button>
              </div>
            ) : null}
            {saved && !dirty ? (
              <p className="save-ok" role="status">
                <Icon name="check" />
                Settings saved.
              </p>
            ) : null}
            <div className="button-row">
              <button type="button" className="btn" onClick={() => setDraft(loaded.settings)} disabled={!dirty || busy}>
                Discard changes
              </button>
              <button type="submit" className="btn btn-primary" disabled={!dirty || issues.size > 0 || busy}>
                <Icon name="check" />
                {busy ? 'Saving…' : 'Save changes'}
              </button>
            </div>
          </div>
        </form>
      </HardwareContext.Provider>
    </section>
  );
}
