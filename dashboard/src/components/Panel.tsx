import type { ReactNode } from 'react';

/** A titled section with its own loading and error states (one slow answer never blanks the page). */
export function Panel(props: {
  title: string;
  id: string;
  loading: boolean;
  error?: Error | undefined;
  hasData: boolean;
  actions?: ReactNode;
  className?: string;
  children?: ReactNode;
}) {
  const { title, id, loading, error, hasData } = props;
  return (
    <section
      className={`panel ${props.className ?? ''}`}
      aria-labelledby={`${id}-title`}
      aria-busy={loading}
      data-panel={id}
    >
      <header className="panel-head">
        <h2 id={`${id}-title`}>{title}</h2>
        {props.actions}
      </header>
      {error && (
        <p className="panel-error" role="alert">
          {hasData ? 'Could not refresh: ' : 'Could not load: '}
          {error.message}
        </p>
      )}
      {hasData ? props.children : !error && <p className="panel-loading">Loading…</p>}
    </section>
  );
}

/** Shown in a panel whose answer is there but holds nothing for the range. */
export const Empty = (props: { children: ReactNode }) => <p className="empty">{props.children}</p>;
