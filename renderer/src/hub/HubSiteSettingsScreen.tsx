// The site's settings: what every door applies over its own (a door's policy may set its own over these, under
// Door policies). Saved as the one 'site' document of the change log.
import { useCallback, useEffect, useState, type ReactNode } from 'react';

import { ErrorNotice, Notice } from '../common/ErrorNotice.js';
import { Icon } from '../common/Icon.js';
import { CardFormatFields } from '../admin/settings/CardFormatSettings.js';
import { DoorHoursEditor } from '../admin/settings/DoorHoursEditor.js';
import { issueAt, issueText } from '../admin/settings/settings-issues.js';
import { Toggle } from '../common/Toggle.js';
import { DEFAULT_CARD_FORMAT } from '../../../electron/shared/shapes/card-formats.js';
import { listDocuments, saveDocument, savedText, SITE_SETTINGS_ID } from './hub-documents.js';
import { useHubClient } from './hub-services.js';
import { HubCredentialSection } from './HubCredentialSection.js';
import { HubLivenessSection } from './HubLivenessSection.js';
import { cardFormatIssues, cardFormatOf, HubSettingsFields, otherSettingKeys, settingsFromTexts, settingTexts, withCardFormat, type HubCardFormat, type SettingTexts } from './HubSettingsFields.js';
import { useDocumentWrites } from './use-document-writes.js';
import { usePolicySections } from './use-policy-sections.js';

interface Loaded {
  readonly version: number | null;
  readonly settings: Readonly<Record<string, unknown>>;
  /** The site's groups, for liveness and card modes of their own. */
  readonly groups: readonly string[];
}

export function HubSiteSettingsScreen(): ReactNode {
  const client = useHubClient();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [texts, setTexts] = useState<SettingTexts>({});
  const [problems, setProblems] = useState<Readonly<Record<string, string>>>({});
  const sections = usePolicySections({});
  // The card format for every door: both keys or neither; its problems shown once a save was tried.
  const [cardFormat, setCardFormat] = useState<HubCardFormat | undefined>(undefined);
  const [cardFormatChecked, setCardFormatChecked] = useState(false);
  const cardFormatProblems = cardFormatIssues(cardFormat);
  const { problem, setProblem, notice, setNotice, busy, setBusy, finish: finishWrite } = useDocumentWrites();

  const load = useCallback(async (): Promise<void> => {
    const [result, groups] = await Promise.all([listDocuments(client, 'site-settings'), listDocuments(client, 'group')]);
    if (!result.ok) return setProblem(result.error);
    if (!groups.ok) return setProblem(groups.error);
    const site = result.value.find((document) => document.id === SITE_SETTINGS_ID);
    const next = { version: site?.version ?? null, settings: site?.body.settings ?? {}, groups: groups.value.map((group) => group.id) };
    setLoaded(next);
    setTexts(settingTexts(next.settings, 'site'));
    sections.reset(next.settings);
    setCardFormat(cardFormatOf(next.settings));
    setCardFormatChecked(false);
    setProblems({});
    // The sections' reset only sets state: the first render's serves every load.
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);

  const save = async (): Promise<void> => {
    if (!loaded) return;
    const built = settingsFromTexts(texts, loaded.settings, 'site');
    const sectionsValid = sections.check();
    setCardFormatChecked(true);
    if ('problems' in built || !sectionsValid || cardFormatProblems.size > 0) {
      setProblems('problems' in built ? built.problems : {});
      setNotice(null);
      return;
    }
    setProblems({});
    setBusy(true);
    const result = await saveDocument(client, 'site-settings', SITE_SETTINGS_ID, { settings: withCardFormat(sections.applyTo(built.settings), cardFormat) }, loaded.version);
    await finishWrite(result, result.ok ? savedText('Site settings', result.value) : '', load);
  };

  const others = loaded ? otherSettingKeys(loaded.settings, 'site') : [];
  const problemCount = Object.keys(problems).length + sections.shownCount + (cardFormatChecked ? cardFormatProblems.size : 0);

  return (
    <section className="screen hub-site-settings" aria-labelledby="hub-site-settings-heading">
      <header className="screen-header">
        <h2 id="hub-site-settings-heading">Site settings</h2>
        {loaded ? <span className="muted">{loaded.version === null ? 'Never saved' : `Version ${loaded.version}`}</span> : null}
      </header>
      <p className="field-hint">Every door applies these over its own settings; a door's policy can set its own values over them. An empty field is left to each door.</p>
      {notice ? <Notice tone="success">{notice}</Notice> : null}
      {problem ? (
        <ErrorNotice
          error={problem}
          onRetry={
            problem.code === 'conflict'
              ? () => {
                  // The settings as saved now replace what was typed: the form shows theirs to change again.
                  setProblem(null);
                  void load();
                }
              : undefined
          }
          retryText="Reload"
        />
      ) : null}
      {loaded === null && !problem ? <p className="muted">Loading…</p> : null}
      {loaded ? (
        <form
          className="settings-section"
          aria-label="Site settings"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <HubSettingsFields scope="site" texts={texts} onChange={setTexts} problems={problems} />
          <DoorHoursEditor label="Hours of every door" hours={sections.doorHours} onChange={sections.setDoorHours} issue={sections.hoursIssue} offText="Each door’s own" />
          <h3 className="settings-subhead">
            <Icon name="camera" />
            Liveness
          </h3>
          <HubLivenessSection scope="site" liveness={sections.liveness} onChange={sections.setLiveness} issues={sections.livenessIssues} groups={loaded.groups} />
          <h3 className="settings-subhead">
            <Icon name="lock" />
            Card and face
          </h3>
          <HubCredentialSection scope="site" credential={sections.credential} onChange={sections.setCredential} issues={sections.credentialIssues} groups={loaded.groups} />
          <h3 className="settings-subhead">
            <Icon name="chip" />
            Card format
          </h3>
          <Toggle
            label="Card format for every door"
            checked={cardFormat !== undefined}
            onChange={(on) => setCardFormat(on ? { 'credentials.format': DEFAULT_CARD_FORMAT, 'credentials.customFormats': [] } : undefined)}
            onText="Set here"
            offText="Each door’s own"
            hint="How people’s card numbers are checked, what the panel outputs send and how the card readers read cards — the format and the site’s own formats, replacing each door’s own. A door refuses a format its people’s cards do not fit, in its log."
          />
          {cardFormat !== undefined ? (
            <CardFormatFields
              format={cardFormat['credentials.format']}
              customFormats={cardFormat['credentials.customFormats']}
              onFormatChange={(format) => setCardFormat({ ...cardFormat, 'credentials.format': format })}
              onCustomFormatsChange={(formats) => setCardFormat({ ...cardFormat, 'credentials.customFormats': formats })}
              formatLabel="Format of every door’s cards"
              issue={(path) => {
                const issue = cardFormatChecked ? issueAt(cardFormatProblems, path) : undefined;
                return issue ? issueText(issue) : undefined;
              }}
            />
          ) : null}
          {others.length > 0 ? <p className="field-hint">Also set, through the API, and kept as they are: {others.join(', ')}.</p> : null}
          {problemCount > 0 ? <p className="field-error">{problemCount === 1 ? 'One field needs' : `${problemCount} fields need`} a change before saving.</p> : null}
          <div className="button-row button-row-start">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              Save and send to doors
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
