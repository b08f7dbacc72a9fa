import type { ReactNode } from 'react';
import { Drawer } from 'antd';

/** The navigation on a phone-width screen (its own chunk: desktops never load antd's Drawer). */
export default function NavDrawer(props: {
  open: boolean;
  onClose(): void;
  title: string;
  children: ReactNode;
}) {
  return (
    <Drawer
      open={props.open}
      onClose={props.onClose}
      placement="left"
      size={260}
      title={props.title}
    >
      {props.children}
    </Drawer>
  );
}
