import { useEffect, useState } from 'react';

/**
 * Closing a Fluent dialog before its owner unmounts it: `open` goes false first, so the dialog ends
 * its modal (which hides the rest of the page from screen readers with aria-hidden) the way Fluent
 * expects; only then does `then` run (the owner unmounting the dialog). A dialog unmounted while
 * still open left aria-hidden on the whole page: it looked fine and nothing in it could be reached.
 */
export interface DialogClose {
  readonly open: boolean;
  readonly close: (then: () => void) => void;
}

export function useDialogClose(): DialogClose {
  const [then, setThen] = useState<(() => void) | null>(null);
  useEffect(() => {
    if (then === null) return;
    const timer = window.setTimeout(() => {
      then();
      restoreHiddenPage();
    }, 0);
    return () => window.clearTimeout(timer);
  }, [then]);
  return { open: then === null, close: (next) => setThen(() => next) };
}

/**
 * Fluent's modal (tabster) sometimes leaves aria-hidden on the page's root after a dialog that showed
 * a validation error closes (seen in Chromium: the page looked fine and no control in it could be
 * reached by a screen reader or by role). With no dialog left open, nothing may stay hidden.
 */
function restoreHiddenPage(): void {
  window.setTimeout(() => {
    if (document.querySelector('[role="dialog"], [role="alertdialog"]') !== null) return;
    for (const element of Array.from(document.body.children))
      if (element.getAttribute('aria-hidden') === 'true') element.removeAttribute('aria-hidden');
  }, 50);
}
