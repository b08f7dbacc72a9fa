import type { ReactNode } from 'react';

/**
 * Grey text as antd's <Typography.Text type="secondary"> draws it (the same element and classes,
 * which the prebuilt antd.css styles), without the component: Typography sets up ellipsis
 * measuring, copy and edit support and their contexts on each use, which rows repeated on the
 * first screen (the inbox's, twice a row) pay for nothing when they need none of it.
 */
export function SecondaryText({
  children,
  className,
}: {
  children: ReactNode;
  className?: string;
}) {
  return (
    <span className={`ant-typography ant-typography-secondary${className ? ` ${className}` : ''}`}>
      {children}
    </span>
  );
}
