// Who may pass each door: a door policy lets in chosen groups (each within its group's schedule, which is the
// site's) or every enabled person, and may set the door's own settings over the site's. A door without a policy
// lets in every enabled person. Saved as the door's 'door-policy' document (its id is the door's terminal id).
import { useCallback, useEffect, useState, type ReactNode } from 'react';

import { ConfirmDialog } from '../common/ConfirmDialog.js';
import { ErrorNotice, Notice } from '../common/ErrorNotice.js';
import { Icon } from '../common/Icon.js';
import { Segmented } from '../common/Segmented.js';
import type { Result } from '../contract.js';
import { DoorHoursEditor } from '../admin/settings/DoorHoursEditor.js';
import { GroupChips } from './GroupChips.js';
import type { HubDoor } from './hub-client.js';
import { deleteDocument, deletedText, listDocuments, saveDocument, savedText, SITE_SETTINGS_ID, type HubDocument } from './hub-documents.js';
import { useHubClient } from './hub-services.js';
import { credentialOf, credentialText, HubCredentialSection } from './HubCredentialSection.js';
import { HubLivenessSection, livenessOf, livenessText } from './HubLivenessSection.js';
import { doorHoursOf, HubSettingsFields, otherSettingKeys, SETTING_FIELDS, settingsFromTexts, settingTexts, type SettingTexts } from './HubSettingsFields.js';
import { windowText } from './HubSchedulesScreen.js';
import { useDocumentWrites } from './use-document-writes.js';
import { usePolicySections } from './use-policy-sections.js';

interface Site {
  readonly doors: readonly { readonly id: string; readonly name: string; readonly enrolled: boolean }[];
  readonly policies: readonly HubDocument<'door-policy'>[];
  readonly groups: readonly string[];
  readonly schedules: readonly HubDocument<'schedule'>[];
  readonly siteSettings: Readonly<Record<string, unknown>>;
}

/** Who may pass a door, in words. */
export function whoMayEnter(policy: HubDocument<'door-policy'> | undefined, schedules: readonly HubDocument<'schedule'>[]): string {
  if (!policy) return 'No policy: every enabled person may enter (within their groups’ schedules).';
  const allowed = policy.body.allowedGroups;
  if (allowed === null) return 'Every enabled person (within their groups’ schedules).';
  if (allowed.length === 0) return 'Nobody is let in by face.';
  const groups = allowed.map((group) => {
    const schedule = schedules.find((document) => document.id === group);
    return `${group} (${schedule ? schedule.body.windows.map(windowText).join('; ') : 'any time'})`;
  });
  return `Only ${groups.join(', ')}; anyone else is told “not allowed here”.`;
}

/** The door's own settings by their labels: "Keep events for: 30". */
export function ownSettingsText(settings: Readonly<Record<string, unknown>>): string | null {
  const texts = settingTexts(settings, 'door');
  const named = SETTING_FIELDS.filter((field) => texts[field.path]).map((field) => {
    const text = texts[field.path] ?? '';
    const shown = field.kind === 'choice' ? (field.choices.find((choice) => choice.value === text)?.label ?? text) : field.kind === 'number' && field.unit ? `${text} ${field.unit}` : text;
    return `${field.label}: ${shown}`;
  });
  const others = otherSettingKeys(settings, 'door');
  const liveness = livenessOf(settings);
  const credential = credentialOf(settings);
  const hours = doorHoursOf(settings);
  const all = [
    ...named,
    ...(hours === undefined ? [] : [`Door hours: ${hours === null ? 'any time' : hours.map(windowText).join('; ')}`]),
    ...(liveness ? [`Liveness: ${livenessText(liveness)}`] : []),
    ...(credential ? [`Card and face: ${credentialText(credential)}`] : []),
    ...others,
  ];
  return all.length > 0 ? all.join(' · ') : null;
}

