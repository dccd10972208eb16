// A terminal out of the box: whoever stands at it creates the first administrator (and is logged in).
import { useState, type FormEvent, type ReactNode } from 'react';

import { useClient } from '../app/services.js';
import type { ContractErrorBody } from '../contract.js';
import { ErrorNotice } from '../common/ErrorNotice.js';
import { Icon } from '../common/Icon.js';
import { Segmented } from '../common/Segmented.js';
import { TextField } from '../common/TextField.js';
import { useLintel } from '../store/store.js';
import { PASSWORD_MAX_CHARS, PIN_MAX_DIGITS, secretProblem, type SecretKind } from './secret-rules.js';

export function SetupForm({ onAdminExists }: { readonly onAdminExists: () => void }): ReactNode {
  const client = useClient();
  const adminLoggedIn = useLintel((state) => state.adminLoggedIn);
  const [username, setUsername] = useState('');
  const [kind, setKind] = useState<SecretKind>('pin');
  const [secret, setSecret] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ContractErrorBody | null>(null);

  const usernameProblem = username.trim().length === 0 ? 'Enter a username.' : null;
  const problem = secretProblem(kind, secret, confirmation);
  const pinProps = kind === 'pin' ? ({ inputMode: 'numeric', keyboard: 'digits', maxLength: PIN_MAX_DIGITS } as const) : ({ maxLength: PASSWORD_MAX_CHARS } as const);
  const secretName = kind === 'pin' ? 'PIN' : 'Password';

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setTried(true);
    if (usernameProblem || problem || busy) return;
    setBusy(true);
    setError(null);
    const result = await client['admin:setup']({ username: username.trim(), kind, secret });
    setBusy(false);
    if (result.ok) adminLoggedIn(result.value.username, result.value.expiresAtMs);
    else if (result.error.code === 'conflict') onAdminExists();
    else setError(result.error);
  };

  return (
    <form className="login-form" onSubmit={(event) => void submit(event)} noValidate>
      <h2>Set up the first administrator</h2>
      <p className="muted">This terminal has no administrator yet. Choose a username and a PIN (for this touchscreen) or a password (for a browser).</p>
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
