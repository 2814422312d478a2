// Small DOM helpers. Text only ever goes in as text nodes (textContent): nothing here parses HTML.

export interface Props {
  class?: string;
  testid?: string;
  text?: string;
  attrs?: Record<string, string>;
  hidden?: boolean;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, children: (Node | string)[] = []): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.testid) el.dataset.testid = props.testid;
  if (props.attrs) for (const [k, v] of Object.entries(props.attrs)) el.setAttribute(k, v);
  if (props.hidden) el.hidden = true;
  if (props.text !== undefined) el.textContent = props.text;
  for (const c of children) el.append(typeof c === "string" ? document.createTextNode(c) : c);
  return el;
}

export function button(label: string, props: Props = {}, children: (Node | string)[] = []): HTMLButtonElement {
  const b = h("button", { ...props, attrs: { type: "button", ...(props.attrs ?? {}) } }, children);
  if (children.length === 0) b.textContent = label;
  return b;
}

/** Sets an attribute only when it changes (keeps mutation observers and screen readers quiet). */
export function setAttr(el: Element, name: string, value: string | null): void {
  if (value === null) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else if (el.getAttribute(name) !== value) {
    el.setAttribute(name, value);
  }
}

export function setText(el: Node, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
