// A tiny element builder. Strings become Text nodes, so model output, prompts and file names can
// never become markup: there is deliberately no way to pass HTML here.
export type Child = Node | string | number | null | undefined | false;

export interface ElementProps {
  className?: string;
  /** Attribute values are set with setAttribute (text, never parsed as HTML). */
  attrs?: Record<string, string | number | boolean | undefined>;
  dataset?: Record<string, string>;
  title?: string;
  hidden?: boolean;
  onClick?: (event: MouseEvent) => void;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: ElementProps | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props) {
    if (props.className) element.className = props.className;
    if (props.title !== undefined) element.title = props.title;
    if (props.hidden) element.hidden = true;
    if (props.attrs) {
      for (const [name, value] of Object.entries(props.attrs)) {
        if (value === undefined || value === false) continue;
        element.setAttribute(name, value === true ? '' : String(value));
      }
    }
    if (props.dataset) Object.assign(element.dataset, props.dataset);
    if (props.onClick) element.addEventListener('click', props.onClick as EventListener);
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** A codicon glyph (font from media/webview/codicons/codicon.css). Decorative: hidden from screen readers. */
export function icon(name: string, extraClass = ''): HTMLSpanElement {
  return el('span', { className: `codicon codicon-${name}${extraClass ? ` ${extraClass}` : ''}`, attrs: { 'aria-hidden': 'true' } });
}

/** A table's header: one row of column headings. */
export function tableHead(...headings: string[]): HTMLTableSectionElement {
  return el('thead', null, el('tr', null, ...headings.map((h) => el('th', null, h))));
}

/** A button that reads as a link (an action that opens something), its label as text. */
export function linkButton(label: string, title: string, onClick: () => void, extraClass = ''): HTMLButtonElement {
  return el('button', { className: `link${extraClass ? ` ${extraClass}` : ''}`, attrs: { type: 'button', title }, onClick }, label);
}

/** URIs come from the extension (asWebviewUri); still, only schemes that can name an image or a
 *  video are ever put in src, so a hostile string cannot become e.g. a javascript: URL. */
export function safeMediaUri(uri: string): string | undefined {
  try {
    const parsed = new URL(uri, document.baseURI);
    if (parsed.protocol === 'https:' || parsed.protocol === 'http:' || parsed.protocol === 'blob:') return parsed.href;
    if (parsed.protocol === 'data:' && /^data:(image|video)\//i.test(uri)) return uri;
  } catch {
    /* not a URL */
  }
  return undefined;
}
