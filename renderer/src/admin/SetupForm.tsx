// A terminal out of the box: whoever stands at it creates the first administrator (and is logged in). The kiosk
// shows a setup code; another device claims the terminal only with that code.
import { useState, type FormEvent, type ReactNode } from 'react';

import { useClient } from '../app/services.js';
import type { ContractErrorBody } from '../contract.js';
import { ErrorNotice } from '../common/ErrorNotice.js';
import { Icon } from '../common/Icon.js';
import { Segmented } from '../common/Segmented.js';
import { TextField } from '../common/TextField.js';
import { useLintel } from '../store/store.js';
import { PASSWORD_MAX_CHARS, PIN_MAX_DIGITS, secretProblem, type SecretKind } from './secret-rules.js';

/** `setupCode`: the code to show (this is the kiosk), or null (another device, which must be told it). */
export function SetupForm({ onAdminExists, setupCode }: { readonly onAdminExists: () => void; readonly setupCode: string | null }): ReactNode {
  const client = useClient();
  const adminLoggedIn = useLintel((state) => state.adminLoggedIn);
  const [username, setUsername] = useState('');
  const [kind, setKind] = useState<SecretKind>('pin');
  const [secret, setSecret] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [typedCode, setTypedCode] = useState('');
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ContractErrorBody | null>(null);

  const usernameProblem = username.trim().length === 0 ? 'Enter a username.' : null;
  const codeProblem = setupCode === null && !/^\d{8}$/.test(typedCode) ? 'Enter the 8-digit setup code the terminal shows.' : null;
  const problem = secretProblem(kind, secret, confirmation);
  const pinProps = kind === 'pin' ? ({ inputMode: 'numeric', keyboard: 'digits', maxLength: PIN_MAX_DIGITS } as const) : ({ maxLength: PASSWORD_MAX_CHARS } as const);
  const secretName = kind === 'pin' ? 'PIN' : 'Password';

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setTried(true);
    if (usernameProblem || problem || codeProblem || busy) return;
    setBusy(true);
    setError(null);
    const result = await client['admin:setup']({ username: username.trim(), kind, secret, ...(setupCode === null ? { setupCode: typedCode } : {}) });
    setBusy(false);
    if (result.ok) adminLoggedIn(result.value.username, result.value.expiresAtMs);
    else if (result.error.code === 'conflict') onAdminExists();
    else setError(result.error);
  };

  return (
    <form className="login-form" onSubmit={(event) => void submit(event)} noValidate>
      <h2>Set up the first administrator</h2>
      <p className="muted">This terminal has no administrator yet. Choose a username and a PIN (for this touchscreen) or a password (for a browser).</p>
      {setupCode !== null ? (
        <p className="muted" data-testid="setup-code">
          To set it up from another device instead, enter this setup code there: <strong>{setupCode}</strong>
        </p>
      ) : (
        <TextField
          label="Setup code (shown on the terminal's screen)"
          value={typedCode}
          onChange={(value) => setTypedCode(value.replace(/\D/g, '').slice(0, 8))}
          inputMode="numeric"
          maxLength={8}
          error={tried ? codeProblem : null}
          required
        />
      )}
      <TextField label="Username" value={username} onChange={setUsername} autoComplete="username" maxLength={64} error={tried ? usernameProblem : null} required />
      <Segmented
        label="Secret"
        value={kind}
        onChange={(value) => {
          setKind(value);
          setSecret('');
          setConfirmation('');
        }}
        options={[
          { value: 'pin', label: 'PIN (4–12 digits)' },
          { value: 'password', label: 'Password (8+ characters)' },
        ]}
      />
      <TextField label={secretName} type="password" value={secret} onChange={setSecret} autoComplete="new-password" {...pinProps} required />
      <TextField
        label={`${secretName} again`}
        type="password"
        value={confirmation}
        onChange={setConfirmation}
        autoComplete="new-password"
        enterKeyHint="go"
        {...pinProps}
        error={tried ? problem : null}
        required
      />
      {error ? <ErrorNotice error={error} /> : null}
      <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
        <Icon name="user" />
        {busy ? 'Creating…' : 'Create administrator'}
      </button>
    </form>
  );
}
