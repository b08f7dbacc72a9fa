import { type ComponentType, lazy } from 'react';

type Module<P> = { default: ComponentType<P> };

/**
 * A page loaded on first visit like React.lazy, which can also be loaded before the first render
 * (`preload`, main.tsx does it for the page the address opens; the early script has its chunk on
 * the way). React.lazy suspends on its promise even when the chunk is already in: the first
 * render then commits the fallback and renders the page a second time, in time slices, after a
 * turn of the event loop. Loaded ahead, the page's module is handed to React.lazy as a thenable
 * that resolves synchronously, which React reads at once, so the first render is the page's.
 */
export function lazyPage<P>(load: () => Promise<Module<P>>) {
  let loaded: Module<P> | undefined;
  const preload = () => load().then((m) => (loaded = m));
  const Page = lazy(() => {
    if (!loaded) return preload();
    const m = loaded;
    // not a Promise on purpose: a Promise's then would call back only after this render
    const now = { then: (resolve: (m: Module<P>) => void) => resolve(m) };
    return now as unknown as Promise<Module<P>>;
  });
  return Object.assign(Page, { preload });
}
