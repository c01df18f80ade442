import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Spinner,
} from '@fluentui/react-components';
import type { FormEvent, ReactNode } from 'react';
import type { DialogClose } from '../hooks/useDialogClose';
import { ErrorText } from './ErrorText';
import { useSharedStyles } from './styles';

/**
 * A modal form: the title, the fields (children), the API's error, "Cancel" and the submit button,
 * which shows a spinner named `busyLabel` while `busy`. Closing (Escape, "Cancel") goes through
 * `dialog` so the modal ends before its owner unmounts it (see useDialogClose).
 */
export function FormDialog(props: {
  readonly dialog: DialogClose;
  readonly title: ReactNode;
  readonly onClose: () => void;
  readonly onSubmit: () => void;
  /** The fields are checked here (and by the API), not by the browser's own bubbles. */
  readonly noValidate?: boolean;
  readonly busy: boolean;
  readonly busyLabel: string;
  readonly submitLabel: string;
  readonly error: unknown;
  readonly children: ReactNode;
}) {
  const shared = useSharedStyles();
  const { dialog } = props;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSubmit();
  };
  return (
    <Dialog
      open={dialog.open}
      modalType="modal"
      onOpenChange={(_, data) => (data.open ? undefined : dialog.close(props.onClose))}
    >
      <DialogSurface>
        <form onSubmit={submit} noValidate={props.noValidate}>
          <DialogBody>
            <DialogTitle>{props.title}</DialogTitle>
            <DialogContent className={shared.stack}>
              {props.children}
              <ErrorText error={props.error} />
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={() => dialog.close(props.onClose)}>
                Cancel
              </Button>
              <Button appearance="primary" type="submit" disabled={props.busy}>
                {props.busy ? <Spinner size="tiny" label={props.busyLabel} /> : props.submitLabel}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
