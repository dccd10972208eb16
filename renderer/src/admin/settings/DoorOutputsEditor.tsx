// What happens at the door on a decision: a relay on a GPIO line, a webhook, a log line. The terminal checks
// each output fully when saved (URLs, GPIO lines) and says what is wrong.
import { useState, type ReactNode } from 'react';

import { Icon } from '../../common/Icon.js';
import { NumberField } from '../../common/NumberField.js';
import { Segmented } from '../../common/Segmented.js';
import { TextField } from '../../common/TextField.js';
import { Toggle } from '../../common/Toggle.js';
import { OSDP_BAUD_RATES } from '../../contract.js';
import type { Settings } from '../../store/types.js';
import { GpioChipField, GpioLineField } from './GpioFields.js';
import type { SectionProps } from './section-props.js';

type DoorOutput = Settings['door.outputs'][number];
type OutputKind = DoorOutput['kind'];

/** The terminal's defaults for a new output of each kind. */
const NEW_OUTPUT: Readonly<Record<OutputKind, DoorOutput>> = {
  log: { kind: 'log', name: 'log', includePersonName: false },
  gpio: { kind: 'gpio', name: 'relay', chipPath: '/dev/gpiochip0', line: 0, activeLow: false, pulseMs: 3_000, consumer: 'lintel-door' },
  webhook: {
    kind: 'webhook',
    name: 'webhook',
    url: 'https://',
    headers: {},
    timeoutMs: 10_000,
    maxAttempts: 10,
    backoffBaseMs: 1_000,
    backoffMaxMs: 300_000,
    queueLimit: 10_000,
    events: 'all',
  },
  osdp: { kind: 'osdp', name: 'osdp', port: '/dev/ttyS3', baudRate: 9600, address: 0, secureChannel: true, installMode: false, format: null, cardReadTimeoutMs: 3_000 },
  wiegand: { kind: 'wiegand', name: 'wiegand', format: null, chipPath: '/dev/gpiochip0', d0Line: 0, d1Line: 1, pulseLevel: 'low', pulseWidthUs: 50, intervalUs: 2_000, consumer: 'lintel-wiegand' },
};

const KIND_TEXT: Readonly<Record<OutputKind, string>> = { log: 'Log', gpio: 'Door relay (GPIO)', webhook: 'Webhook', wiegand: 'Panel (Wiegand)', osdp: 'Panel (OSDP reader)' };
const MAX_OUTPUTS = 16;

