// Logging in to the hub with username and password, or, on a hub without admins, making the first one (the hub
// takes that only from its own machine, and says so to anyone else).
import { useState, type FormEvent, type ReactNode } from 'react';

import { ErrorNotice, Notice } from '../common/ErrorNotice.js';
import { Icon } from '../common/Icon.js';
import { Segmented } from '../common/Segmented.js';
import { TextField } from '../common/TextField.js';
import type { ContractErrorBody } from '../contract.js';
import { useHubClient } from './hub-services.js';

type Mode = 'login' | 'setup';

/** The shortest hub admin password (the contract's rule). */
export const MIN_PASSWORD_CHARS = 10;

/** What to tell the admin about a refused login or setup. */
export function loginProblem(mode: Mode, error: ContractErrorBody): string {
  if (mode === 'login' && error.code === 'unauthorized') {
    return error.triesLeft !== undefined ? `Wrong username or password: ${error.triesLeft} ${error.triesLeft === 1 ? 'try' : 'tries'} left before the account locks.` : 'Wrong username or password.';
  }
  if (mode === 'setup' && error.code === 'conflict') return 'This hub already has an admin: log in instead.';
  if (mode === 'setup' && error.code === 'forbidden') return 'The first admin can only be set up from the hub machine itself (open this page on it, at 127.0.0.1).';
  return error.message;
}

export function HubLogin({ expired, onSignedIn }: { readonly expired: boolean; readonly onSignedIn: (username: string) => void }): ReactNode {
  const client = useHubClient();
  const [mode, setMode] = useState<Mode>('login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [repeated, setRepeated] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ContractErrorBody | string | null>(null);

  const passwordProblem = mode === 'setup' && password.length > 0 && password.length < MIN_PASSWORD_CHARS ? `At least ${MIN_PASSWORD_CHARS} characters.` : null;
  const repeatProblem = mode === 'setup' && repeated.length > 0 && repeated !== password ? 'The two passwords differ.' : null;
  const canSubmit = !busy && username.trim().length > 0 && password.length > 0 && (mode === 'login' || (password.length >= MIN_PASSWORD_CHARS && repeated === password));

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!canSubmit) return;
    setBusy(true);
    setProblem(null);
    const result = await client[mode === 'login' ? 'admin:login' : 'admin:setup']({ username: username.trim(), password });
    setBusy(false);
    if (result.ok) return onSignedIn(result.value.username);
    setPassword('');
    setRepeated('');
    setProblem(loginProblem(mode, result.error));
  };

  return (
    <main className="login hub-login">
      <div className="login-panel">
        <h1>
          <Icon name="lock" />
          Lintel hub
        </h1>
        {expired ? <Notice tone="info">The session ended: log in again.</Notice> : null}
        <Segmented
          label="Mode"
          showLabel={false}
          value={mode}
          onChange={(value) => {
            setMode(value);
            setProblem(null);
          }}
          options={[
            { value: 'login', label: 'Log in' },
            { value: 'setup', label: 'First admin' },
          ]}
        />
        <form className="login-form" onSubmit={(event) => void submit(event)} noValidate>
          <TextField label="Username" value={username} onChange={setUsername} autoComplete="username" maxLength={64} autoFocus />
          <TextField
            label="Password"
            type="password"
            value={password}
            onChange={setPassword}
            maxLength={256}
            autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
            error={passwordProblem}
          />
          {mode === 'setup' ? <TextField label="Repeat the password" type="password" value={repeated} onChange={setRepeated} maxLength={256} autoComplete="new-password" error={repeatProblem} /> : null}
          {problem ? <ErrorNotice error={problem} /> : null}
          <button type="submit" className="btn btn-primary btn-block" disabled={!canSubmit}>
            {mode === 'login' ? 'Log in' : 'Create the first admin'}
          </button>
        </form>
      </div>
    </main>
  );
}
