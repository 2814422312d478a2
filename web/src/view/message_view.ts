// One message bubble (testid "message"): sender and role, the parts of the message, the time (relative,
// exact in title/datetime), the read receipt, and the send state with retry. The message text goes in
// with textContent only: a message is never HTML. Attachments: an image's thumbnail comes from the
// media port as a blob: URL (fetched with the token in a header, never in a URL) and is released when
// the bubble goes (releaseMessageElement) or its parts change; clicks are handled by the timeline
// through data-action and attachmentOf.

import { readDirectionFor } from "../filters.js";
import type { Entry } from "../timeline.js";
import type { Mode } from "../route.js";
import { directionOf } from "../types.js";
import { attachmentSummary, humanSize } from "../attachments.js";
import { isOwnSide, partsKey, partsOf, senderLabel, type MessagePart } from "../message_parts.js";
import type { Attachment } from "../types.js";
import { readReceiptText, relativeTime, type TimeOptions } from "../time_format.js";
import { button, h, setAttr, setText } from "./dom.js";
import { icon } from "./icons.js";

/** Where thumbnails come from: a blob: URL per attachment, held until released. */
export interface MediaPort {
  thumbnail(a: Attachment): Promise<string>;
  release(a: Attachment): void;
}

export interface MessageContext {
  mode: Mode;
  now: number;
  highlighted: boolean;
  time: TimeOptions;
  media?: MediaPort;
}

/** The element an attachment's control stands for (the targets of data-action="open-attachment" / "download-attachment"). */
const attachmentOfElement = new WeakMap<Element, Attachment>();

export function attachmentOf(el: Element): Attachment | undefined {
  return attachmentOfElement.get(el);
}

type PartRenderer<K extends MessagePart["kind"]> = (part: Extract<MessagePart, { kind: K }>, media: MediaPort | undefined, cleanups: (() => void)[]) => HTMLElement;

// One renderer per part kind.
const partRenderers: { [K in MessagePart["kind"]]: PartRenderer<K> } = {
  text: (p) => h("p", { class: "msg__text", testid: "message-text", text: p.text }),
  image: (p, media, cleanups) => {
    const a = p.attachment;
    const img = h("img", { class: "att-image__img", attrs: { alt: a.name, decoding: "async" } });
    const el = button("", {
      class: "att-image att-image--loading",
      testid: "attachment-image",
      attrs: { "data-action": "open-attachment", "data-attachment-id": a.id, "aria-label": `Open image ${a.name}, ${humanSize(a.size)}`, "aria-haspopup": "dialog", title: a.name },
    }, [img]);
    attachmentOfElement.set(el, a);
    if (media) {
      let live = true;
      media.thumbnail(a).then(
        (url) => {
          if (!live) return;
          img.src = url;
          el.classList.remove("att-image--loading");
        },
        () => {
          if (!live) return;
          // No thumbnail after all: the name stands in, and a click still opens the image.
          el.classList.remove("att-image--loading");
          el.classList.add("att-image--missing");
          img.remove();
          el.append(icon("image", "icon"), h("span", { class: "att-image__name", text: a.name }));
        },
      );
      cleanups.push(() => {
        live = false;
        media.release(a);
      });
    }
    return el;
  },
  file: (p) => {
    const a = p.attachment;
    const summary = attachmentSummary(a);
    const el = button("", {
      class: "att-file",
      testid: "attachment-file",
      attrs: { "data-action": "download-attachment", "data-attachment-id": a.id, "aria-label": `Download ${a.name}, ${summary}`, title: `Download ${a.name}` },
    }, [
      icon("file", "icon att-file__icon"),
      h("span", { class: "att-file__text" }, [h("span", { class: "att-file__name", testid: "attachment-name", text: a.name }), h("span", { class: "att-file__meta", text: summary })]),
      icon("download", "icon icon--sm att-file__download"),
    ]);
    attachmentOfElement.set(el, a);
    return el;
  },
};

function renderPart(p: MessagePart, media: MediaPort | undefined, cleanups: (() => void)[]): HTMLElement {
  return (partRenderers[p.kind] as PartRenderer<typeof p.kind>)(p, media, cleanups);
}

interface Parts {
  sender: HTMLElement;
  body: HTMLElement;
  time: HTMLTimeElement;
  foot: HTMLElement;
  receipt: HTMLElement | null;
  state: HTMLElement | null;
  unread: HTMLElement | null;
  signature: string;
  partsKey: string;
  /** Releases what the parts hold (thumbnail blob: URLs). */
  cleanups: (() => void)[];
}

const parts = new WeakMap<HTMLElement, Parts>();

export function createMessageElement(): HTMLElement {
  const sender = h("span", { class: "msg__sender", testid: "message-sender" });
  const body = h("div", { class: "msg__bubble" });
  const time = h("time", { class: "msg__time", testid: "message-time" });
  const foot = h("div", { class: "msg__foot" }, [time]);
  const el = h("article", { class: "msg", testid: "message", attrs: { tabindex: "-1" } }, [h("div", { class: "msg__meta" }, [sender]), body, foot]);
  parts.set(el, { sender, body, time, foot, receipt: null, state: null, unread: null, signature: "", partsKey: "\u0001", cleanups: [] });
  return el;
}

