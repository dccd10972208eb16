// A field's problem under it, with a warning sign that is not read out (the words carry it).
import type { ReactNode } from 'react';

export function FieldError({ children, id }: { readonly children: ReactNode; readonly id?: string }): ReactNode {
  return (
    <p className="field-error" id={id}>
      <span aria-hidden="true">⚠ </span>
      {children}
    </p>
  );
}
