/**
 * The one modal dialog of the Studio: the platform's <dialog>, shown with showModal(), so the browser keeps Tab
 * inside it, makes the page behind it inert (no click, no focus) and turns Escape into a close. Mounted means open:
 * the owner renders it while its dialog should show and calls `onClose` to stop rendering it. Closing gives the focus
 * back to what had it before (the button that opened it). The global shortcuts stand down while one is open
 * (`isModalOpen`).
 */
import { useLayoutEffect, useRef, type DragEvent, type ReactNode } from 'react';

interface ModalProps {
  /** The dialog's accessible name. */
  readonly label: string;
  readonly onClose: () => void;
  readonly className?: string;
  readonly onDragOver?: (e: DragEvent<HTMLDialogElement>) => void;
  readonly onDrop?: (e: DragEvent<HTMLDialogElement>) => void;
  readonly children: ReactNode;
}

export function Modal({ label, onClose, className, onDragOver, onDrop, children }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useLayoutEffect(() => {
    const dialog = ref.current!;
    if (!dialog.open) dialog.showModal();
    // Still in the document here (React removes it after this cleanup): close() hands the focus back.
    return () => dialog.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className={className ? `dialog ${className}` : 'dialog'}
      aria-label={label}
      // Escape: the owner decides (it unmounts the dialog), so the open state lives in one place.
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      // A click on the dimmed page around the dialog (its ::backdrop) reaches the dialog itself, outside its box.
      onClick={(e) => {
        if (e.target !== e.currentTarget) return;
        const r = e.currentTarget.getBoundingClientRect();
        const inside = e.clientX >= r.left && e.clientX <= r.right && e.clientY >= r.top && e.clientY <= r.bottom;
        if (!inside) onClose();
      }}
      onDragOver={onDragOver}
      onDrop={onDrop}
    >
      {children}
    </dialog>
  );
}

/** Whether a modal dialog is showing: the page behind it, and its keyboard shortcuts, are out of reach. */
export function isModalOpen(doc: Document = document): boolean {
  return doc.querySelector('dialog:modal') !== null;
}