/** Brings a bubble up to date with its entry; cheap when nothing changed. */
export function updateMessageElement(el: HTMLElement, entry: Entry, ctx: MessageContext): void {
  const p = parts.get(el);
  if (!p) return;
  const m = entry.message;
  const dir = directionOf(m);
  const parts_ = partsOf(m);
  const key = partsKey(parts_);
  const signature = [entry.key, entry.status, entry.error, key, m.readAt, m.createdAt, m.sender.titleName, ctx.highlighted, ctx.mode].join("\u0000");
  if (signature === p.signature) {
    updateTime(el, ctx.now, ctx.time);
    return;
  }
  p.signature = signature;

  setAttr(el, "data-external-id", entry.local ? "" : m.externalId);
  setAttr(el, "data-direction", dir);
  setAttr(el, "data-status", entry.status);
  setAttr(el, "data-read", m.readAt !== null ? "true" : "false");
  setAttr(el, "data-highlighted", ctx.highlighted ? "true" : null);
  setAttr(el, "data-key", entry.key);
  el.className = ["msg", isOwnSide(m, ctx.mode) ? "msg--own" : "msg--other", `msg--${dir}`, `msg--${entry.status}`, ctx.highlighted ? "msg--highlighted" : ""]
    .filter(Boolean)
    .join(" ");

  setText(p.sender, senderLabel(m, ctx.mode, entry.local));

  // The parts: rebuilt only when they changed (they never do for a stored message, nor when a
  // pending bubble becomes the stored message: its thumbnails stay).
  if (key !== p.partsKey) {
    releaseParts(p);
    p.partsKey = key;
    p.body.replaceChildren(...parts_.map((part) => renderPart(part, ctx.media, p.cleanups)));
    p.body.classList.toggle("msg__bubble--files", parts_.some((part) => part.kind !== "text"));
  }

  setAttr(p.time, "datetime", m.createdAt);
  setAttr(p.time, "title", m.createdAt);

  // Unread marker on messages the viewer has yet to read (the other side's).
  const showUnread = !entry.local && m.readAt === null && !isOwnSide(m, ctx.mode) && dir === readDirectionFor(ctx.mode);
  if (showUnread && !p.unread) {
    p.unread = h("span", { class: "msg__unread", text: "Unread" });
    p.foot.append(p.unread);
  } else if (!showUnread && p.unread) {
    p.unread.remove();
    p.unread = null;
  }

  // Read receipt: on the care team's messages once the patient has read them.
  if (dir === "outbound" && m.readAt !== null && !entry.local) {
    if (!p.receipt) {
      p.receipt = h("span", { class: "msg__receipt", testid: "read-receipt" }, [icon("checks", "icon icon--sm"), h("span")]);
      p.foot.append(p.receipt);
    }
    setAttr(p.receipt, "title", m.readAt);
    const label = p.receipt.lastElementChild;
    if (label) setText(label, readReceiptText(m.readAt, ctx.now, ctx.time));
  } else if (p.receipt) {
    p.receipt.remove();
    p.receipt = null;
  }

  // Send state.
  if (p.state) {
    p.state.remove();
    p.state = null;
  }
  if (entry.status === "pending") {
    p.state = h("span", { class: "msg__state", text: "Sending…" });
    p.foot.append(p.state);
  } else if (entry.status === "failed") {
    const retry = button("Retry", { class: "btn btn--small btn--danger", testid: "retry-send", attrs: { "data-action": "retry", "data-key": entry.key } }, [
      icon("retry", "icon icon--sm"),
      "Retry",
    ]);
    const discard = button("Discard", { class: "btn btn--small btn--quiet", testid: "discard-send", attrs: { "data-action": "discard", "data-key": entry.key } });
    p.state = h("span", { class: "msg__state msg__state--failed" }, [
      h("span", { class: "msg__error", text: "Not sent" + (entry.error ? `: ${entry.error}` : "") }),
      retry,
      discard,
    ]);
    p.foot.append(p.state);
  }
  updateTime(el, ctx.now, ctx.time);
}

/** The relative time text; called for every bubble on the 30 s tick. */
export function updateTime(el: HTMLElement, now: number, opts: TimeOptions): void {
  const p = parts.get(el);
  if (!p) return;
  const iso = p.time.getAttribute("datetime");
  if (iso) setText(p.time, relativeTime(iso, now, opts));
  if (p.receipt) {
    const readAt = p.receipt.getAttribute("title");
    const label = p.receipt.lastElementChild;
    if (readAt && label) setText(label, readReceiptText(readAt, now, opts));
  }
}

function releaseParts(p: Parts): void {
  for (const c of p.cleanups.splice(0)) c();
}

/** The bubble left the timeline: what its parts hold (thumbnail blob: URLs) is released. */
export function releaseMessageElement(el: HTMLElement): void {
  const p = parts.get(el);
  if (!p) return;
  releaseParts(p);
  p.partsKey = "\u0001";
  p.signature = "";
}
