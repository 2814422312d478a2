// What a message is made of, for display: its text (left out when empty and files are attached),
// then its attachments, each an image (a thumbnail that opens full size) or a file (a chip that
// downloads). Each kind has a renderer in view/message_view.ts. Pure.

import { attachmentsOf, attachmentView } from "./attachments.js";
import { directionOf, type Attachment, type ChatMessage } from "./types.js";
import type { Mode } from "./route.js";

export type MessagePart = { kind: "text"; text: string } | { kind: "image"; attachment: Attachment } | { kind: "file"; attachment: Attachment };

export function partsOf(m: ChatMessage): MessagePart[] {
  const files = attachmentsOf(m);
  const parts: MessagePart[] = m.message !== "" || files.length === 0 ? [{ kind: "text", text: m.message }] : [];
  for (const a of files) parts.push({ kind: attachmentView(a), attachment: a });
  return parts;
}

/** Identifies a list of parts: equal keys render the same (a bubble is rebuilt only when it changes). */
export function partsKey(parts: readonly MessagePart[]): string {
  return parts.map((p) => (p.kind === "text" ? "t:" + p.text : p.kind[0] + ":" + p.attachment.id)).join("\u0000");
}

/** "Root Root · Staff", "Patient" (staff pane), "You" for the viewer's own messages. */
export function senderLabel(m: ChatMessage, mode: Mode, ownLocal: boolean): string {
  const dir = directionOf(m);
  if (mode === "patient" && dir === "inbound") return "You";
  if (dir === "inbound") {
    const name = m.sender.titleName?.trim();
    return name ? `${name} · Patient` : "Patient";
  }
  const name = m.sender.titleName?.trim();
  if (ownLocal && !name) return "You · Staff";
  return name ? `${name} · Staff` : "Care team · Staff";
}

/** Which side a message sits on: the viewer's own side is the right ("end"). */
export function isOwnSide(m: ChatMessage, mode: Mode): boolean {
  return (mode === "staff") === (directionOf(m) === "outbound");
}
