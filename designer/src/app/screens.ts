import { useEffect, useState } from 'react';

/** antd's breakpoints (its default theme's screenSM, screenMD, ... tokens). */
const MIN_WIDTH = { xs: 0, sm: 576, md: 768, lg: 992, xl: 1200, xxl: 1600 } as const;
type Screens = Record<keyof typeof MIN_WIDTH, boolean>;

function screensNow(): Screens {
  const out = {} as Screens;
  for (const [k, px] of Object.entries(MIN_WIDTH))
    out[k as keyof Screens] = matchMedia(`(min-width: ${px}px)`).matches;
  return out;
}

/**
 * Which of antd's breakpoints the window reaches, right from the first render. antd's
 * Grid.useBreakpoint starts with none (a phone layout) and corrects itself in a layout effect, so
 * every page using it rendered twice before anything showed.
 */
export function useScreens(): Screens {
  const [screens, setScreens] = useState(screensNow);
  useEffect(() => {
    const queries = Object.values(MIN_WIDTH).map((px) => matchMedia(`(min-width: ${px}px)`));
    const update = () => setScreens(screensNow());
    for (const q of queries) q.addEventListener('change', update);
    return () => {
      for (const q of queries) q.removeEventListener('change', update);
    };
  }, []);
  return screens;
}
