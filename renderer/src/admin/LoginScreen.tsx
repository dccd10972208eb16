// The way into the admin area: the first administrator's setup on a new terminal, the login afterwards.
import { useCallback, useEffect, useState, type ReactNode } from 'react';

import { useClient } from '../app/services.js';
import type { ResponseOf } from '../contract.js';
import { ErrorNotice, Notice } from '../common/ErrorNotice.js';
import { Icon } from '../common/Icon.js';
import { useLintel } from '../store/store.js';
import { LoginForm } from './LoginForm.js';
import { SetupForm } from './SetupForm.js';

type Status = { readonly state: 'loading' } | { readonly state: 'ready'; readonly status: ResponseOf<'admin:status'> } | { readonly state: 'failed'; readonly error: Parameters<typeof ErrorNotice>[0]['error'] };

export function LoginScreen(): ReactNode {
  const client = useClient();
  const showDoor = useLintel((state) => state.showDoor);
  const adminLoggedIn = useLintel((state) => state.adminLoggedIn);
  const notice = useLintel((state) => state.loginNotice);
  const [status, setStatus] = useState<Status>({ state: 'loading' });

  const load = useCallback(() => {
    setStatus({ state: 'loading' });
    client['admin:status']({})
      .then((result) => {
        if (!result.ok) {
          setStatus({ state: 'failed', error: result.error });
        } else if (result.value.session?.level === 'admin') {
          // Still logged in (a reload of the browser page): straight in.
          adminLoggedIn(result.value.session.subject, result.value.session.expiresAtMs);
        } else {
          setStatus({ state: 'ready', status: result.value });
        }
      })
      .catch(() => undefined);
  }, [client, adminLoggedIn]);

  useEffect(load, [load]);

  return (
    <main className="login" aria-labelledby="login-heading">
      <div className="login-top">
        <button type="button" className="btn btn-quiet" onClick={showDoor}>
          <Icon name="back" />
          Back to the door
        </button>
      </div>
      <div className="login-panel">
        <h1 id="login-heading">
          <Icon name="lock" />
          Administrator login
        </h1>
        {notice ? <Notice tone="info">{notice}</Notice> : null}
        {status.state === 'loading' ? <p className="muted">Asking the terminal…</p> : null}
        {status.state === 'failed' ? <ErrorNotice error={status.error} onRetry={load} /> : null}
        {status.state === 'ready' && !status.status.hasAdmin ? <SetupForm onAdminExists={load} setupCode={status.status.setupCode ?? null} /> : null}
        {status.state === 'ready' && status.status.hasAdmin ? <LoginForm /> : null}
      </div>
    </main>
  );
}
