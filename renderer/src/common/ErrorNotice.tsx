// A failed call, in words: a short title by error code and the terminal's own message (never raw JSON).
import type { ReactNode } from 'react';

import type { ContractErrorBody, ErrorCode } from '../contract.js';
import { Icon } from './Icon.js';
import { asSentence } from './sentence.js';

const TITLES: Readonly<Record<ErrorCode, string>> = {
  'invalid-request': 'Not accepted',
  unauthorized: 'Not logged in',
  forbidden: 'Not allowed',
  'not-found': 'Not found',
  conflict: 'Cannot do that now',
  locked: 'Locked',
  'rate-limited': 'Too many attempts',
  unavailable: 'Terminal not available',
  internal: 'Something went wrong',
};

export function ErrorNotice({ error, onRetry, retryText = 'Try again' }: { readonly error: ContractErrorBody | string; readonly onRetry?: (() => void) | undefined; readonly retryText?: string }): ReactNode {
  const title = typeof error === 'string' ? 'Something went wrong' : TITLES[error.code];
  const message = asSentence(typeof error === 'string' ? error : error.message);
  return (
    <div className="notice notice-error" role="alert">
      <Icon name="warning" />
      <div className="notice-body">
        <strong>{title}</strong>
        <span>{message}</span>
      </div>
      {onRetry ? (
        <button type="button" className="btn" onClick={onRetry}>
          {retryText}
        </button>
      ) : null}
    </div>
  );
}

/** A neutral or good piece of news at the top of a screen. */
export function Notice({ tone, children }: { readonly tone: 'info' | 'success' | 'warning'; readonly children: ReactNode }): ReactNode {
  const icon = tone === 'success' ? 'check' : tone === 'warning' ? 'warning' : 'info';
  return (
    <div className={`notice notice-${tone}`} role="status">
      <Icon name={icon} />
      <div className="notice-body">{children}</div>
    </div>
  );
}
