// Username and PIN (on a big pad) or password. A wrong secret says so; a locked account says until when.
import { useState, type FormEvent, type ReactNode } from 'react';

import { useClient } from '../app/services.js';
import type { ContractErrorBody } from '../contract.js';
import { ErrorNotice } from '../common/ErrorNotice.js';
import { Icon } from '../common/Icon.js';
import { Segmented } from '../common/Segmented.js';
import { asSentence } from '../common/sentence.js';
import { TextField } from '../common/TextField.js';
import { useLintel } from '../store/store.js';
import { PinPad } from './PinPad.js';
import { PIN_MAX_DIGITS, type SecretKind } from './secret-rules.js';

type Problem = { readonly kind: 'wrong'; readonly triesLeft?: number } | { readonly kind: 'locked'; readonly message: string } | { readonly kind: 'error'; readonly error: ContractErrorBody };

export function LoginForm(): ReactNode {
  const client = useClient();
  const adminLoggedIn = useLintel((state) => state.adminLoggedIn);
  const [username, setUsername] = useState('');
  const [kind, setKind] = useState<SecretKind>('pin');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  const canSubmit = username.trim().length > 0 && secret.length >= 4 && !busy;

  const submit = async (event?: FormEvent): Promise<void> => {
    event?.preventDefault();
    if (!canSubmit) return;
    setBusy(true);
    setProblem(null);
    const result = await client['admin:login']({ username: username.trim(), secret });
    setBusy(false);
    if (result.ok) {
      adminLoggedIn(result.value.username, result.value.expiresAtMs);
      return;
    }
    setSecret('');
    if (result.error.code === 'unauthorized') setProblem({ kind: 'wrong', ...(result.error.triesLeft !== undefined ? { triesLeft: result.error.triesLeft } : {}) });
    else if (result.error.code === 'locked' || result.error.code === 'rate-limited') setProblem({ kind: 'locked', message: result.error.message });
    else setProblem({ kind: 'error', error: result.error });
  };

  return (
    <form className="login-form" onSubmit={(event) => void submit(event)} noValidate>
      <TextField label="Username" value={username} onChange={setUsername} autoComplete="username" maxLength={64} enterKeyHint="next" />
      <Segmented
        label="Log in with"
        value={kind}
        onChange={(value) => {
          setKind(value);
          setSecret('');
          setProblem(null);
        }}
        options={[
          { value: 'pin', label: 'PIN' },
          { value: 'password', label: 'Password' },
        ]}
      />
      {kind === 'pin' ? (
        <>
          <TextField
            label="PIN"
            type="password"
            inputMode="numeric"
            keyboard="none"
            value={secret}
            onChange={(value) => setSecret(value.replace(/\D/g, '').slice(0, PIN_MAX_DIGITS))}
            maxLength={PIN_MAX_DIGITS}
            autoComplete="current-password"
            enterKeyHint="go"
            className="pin-field"
          />
          <PinPad
            disabled={busy}
            onDigit={(digit) => setSecret((pin) => (pin.length < PIN_MAX_DIGITS ? pin + digit : pin))}
            onBackspace={() => setSecret((pin) => pin.slice(0, -1))}
            onClear={() => setSecret('')}
          />
        </>
      ) : (
        <TextField label="Password" type="password" value={secret} onChange={setSecret} autoComplete="current-password" enterKeyHint="go" maxLength={256} />
      )}
      {problem?.kind === 'wrong' ? (
        <div className="notice notice-error" role="alert">
          <Icon name="cross" />
          <div className="notice-body">
            <strong>{kind === 'pin' ? 'Wrong PIN or username' : 'Wrong password or username'}</strong>
            <span>
              {problem.triesLeft === undefined
                ? 'Check both and try again.'
                : `Check both and try again: ${problem.triesLeft} ${problem.triesLeft === 1 ? 'try' : 'tries'} left before a wait.`}
            </span>
          </div>
        </div>
      ) : null}
      {problem?.kind === 'locked' ? (
        <div className="notice notice-error" role="alert">
          <Icon name="lock" />
          <div className="notice-body">
            <strong>Wait a moment</strong>
            <span>{asSentence(problem.message)}</span>
          </div>
        </div>
      ) : null}
      {problem?.kind === 'error' ? <ErrorNotice error={problem.error} /> : null}
      <button type="submit" className="btn btn-primary btn-block" disabled={!canSubmit}>
        <Icon name="lock" />
        {busy ? 'Logging in…' : 'Log in'}
      </button>
    </form>
  );
}