/** A name not yet taken: `relay`, `relay-2`, … */
function freeName(base: string, outputs: readonly DoorOutput[]): string {
  const taken = new Set(outputs.map((output) => output.name));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

function OutputFields({ output, onChange, issue }: { readonly output: DoorOutput; readonly onChange: (output: DoorOutput) => void; readonly issue: (field: string, scale?: number, unit?: string) => string | undefined }): ReactNode {
  switch (output.kind) {
    case 'log':
      return <Toggle label="Write the person's name" checked={output.includePersonName} onChange={(includePersonName) => onChange({ ...output, includePersonName })} onText="Names and ids" offText="Ids only" />;
    case 'gpio':
      return (
        <div className="field-grid">
          <GpioChipField label="GPIO chip" value={output.chipPath} onChange={(chipPath) => onChange({ ...output, chipPath })} error={issue('chipPath')} hint="The bank the relay is wired to: gpiochip3 is bank GPIO3." />
          <GpioLineField label="Line" chipPath={output.chipPath} value={output.line} onChange={(line) => onChange({ ...output, line })} error={issue('line')} hint="GPIO3_A7 is chip 3, line 7." />
          <NumberField label="Pulse" unit="ms" value={output.pulseMs} onChange={(pulseMs) => onChange({ ...output, pulseMs: pulseMs ?? Number.NaN })} error={issue('pulseMs', 1, 'ms')} hint="How long the relay stays on after a grant." />
          <Toggle label="Active level" checked={output.activeLow} onChange={(activeLow) => onChange({ ...output, activeLow })} onText="Active low" offText="Active high" />
        </div>
      );
    case 'webhook':
      return (
        <div>
          <TextField label="URL" type="url" inputMode="url" value={output.url} onChange={(url) => onChange({ ...output, url })} maxLength={4096} error={issue('url')} hint="http or https; the terminal POSTs each event as JSON." />
          <Segmented
            label="Send"
            value={output.events}
            onChange={(events) => onChange({ ...output, events })}
            options={[
              { value: 'granted', label: 'Granted only' },
              { value: 'all', label: 'All decisions' },
            ]}
          />
          <TextField
            label="Signing secret"
            type="password"
            value={output.secret ?? ''}
            onChange={(secret) => {
              const { secret: _old, ...rest } = output;
              onChange(secret === '' ? rest : { ...rest, secret });
            }}
            maxLength={256}
            error={issue('secret')}
            hint="At least 16 characters; signs each request (X-Lintel-Signature). Empty: unsigned."
          />
        </div>
      );
    case 'wiegand': {
      const driver = output.driverPath !== undefined;
      const { driverPath: _driverPath, chipPath: _chipPath, d0Line: _d0, d1Line: _d1, ...common } = output;
      return (
        <div>
          <Segmented
            label="Sent by"
            value={driver ? 'driver' : 'gpio'}
            onChange={(by) => onChange(by === 'driver' ? { ...common, driverPath: '/sys/class/wiegand/wiegand0/send' } : { ...common, chipPath: '/dev/gpiochip0', d0Line: 0, d1Line: 1 })}
            options={[
              { value: 'gpio', label: 'Two GPIO lines' },
              { value: 'driver', label: 'Kernel driver' },
            ]}
          />
          {driver ? (
            <TextField label="Driver file" value={output.driverPath ?? ''} onChange={(driverPath) => onChange({ ...output, driverPath })} maxLength={255} error={issue('driverPath')} hint="The sysfs file the board's Wiegand driver takes a frame from, as 0s and 1s." />
          ) : (
            <div className="field-grid">
              <GpioChipField label="GPIO chip" value={output.chipPath ?? ''} onChange={(chipPath) => onChange({ ...output, chipPath })} error={issue('chipPath')} hint="Both data lines are on this chip." />
              <GpioLineField label="DATA0 line" chipPath={output.chipPath ?? ''} value={output.d0Line ?? null} onChange={(d0Line) => onChange({ ...output, d0Line })} error={issue('d0Line')} hint="Pulsed for a 0 bit." />
              <GpioLineField label="DATA1 line" chipPath={output.chipPath ?? ''} value={output.d1Line ?? null} onChange={(d1Line) => onChange({ ...output, d1Line })} error={issue('d1Line')} hint="Pulsed for a 1 bit." />
              <NumberField label="Pulse width" unit="µs" value={output.pulseWidthUs} onChange={(pulseWidthUs) => onChange({ ...output, pulseWidthUs: pulseWidthUs ?? Number.NaN })} error={issue('pulseWidthUs', 1, 'µs')} hint="20–1000; panels expect 20–100." />
              <NumberField label="Pulse interval" unit="µs" value={output.intervalUs} onChange={(intervalUs) => onChange({ ...output, intervalUs: intervalUs ?? Number.NaN })} error={issue('intervalUs', 1, 'µs')} hint="Start to start, 200–20000." />
              <Toggle label="Pulse level" checked={output.pulseLevel === 'high'} onChange={(high) => onChange({ ...output, pulseLevel: high ? 'high' : 'low' })} onText="High (through a transistor)" offText="Low (wired directly)" />
            </div>
          )}
          <TextField label="Card format" value={output.format ?? ''} onChange={(format) => onChange({ ...output, format: format.trim() === '' ? null : format.trim() })} maxLength={32} error={issue('format')} hint="Empty: the people's credential format (wiegand26, wiegand34 or a custom one)." />
        </div>
      );
    }
    case 'osdp':
      return (
        <div>
          <div className="field-grid">
            <TextField label="Serial port" value={output.port} onChange={(port) => onChange({ ...output, port })} maxLength={255} error={issue('port')} hint="The RS-485 UART to the panel, e.g. /dev/ttyS3." />
            <NumberField label="Address" value={output.address} onChange={(address) => onChange({ ...output, address: address ?? Number.NaN })} error={issue('address')} hint="0–126: the reader address the panel polls." />
          </div>
          <Segmented
            label="Baud rate"
            value={String(output.baudRate)}
            onChange={(baudRate) => onChange({ ...output, baudRate: Number(baudRate) })}
            options={OSDP_BAUD_RATES.map((baudRate) => ({ value: String(baudRate), label: String(baudRate) }))}
          />
          <Toggle
            label="Secure Channel"
            checked={output.secureChannel}
            onChange={(secureChannel) => onChange({ ...output, secureChannel, installMode: secureChannel && output.installMode })}
            onText="Required (AES-128)"
            offText="Off: card numbers travel in the clear"
          />
          {output.secureChannel ? (
            <Toggle
              label="Install mode"
              checked={output.installMode}
              onChange={(installMode) => onChange({ ...output, installMode })}
              onText="The panel may set the key"
              offText="Off"
              hint="Accepts the default key until the panel has set this reader's own; switch it off afterwards."
            />
          ) : null}
          <TextField label="Card format" value={output.format ?? ''} onChange={(format) => onChange({ ...output, format: format.trim() === '' ? null : format.trim() })} maxLength={32} error={issue('format')} hint="Empty: the people's credential format." />
        </div>
      );
  }
}

export function DoorOutputsEditor({ draft, change, issue }: SectionProps): ReactNode {
  const outputs = draft['door.outputs'];
  const [adding, setAdding] = useState<OutputKind>('gpio');
  const setOutputs = (next: DoorOutput[]): void => change('door.outputs', next);
  return (
    <fieldset className="settings-section">
      <legend>Door outputs</legend>
      {outputs.length === 0 ? <p className="field-hint">No outputs: decisions are only logged in the access log.</p> : null}
      {outputs.map((output, index) => (
        <div key={index} className="output-card" role="group" aria-label={`${KIND_TEXT[output.kind]} ${output.name}`}>
          <div className="output-head">
            <span className="badge">{KIND_TEXT[output.kind]}</span>
            <button type="button" className="btn btn-small" onClick={() => setOutputs(outputs.filter((_, i) => i !== index))} aria-label={`Remove output ${output.name}`}>
              <Icon name="trash" />
              Remove
            </button>
          </div>
          <TextField
            label="Name"
            value={output.name}
            onChange={(name) => setOutputs(outputs.map((other, i) => (i === index ? { ...other, name } : other)))}
            maxLength={64}
            error={issue(['door.outputs', index, 'name'])}
            hint="Lower-case letters, digits and . _ -"
          />
          <OutputFields output={output} onChange={(next) => setOutputs(outputs.map((other, i) => (i === index ? next : other)))} issue={(field, scale, unit) => issue(['door.outputs', index, field], scale, unit)} />
        </div>
      ))}
      {issue(['door.outputs']) ? <p className="field-error">{issue(['door.outputs'])}</p> : null}
      <div className="inline-add">
        <Segmented
          label="New output"
          value={adding}
          onChange={setAdding}
          options={(Object.keys(KIND_TEXT) as OutputKind[]).map((kind) => ({ value: kind, label: KIND_TEXT[kind] }))}
        />
        <button type="button" className="btn" disabled={outputs.length >= MAX_OUTPUTS} onClick={() => setOutputs([...outputs, { ...NEW_OUTPUT[adding], name: freeName(NEW_OUTPUT[adding].name, outputs) }])}>
          <Icon name="plus" />
          Add output
        </button>
      </div>
    </fieldset>
  );
}
