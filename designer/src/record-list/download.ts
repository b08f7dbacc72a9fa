/** Saves a blob as a file: the browser's download of what an authorised fetch returned. */
export function saveBlob(blob: Blob, fileName: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // the click has handed the blob to the download; freeing it at once can cancel it in some browsers
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

export const csvBlob = (text: string) => new Blob([text], { type: 'text/csv;charset=utf-8' });