function PolicyForm({
  door,
  policy,
  site,
  busy,
  onSubmit,
  onCancel,
}: {
  readonly door: { readonly id: string; readonly name: string };
  readonly policy: HubDocument<'door-policy'> | undefined;
  readonly site: Site;
  readonly busy: boolean;
  readonly onSubmit: (allowedGroups: string[] | null, settings: Record<string, unknown>) => void;
  readonly onCancel: () => void;
}): ReactNode {
  const original = policy?.body.settings ?? {};
  const [who, setWho] = useState<'everyone' | 'groups'>(policy?.body.allowedGroups ? 'groups' : 'everyone');
  const [groups, setGroups] = useState<string[]>([...(policy?.body.allowedGroups ?? [])]);
  const [texts, setTexts] = useState<SettingTexts>(() => settingTexts(original, 'door'));
  const [problems, setProblems] = useState<Readonly<Record<string, string>>>({});
  const [groupProblem, setGroupProblem] = useState<string | null>(null);
  const sections = usePolicySections(original);
  const siteHours = doorHoursOf(site.siteSettings);
  return (
    <form
      className="card hub-policy-form"
      aria-label={`Policy of ${door.name}`}
      onSubmit={(event) => {
        event.preventDefault();
        const built = settingsFromTexts(texts, original, 'door');
        const noGroup = who === 'groups' && groups.length === 0 ? 'Choose at least one group, or let every enabled person in.' : null;
        setGroupProblem(noGroup);
        setProblems('problems' in built ? built.problems : {});
        const sectionsValid = sections.check();
        if (noGroup || 'problems' in built || !sectionsValid) return;
        onSubmit(who === 'groups' ? groups : null, sections.applyTo(built.settings));
      }}
    >
      <h3>{door.name === door.id ? door.name : `${door.name} (${door.id})`}</h3>
      <Segmented
        label="Who may enter"
        value={who}
        options={[
          { value: 'everyone', label: 'Every enabled person', icon: 'users' },
          { value: 'groups', label: 'Only chosen groups', icon: 'lock' },
        ]}
        onChange={setWho}
      />
      {who === 'groups' ? (
        <>
          <GroupChips label="Groups let in" groups={site.groups} chosen={groups} onChange={setGroups} />
          <p className="field-hint">Each group enters within its schedule (Schedules); a person in none of these groups is denied “not allowed here”.</p>
          {groupProblem ? <p className="field-error">{groupProblem}</p> : null}
        </>
      ) : null}
      <h4 className="settings-subhead">
        <Icon name="settings" />
        This door's own settings
      </h4>
      <p className="field-hint">Set here, they win over the site settings at this door; empty ones follow the site.</p>
      <DoorHoursEditor hours={sections.doorHours} onChange={sections.setDoorHours} issue={sections.hoursIssue} offText={siteHours ? `The site’s (${siteHours.map(windowText).join('; ')})` : 'Any time'} />
      <HubSettingsFields scope="door" texts={texts} onChange={setTexts} problems={problems} inherited={site.siteSettings} />
      <HubLivenessSection scope="door" liveness={sections.liveness} onChange={sections.setLiveness} issues={sections.livenessIssues} groups={site.groups} siteLiveness={livenessOf(site.siteSettings)} />
      {sections.livenessIssues.size > 0 ? <p className="field-error">The liveness settings need a change before saving.</p> : null}
      <HubCredentialSection scope="door" credential={sections.credential} onChange={sections.setCredential} issues={sections.credentialIssues} groups={site.groups} siteCredential={credentialOf(site.siteSettings)} />
      {sections.credentialIssues.size > 0 ? <p className="field-error">The card and face settings need a change before saving.</p> : null}
      <div className="button-row button-row-start">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Save and send to the door
        </button>
        <button type="button" className="btn" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function HubDoorPoliciesScreen(): ReactNode {
  const client = useHubClient();
  const [site, setSite] = useState<Site | null>(null);
  const { problem, setProblem, notice, busy, setBusy, finish: finishWrite } = useDocumentWrites();
  const [editing, setEditing] = useState<string | null>(null);
  const [removing, setRemoving] = useState<HubDocument<'door-policy'> | null>(null);

  const load = useCallback(async (): Promise<void> => {
    const [doors, policies, groups, schedules, siteSettings] = await Promise.all([
      client['doors:list']({}),
      listDocuments(client, 'door-policy'),
      listDocuments(client, 'group'),
      listDocuments(client, 'schedule'),
      listDocuments(client, 'site-settings'),
    ]);
    const failed = [doors, policies, groups, schedules, siteSettings].find((result) => !result.ok);
    if (failed && !failed.ok) return setProblem(failed.error);
    if (!doors.ok || !policies.ok || !groups.ok || !schedules.ok || !siteSettings.ok) return;
    const listed = doors.value.doors.filter((door: HubDoor) => !door.revoked).map((door) => ({ id: door.id, name: door.name, enrolled: true }));
    // A policy written for a door that is not (or no longer) enrolled still shows, so it can be removed.
    const orphans = policies.value.filter((policy) => !listed.some((door) => door.id === policy.id)).map((policy) => ({ id: policy.id, name: policy.id, enrolled: false }));
    setSite({
      doors: [...listed, ...orphans],
      policies: policies.value,
      groups: groups.value.map((group) => group.id),
      schedules: schedules.value,
      siteSettings: siteSettings.value.find((document) => document.id === SITE_SETTINGS_ID)?.body.settings ?? {},
    });
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);

  const finish = (result: Result<unknown>, success: string): Promise<boolean> => finishWrite(result, success, load);

  const save = async (door: { readonly id: string; readonly name: string }, policy: HubDocument<'door-policy'> | undefined, allowedGroups: string[] | null, settings: Record<string, unknown>): Promise<void> => {
    setBusy(true);
    const result = await saveDocument(client, 'door-policy', door.id, { terminalId: door.id, allowedGroups, settings }, policy?.version ?? null);
    if (await finish(result, result.ok ? savedText(`Policy of ${door.name}`, result.value) : '')) setEditing(null);
  };

  const remove = async (policy: HubDocument<'door-policy'>): Promise<void> => {
    setBusy(true);
    const result = await deleteDocument(client, 'door-policy', policy.id, policy.version);
    setRemoving(null);
    await finish(result, result.ok ? deletedText(`Policy of ${policy.id}`, result.value) : '');
  };

  return (
    <section className="screen hub-policies" aria-labelledby="hub-policies-heading">
      <header className="screen-header">
        <h2 id="hub-policies-heading">Door policies</h2>
      </header>
      <p className="field-hint">A door's policy says which groups it lets in and may set the door's own settings. A door without a policy lets in every enabled person, within their groups' schedules.</p>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      {problem ? (
        <ErrorNotice
          error={problem}
          onRetry={() => {
            // After a conflict: the policies as they are now, the form closed.
            setProblem(null);
            setEditing(null);
            void load();
          }}
          retryText={problem.code === 'conflict' ? 'Reload' : 'Try again'}
        />
      ) : null}
      {site === null && !problem ? <p className="muted">Loading…</p> : null}
      {site && site.doors.length === 0 ? <p className="muted">No doors yet: enroll a terminal with `lintel hub enroll-terminal &lt;id&gt;`, then give it a policy here.</p> : null}
      {site && site.doors.length > 0 ? (
        <ul className="person-list" aria-label="Door policies">
          {site.doors.map((door) => {
            const policy = site.policies.find((document) => document.id === door.id);
            if (editing === door.id) {
              return (
                <li key={door.id} aria-label={door.name}>
                  <PolicyForm door={door} policy={policy} site={site} busy={busy} onSubmit={(groups, settings) => void save(door, policy, groups, settings)} onCancel={() => setEditing(null)} />
                </li>
              );
            }
            const own = policy ? ownSettingsText(policy.body.settings) : null;
            return (
              <li key={door.id} className="person-row hub-person-row" aria-label={door.name}>
                <div className="person-main">
                  <span className="person-name">
                    <Icon name="door" /> {door.name}
                    {door.name !== door.id ? <span className="muted"> ({door.id})</span> : null}
                  </span>
                  <span>{whoMayEnter(policy, site.schedules)}</span>
                  {own ? <span className="person-meta">Own settings: {own}</span> : null}
                  {door.enrolled ? null : <span className="person-meta">This door is not enrolled (or was revoked).</span>}
                </div>
                <span className={policy ? 'badge badge-ok' : 'badge'}>{policy ? `Policy v${policy.version}` : 'No policy'}</span>
                <div className="button-row">
                  {door.enrolled ? (
                    <button type="button" className="btn btn-small" disabled={busy || editing !== null} onClick={() => setEditing(door.id)}>
                      {policy ? 'Edit policy' : 'Set a policy'}
                    </button>
                  ) : null}
                  {policy ? (
                    <button type="button" className="btn btn-small btn-danger" disabled={busy} onClick={() => setRemoving(policy)}>
                      <Icon name="trash" />
                      Remove
                    </button>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ul>
      ) : null}
      {removing ? (
        <ConfirmDialog title={`Remove the policy of ${removing.id}?`} confirmText="Remove policy" danger busy={busy} onConfirm={() => void remove(removing)} onCancel={() => setRemoving(null)}>
          <p>The door then lets in every enabled person, within their groups' schedules. Settings the policy set keep their values at the door until changed.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
