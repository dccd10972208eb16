// An administrator's door buttons on the System screen: open the door now, or drive one output as a test. Both
// are logged in the access log (reasons remote-open and output-test) and say what each output did.
import { useState, type ReactNode } from 'react';

import { useClient } from '../../app/services.js';
import type { ContractErrorBody, ResponseOf } from '../../contract.js';
import { ErrorNotice, Notice } from '../../common/ErrorNotice.js';
import { Icon } from '../../common/Icon.js';

type DoorActionReport = ResponseOf<'door:open'>;

/** One line per output: "relay: relay energised for 3000 ms". */
export function doorActionText(report: DoorActionReport): string {
  if (report.outcomes.length === 0) return `Logged as event ${report.eventId}; no output is configured.`;
  return report.outcomes.map((outcome) => `${outcome.name}: ${outcome.status === 'failed' ? `failed — ${outcome.detail}` : outcome.detail}`).join('; ');
}

export function DoorOpenButton(): ReactNode {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<DoorActionReport | null>(null);
  const [error, setError] = useState<ContractErrorBody | null>(null);
  const open = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    const result = await client['door:open']({});
    setBusy(false);
    if (result.ok) setReport(result.value);
    else setError(result.error);
  };
  return (
    <div className="door-controls">
      <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void open()}>
        <Icon name="check" />
        Open door now
      </button>
      {report ? <Notice tone={report.outcomes.some((outcome) => outcome.status === 'failed') ? 'warning' : 'success'}>{doorActionText(report)}</Notice> : null}
      {error ? <ErrorNotice error={error} /> : null}
    </div>
  );
}

export function TestOutputButton({ name }: { readonly name: string }): ReactNode {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [text, setText] = useState<{ readonly tone: 'success' | 'warning'; readonly text: string } | null>(null);
  const test = async (): Promise<void> => {
    setBusy(true);
    const result = await client['door:test-output']({ name });
    setBusy(false);
    if (result.ok) setText({ tone: result.value.outcomes.some((outcome) => outcome.status === 'failed') ? 'warning' : 'success', text: doorActionText(result.value) });
    else setText({ tone: 'warning', text: result.error.message });
  };
  return (
    <>
      <button type="button" className="btn btn-small" disabled={busy} onClick={() => void test()} aria-label={`Test output ${name}`}>
        Test
      </button>
      {text ? <Notice tone={text.tone}>{text.text}</Notice> : null}
    </>
  );
}
