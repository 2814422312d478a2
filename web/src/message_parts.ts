// What a message is made of, for display. Today a message is one text part; attachments (a later
// issue) become further part kinds here, with a renderer each in view/message_view.ts, and nothing
// else in the timeline has to change. Pure.

import { directionOf, type ChatMessage } from "./types.js";
import type { Mode } from "./route.js";

export type MessagePart = { kind: "text"; text: string };
// Later, e.g.: | { kind: "attachment"; name: string; mediaType: string; size: number; href: string }

export function partsOf(m: ChatMessage): MessagePart[] {
  return [{ kind: "text", text: m.message }];
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
