import type { ReactNode } from 'react';

/** A DSFR table with a caption (read by screen readers, hidden visually unless `showCaption`). */
export function Table({
  caption,
  children,
  showCaption = false,
  className,
}: {
  caption: string;
  children: ReactNode;
  showCaption?: boolean;
  className?: string;
}) {
  return (
    <div className={`fr-table ${showCaption ? '' : 'fr-table--no-caption'} ${className ?? ''}`}>
      <div className="fr-table__wrapper">
        <div className="fr-table__container">
          <div className="fr-table__content">
            <table>
              <caption>{caption}</caption>
              {children}
            </table>
          </div>
        </div>
      </div>
    </div>
  );
}
