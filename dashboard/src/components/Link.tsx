import type { MouseEvent, ReactNode } from 'react';
import { viewUrl, type View } from '../view';

/** A real link to a view (open in a new tab works); a plain click navigates in place. */
export function ViewLink(props: {
  to: View;
  go: (v: View) => void;
  children: ReactNode;
  className?: string;
}) {
  const click = (e: MouseEvent) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    props.go(props.to);
  };
  return (
    <a href={viewUrl(props.to)} onClick={click} className={props.className}>
      {props.children}
    </a>
  );
}
