/** A new element with a class and text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Makes `parent`'s children exactly `wanted`, in order, moving only what is out of place. */
export function reconcile(parent: HTMLElement, wanted: readonly Node[]): void {
  wanted.forEach((node, i) => {
    const at = parent.childNodes[i];
    if (at !== node) parent.insertBefore(node, at ?? null);
  });
  while (parent.childNodes.length > wanted.length) parent.lastChild!.remove();
}
