/**
 * Loads a part the first screen does not need once the browser is idle (at the latest after
 * `timeout` ms): React.lazy would start at the first render, where the part's code would compete
 * with the page's own rows for the one main thread.
 */
export function afterFirstScreen<T>(load: () => Promise<T>, timeout = 1500): () => Promise<T> {
  return () =>
    new Promise<void>((resolve) => {
      if ('requestIdleCallback' in window) requestIdleCallback(() => resolve(), { timeout });
      else setTimeout(resolve, 200);
    }).then(load);
}
