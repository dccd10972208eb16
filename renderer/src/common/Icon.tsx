// Line icons drawn inline (no icon font, no files to load). Always beside words: an icon never carries
// meaning alone.
import type { ReactNode } from 'react';

export type IconName =
  | 'check'
  | 'cross'
  | 'lock'
  | 'user'
  | 'users'
  | 'camera'
  | 'upload'
  | 'list'
  | 'settings'
  | 'chip'
  | 'logout'
  | 'back'
  | 'plus'
  | 'trash'
  | 'search'
  | 'warning'
  | 'offline'
  | 'keyboard'
  | 'download'
  | 'door'
  | 'import'
  | 'backspace'
  | 'shift'
  | 'info'
  | 'ban'
  | 'clock';

const SHAPES: Readonly<Record<IconName, ReactNode>> = {
  check: <path d="M4 12.5l5 5L20 6.5" />,
  cross: <path d="M6 6l12 12M18 6L6 18" />,
  lock: (
    <>
      <rect x="5" y="11" width="14" height="10" rx="2" />
      <path d="M8 11V8a4 4 0 0 1 8 0v3" />
    </>
  ),
  user: (
    <>
      <circle cx="12" cy="8" r="4" />
      <path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7" />
    </>
  ),
  users: (
    <>
      <circle cx="9" cy="8" r="3.5" />
      <path d="M2.5 20c0-3.9 2.9-6.2 6.5-6.2s6.5 2.3 6.5 6.2" />
      <path d="M15.5 4.8a3.5 3.5 0 0 1 0 6.6M17.5 14.2c2.4.6 4 2.6 4 5.8" />
    </>
  ),
  camera: (
    <>
      <path d="M3 8h3.5L8 5.5h8L17.5 8H21v11H3z" />
      <circle cx="12" cy="13.2" r="3.6" />
    </>
  ),
  upload: <path d="M12 16V4M7 9l5-5 5 5M4 16v4h16v-4" />,
  list: <path d="M8 6h13M8 12h13M8 18h13M3.5 6h.01M3.5 12h.01M3.5 18h.01" />,
  settings: (
    <>
      <circle cx="12" cy="12" r="3" />
      <path d="M12 2.5v3M12 18.5v3M2.5 12h3M18.5 12h3M5.3 5.3l2.1 2.1M16.6 16.6l2.1 2.1M5.3 18.7l2.1-2.1M16.6 7.4l2.1-2.1" />
    </>
  ),
  chip: (
    <>
      <rect x="6" y="6" width="12" height="12" rx="1.5" />
      <path d="M9.5 9.5h5v5h-5zM9 2.5v3M15 2.5v3M9 18.5v3M15 18.5v3M2.5 9h3M2.5 15h3M18.5 9h3M18.5 15h3" />
    </>
  ),
  logout: <path d="M14 4h5v16h-5M10 8l-4 4 4 4M6 12h10" />,
  back: <path d="M15 5l-7 7 7 7" />,
  plus: <path d="M12 5v14M5 12h14" />,
  trash: <path d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v6M14 11v6" />,
  search: (
    <>
      <circle cx="11" cy="11" r="6.5" />
      <path d="M16 16l5 5" />
    </>
  ),
  warning: <path d="M12 3.5L2.5 20h19zM12 10v4.5M12 17.2v.01" />,
  offline: <path d="M3 3l18 18M8.5 16.5a5 5 0 0 1 7 0M5 12.5a10 10 0 0 1 4-2.3M19 12.5a10 10 0 0 0-2.6-1.8M2 8.8a15 15 0 0 1 4-2.6M22 8.8A15 15 0 0 0 10.5 5M12 20h.01" />,
  keyboard: (
    <>
      <rect x="2.5" y="6" width="19" height="12" rx="2" />
      <path d="M6 10h.01M9 10h.01M12 10h.01M15 10h.01M18 10h.01M7 14h10" />
    </>
  ),
  download: <path d="M12 4v12M7 11l5 5 5-5M4 20h16" />,
  door: (
    <>
      <path d="M5 21V3h12v18M3 21h18" />
      <path d="M13.5 12h.01" />
    </>
  ),
  import: <path d="M4 5h6l2 2h8v12H4zM12 10v6M9 13l3 3 3-3" />,
  backspace: <path d="M9 5h12v14H9l-6-7zM12.5 9.5l5 5M17.5 9.5l-5 5" />,
  shift: <path d="M12 4l8 8h-4.5v7h-7v-7H4z" />,
  info: (
    <>
      <circle cx="12" cy="12" r="9" />
      <path d="M12 11v6M12 7.5v.01" />
    </>
  ),
  ban: (
    <>
      <circle cx="12" cy="12" r="9" />
      <path d="M5.6 5.6l12.8 12.8" />
    </>
  ),
  clock: (
    <>
      <circle cx="12" cy="12" r="9" />
      <path d="M12 7v5l3 2" />
    </>
  ),
};

export function Icon({ name, className }: { readonly name: IconName; readonly className?: string }): ReactNode {
  return (
    <svg className={className ? `icon ${className}` : 'icon'} viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round">
      {SHAPES[name]}
    </svg>
  );
}
